"""A reproducible corpus of realistic ~9 KB releases, written for the benchmarks."""

from __future__ import annotations

import random
from datetime import date, timedelta

COMPANIES = [
    "Norvane Therapeutics, Inc.",
    "Halcyon Biopharma plc",
    "Ostara Pharma AG",
    "Quillon Medicines Corp.",
    "Bexley Bio N.V.",
    "Tamsin Oncology, Inc.",
]
PRODUCTS = ["Velocor", "Zentra", "Amplivex", "Norabel", "Sorvita", "Kelvadra"]
CITIES = [
    "BOSTON, Mass.",
    "SAN DIEGO, Calif.",
    "LEIDEN, The Netherlands",
    "BASEL, Switzerland",
    "CAMBRIDGE, England",
    "PRINCETON, N.J.",
]

NEWS = [
    "{company} ({ticker}) today announced that the U.S. Food and Drug Administration (FDA) has "
    "accepted for filing its New Drug Application (NDA) for {product}(R) and assigned a "
    "Prescription Drug User Fee Act (PDUFA) target action date of "
    "{goal:%B} {goal.day}, {goal.year}.",
    "{company} ({ticker}) today reported that the Committee for Medicinal Products for Human Use "
    "(CHMP) of the European Medicines Agency has adopted a negative opinion on the marketing "
    "authorization application for {product}(R). The company has requested a re-examination and "
    "will submit its detailed grounds within 60 days of receipt of the opinion. It expects the "
    "re-examination to conclude in the {quarter} quarter of {goal.year}.",
    "{company} ({ticker}) said today that the FDA has approved {product}(R) for adults with "
    "moderate to severe disease. The approval follows the complete response letter received in "
    "{past:%B %Y}.",
    "{company} ({ticker}) said today that the FDA extended the PDUFA goal date for {product}(R) by "
    "three months to {goal:%B} {goal.day}, {goal.year} after a major amendment.",
]
FILLER = [
    "The pivotal Phase 3 trial enrolled {n} patients at {m} sites in North America and Europe.",
    '"We are pleased with this step and thank the patients and investigators," said the chief '
    "executive officer of {company}.",
    "Treatment was generally well tolerated, and the most common adverse events were mild.",
    "The company will host a conference call and webcast at 8:30 a.m. Eastern Time today.",
    "Patients in the study received {product} once daily for 52 weeks, with a follow-up visit "
    "at week 56.",
    "The primary endpoint was the change from baseline in the disease activity score at week 24.",
]
BOILER = (
    "\n\nAbout {company}\n\n{company} is a biopharmaceutical company focused on serious "
    "diseases. Its pipeline includes three clinical programs, one of which is expected to "
    "report data in the second half of {next_year}.\n\nForward-Looking Statements\n\nThis press "
    "release contains forward-looking statements within the meaning of the Private Securities "
    "Litigation Reform Act of 1995, including statements about regulatory timelines, the "
    "expected PDUFA date and the timing of any approval. Actual results may differ materially "
    "because of risks described in the company's filings with the Securities and Exchange "
    "Commission, including its annual report for the fiscal year ended December 31, {year}. "
)


def make_release(rng: random.Random, size: int = 9000) -> str:
    """One release of about `size` characters."""
    day = date(2008, 1, 1) + timedelta(days=rng.randrange(5000))
    # Many products, as in a real backfill: a procedure gathers a handful of releases.
    company = rng.choice(COMPANIES)
    product = (
        rng.choice(PRODUCTS)
        + rng.choice(["", "a", "o", "ex", "in", "is", "ol", "um"])
        + (rng.choice("bcdfgklmnprstvz"))
    )
    fields = dict(  # noqa: C408 (keyword form reads better for a template's fields)
        company=company,
        product=product,
        ticker=f"Nasdaq: {product[:4].upper()}",
        goal=day + timedelta(days=rng.randrange(30, 300)),
        past=day - timedelta(days=rng.randrange(60, 400)),
        quarter=rng.choice(["first", "second", "third", "fourth"]),
        year=day.year - 1,
        next_year=day.year + 1,
        n=rng.randrange(100, 900),
        m=rng.randrange(10, 90),
    )
    parts = [
        f"{company.upper()} ANNOUNCES REGULATORY UPDATE FOR {product.upper()}\n\n",
        f"{rng.choice(CITIES)}, {day:%B} {day.day}, {day.year} /PRNewswire/ -- ",
        rng.choice(NEWS).format(**fields),
        "\n\n",
    ]
    boiler = BOILER.format(**fields)
    while sum(map(len, parts)) + len(boiler) < size:
        parts.append(rng.choice(FILLER).format(**fields) + " ")
        if rng.random() < 0.2:
            parts.append("\n\n")
    return "".join(parts) + boiler


def corpus(n: int, seed: int = 7) -> list[str]:
    """`n` releases, the same ones on every run."""
    rng = random.Random(seed)
    return [make_release(rng) for _ in range(n)]


def store_deadlines(
    store, n: int, first, now, products: int | None = None, spread: int = 300
) -> None:  # type: ignore[no-untyped-def]
    """Store `n` open FDA deadlines, ten per product, spread over `spread` days from `first`."""
    from datetime import timedelta

    from tracker.domain import Derivation, Procedure
    from tracker.store.procedures import ensure_procedure

    for p in range(products or n // 10):
        proc = Procedure(f"acme/product-{p}/fda", "Acme Inc.", f"Product {p}", "FDA")
        derived = [
            Derivation(
                key=f"{proc.key}/rule-{i}",
                title=f"Deadline {i}: {proc.product}",
                start=first + timedelta(days=(p + i) % spread),
                end=first + timedelta(days=(p + i) % spread),
                basis="rule",
                rule=f"us-fda/rule-{i}",
                evidence="The FDA set a goal date.",
                source="21 CFR 314",
            )
            for i in range(10)
        ]
        with store.session() as sess:
            ensure_procedure(sess, proc)
            store.reconcile(proc, derived, now, sess, fresh=True)
