"""Named computations for arithmetic the rule vocabulary cannot express (`compute = "name"`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

Function = Callable[[date, dict[str, int]], date]


def months_then_days(anchor: date, params: dict[str, int]) -> date:
    """`months` calendar months, then `days` days: "two months plus ten days on account of
    distance" (General Court Rules of Procedure, Art. 60)."""
    return (
        anchor
        + relativedelta(months=params.get("months", 0))
        + timedelta(days=params.get("days", 0))
    )


def months_before_anniversary(anchor: date, params: dict[str, int]) -> date:
    """A date `before` months ahead of the `years`-th anniversary of the anchor: a renewal
    due "at least six months before" a one-year authorisation expires."""
    expiry = anchor + relativedelta(years=params.get("years", 1))
    return expiry - relativedelta(months=params.get("before", 0))


FUNCTIONS: dict[str, Function] = {
    "months-then-days": months_then_days,
    "months-before-anniversary": months_before_anniversary,
}


def describe(name: str, params: dict[str, int]) -> str:
    """A human line for the explanation of a computed date."""
    args = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    return f"{name}({args})"
