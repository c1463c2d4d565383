"""Pages shaped like EMA's CHMP meeting highlights and their listings, written for the tests
(our own words and markup; the products and companies are invented)."""

from __future__ import annotations

from collections.abc import Iterable

from .agency_helpers import links_page

# (section heading, items); an item is (product, substance, applicant, free words)
Item = tuple[str, str | None, str | None, str]


def highlights_list(dates: str, sections: Iterable[tuple[str, list[Item]]]) -> str:
    """A highlights page whose items are list entries, the product in bold."""
    body = []
    for heading, items in sections:
        body.append(f"<h2>{heading}</h2><ul>")
        for product, substance, applicant, words in items:
            sub = f" ({substance})" if substance else ""
            app = f", applicant: {applicant}" if applicant else ""
            body.append(f"<li><strong>{product}</strong>{sub}{app}, {words}</li>")
        body.append("</ul>")
    return (
        "<html><head><title>CHMP highlights</title></head><body>"
        f"<h1>Meeting highlights from the Committee for Medicinal Products for Human Use "
        f"(CHMP) {dates}</h1><p>The committee met in Amsterdam.</p>"
        + "".join(body)
        + "</body></html>"
    )


def highlights_table(dates: str, sections: Iterable[tuple[str, list[Item]]]) -> str:
    """A highlights page whose items are table rows under a header row."""
    body = []
    for heading, items in sections:
        body.append(
            f"<h3>{heading}</h3><table><tr><th>Medicine name</th><th>Active substance</th>"
            "<th>Marketing authorisation applicant</th><th>Outcome</th></tr>"
        )
        for product, substance, applicant, words in items:
            body.append(
                f"<tr><td>{product}</td><td>{substance or ''}</td><td>{applicant or ''}</td>"
                f"<td>{words}</td></tr>"
            )
        body.append("</table>")
    return (
        f"<html><body><div class='header'><h1>CHMP: meeting of {dates}</h1></div>"
        + "".join(body)
        + "</body></html>"
    )


def listing_rss(base: str, pages: Iterable[tuple[str, str]]) -> str:
    """An RSS listing of (path, title) news items."""
    items = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid></item>"
        for path, title in pages
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Agency news</title>'
        f"<link>{base}/</link><description>news</description>{items}</channel></rss>"
    )


def listing_html(pages: Iterable[tuple[str, str]]) -> str:
    """A news page linking to (path, title) pages, and to other news."""
    others = [
        ("/news/board-meeting", "Management board meeting"),
        ("https://elsewhere.example/highlights-x", "Another site"),
    ]
    return links_page(pages, others)
