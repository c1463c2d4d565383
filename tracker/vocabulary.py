"""The tracker's words: deadline statuses, how a deadline was closed, the facts a person may
record, and the one test of "open and past". Pure; every module that needs these imports
them from here, so a new status is added once."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Status(StrEnum):
    """A deadline's status (CONTRACT.md's list)."""

    OPEN = "open"  # not yet due, or due today
    MET = "met"  # a release, a person or a later step shows it was done
    PASSED = "passed"  # its date has passed and nothing says what happened
    MISSED = "missed"  # a release says it was missed or not met
    CANCELLED = "cancelled"  # no longer owed
    SUPERSEDED = "superseded"  # replaced by a later date


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
# What a calendar and the reminders still treat as owed.
LIVE: frozenset[str] = frozenset({Status.OPEN, Status.PASSED})


class Closed(StrEnum):
    """How a person closed a deadline: done (met) or not applicable (dismissed)."""

    DONE = "done"
    DISMISSED = "dismissed"

    @property
    def status(self) -> Status:
        """The status a person's close gives."""
        return Status.MET if self is Closed.DONE else Status.CANCELLED


class Fact(StrEnum):
    """Facts a person may record about a procedure, for the anchors rules count from."""

    RECEIPT = "receipt"  # receipt of an opinion or letter
    FILING_DATE = "filing_date"
    SUBMISSION = "submission"


FACTS: tuple[str, ...] = tuple(f.value for f in Fact)
# The words of a stated anchor ("receipt of the negative opinion") that name a fact.
_ANCHOR_WORDS: tuple[tuple[str, Fact], ...] = (
    ("receipt", Fact.RECEIPT),
    ("received", Fact.RECEIPT),
    ("filing", Fact.FILING_DATE),
    ("submission", Fact.SUBMISSION),
)


def fact_of_anchor(anchor: str | None) -> Fact | None:
    """The recordable fact a stated timeline's anchor names, if any."""
    if not anchor:
        return None
    words = anchor.lower().replace("-", " ").split()
    for word, fact in _ANCHOR_WORDS:
        if word in words:
            return fact
    return None


def open_and_past(status: str, end: date, today: date) -> bool:
    """The one test of a deadline still open whose date is behind us."""
    return status == Status.OPEN and end < today


def status_on(status: str, end: date, today: date | None) -> str:
    """A stored status as of `today`: an open deadline whose date is behind us has passed."""
    if today is not None and open_and_past(status, end, today):
        return Status.PASSED.value
    return status


# The milestones a deadline is about (a rule's `milestone`, a stated timeline's act), with
# the title a stated deadline takes when no rule names it.
MILESTONE_TITLES: dict[str, str] = {
    "action-date": "FDA action (goal) date",
    "advisory-meeting": "Advisory committee meeting / hearing",
    "reexamination-grounds": "Detailed grounds for re-examination due",
    "reexamination-opinion": "Re-examination opinion expected",
    "reexamination-request": "Re-examination request",
    "response": "Response to the agency's questions due",
    "commission-decision": "European Commission decision expected",
    "opinion": "Committee opinion expected",
    "decision": "Regulatory decision expected",
    "submission": "Submission planned",
    "review": "Review milestone",
    "classification": "Classification of the resubmission expected",
    "meeting": "Meeting with the agency",
    "procedure-day": "Procedure milestone",
}
MILESTONES: frozenset[str] = frozenset(MILESTONE_TITLES)

# The acts that show a milestone was reached (a stated decision is reached by an approval or
# a refusal); the engine meets stated deadlines by them, the reader drops a "deadline" whose
# act the same sentence reports as done.
DONE_BY: dict[str, tuple[str, ...]] = {
    "action-date": ("approval", "refusal"),
    "advisory-meeting": ("advisory_meeting", "trend_vote"),
    "reexamination-grounds": ("reexamination_grounds",),
    "reexamination-opinion": ("reexamination_outcome",),
    "reexamination-request": ("reexamination_request",),
    "commission-decision": ("approval", "refusal"),
    "decision": ("approval", "refusal"),
    "opinion": ("opinion",),
    "submission": ("submission", "resubmission"),
}

# Milestones only an agency reaches: a company "plans to file for approval", it never decides.
AGENCY_MILESTONES: frozenset[str] = frozenset(
    {"decision", "action-date", "commission-decision", "opinion", "reexamination-opinion"}
)
# Decisions named with their decider; a generic "decision" beside one of them is the same act.
SPECIFIC_DECISIONS: frozenset[str] = frozenset({"commission-decision", "action-date"})
