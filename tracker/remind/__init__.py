"""Reminders: which are owed (plan), how they read (render), how they leave (send)."""
