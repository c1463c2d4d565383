"""What the EMA and FDA tests share: tracked procedures and aliases put straight into the
store, and a page of links (an agency's listing or calendar) written for the tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tracker.identity import procedure_for, slug
from tracker.pipeline import Context
from tracker.store.tables import ProcedureAliasRow, ProcedureRow


def track(
    ctx: Context,
    procedures: Iterable[tuple[str, str, str]],
    aliases: Iterable[tuple[str, str, str]],
    now: datetime,
) -> Context:
    """Store (company, product, agency) procedures and (company, product, alias) aliases."""
    with ctx.store.session() as s:
        for company, product, agency in procedures:
            p = procedure_for(company, product, agency)
            s.add(ProcedureRow(key=p.key, company=company, product=product, agency=p.agency))
        for company, product, alias in aliases:
            s.add(
                ProcedureAliasRow(
                    kind="product",
                    scope=slug(company),
                    alias=slug(alias),
                    name=alias,
                    target=product,
                    created_at=now,
                )
            )
    return ctx


def links_page(
    links: Iterable[tuple[str, str]], others: Iterable[tuple[str, str]], heading: str = ""
) -> str:
    """A page listing (address, text) links, then the page's other links, under `heading`."""
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in [*links, *others])
    title = f"<h1>{heading}</h1>" if heading else ""
    return f"<html><body>{title}<ul>{items}</ul></body></html>"
