"""Storage: SQLModel tables and the one repository that queries them."""

from __future__ import annotations

from tracker.store.repo import Store

__all__ = ["Store"]
