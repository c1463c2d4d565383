"""Identity: procedure keys, slugs and regions, decided once and never changed. Pure."""

from __future__ import annotations

import re

from tracker.domain import Procedure

# The agencies whose procedures each region groups (the EU procedure spans EMA and the Commission).
REGION = {"EMA": "EU", "EC": "EU"}


def region_of(agency: str) -> str:
    """The procedure region of an agency code."""
    return REGION.get(agency, agency)


def agencies_of(region: str) -> set[str]:
    """The agency codes a region groups."""
    return {a for a, r in REGION.items() if r == region} or {region}


def slug(text: str | None) -> str:
    """A lower-case, dash-separated identifier fragment."""
    s = re.sub(r"[^a-z0-9]+", "-", (text or "unknown").lower()).strip("-")
    return s or "unknown"


def procedure_for(company: str | None, product: str | None, agency: str) -> Procedure:
    """The procedure of a product before an agency's region."""
    region = region_of(agency)
    key = f"{slug(company)}/{slug(product)}/{region.lower()}"
    return Procedure(key, company, product, region)
