"""Federal Register documents (JSON listings and full texts) and FDA advisory committee pages,
written for the tests: our own words and shapes; the products and companies are invented."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .agency_helpers import links_page

FDA_AGENCY = {
    "raw_name": "DEPARTMENT OF HEALTH AND HUMAN SERVICES",
    "name": "Health and Human Services Department",
    "slug": "health-and-human-services-department",
}
FDA = {"raw_name": "Food and Drug Administration", "name": "Food and Drug Administration",
       "slug": "food-and-drug-administration"}  # fmt: skip
OTHER = {"name": "Fish and Wildlife Service", "slug": "fish-and-wildlife-service"}


def result(
    base: str,
    number: str,
    title: str,
    published: str = "2026-02-10",
    agencies: Iterable[dict[str, str]] = (FDA_AGENCY, FDA),
    text_path: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One entry of a documents listing, its full text at `text_path` (default /text/NUMBER)."""
    return {
        "document_number": number,
        "title": title,
        "type": "Notice",
        "abstract": "The Food and Drug Administration announces a public meeting.",
        "publication_date": published,
        "html_url": f"{base}/documents/{number}",
        "raw_text_url": f"{base}{text_path or '/text/' + number}",
        "agencies": list(agencies),
        **extra,
    }


def listing(results: Iterable[dict[str, Any]]) -> str:
    """A documents listing as the API answers a search."""
    items = list(results)
    return json.dumps({"count": len(items), "total_pages": 1, "results": items})


def meeting_notice(
    committee: str,
    dates: str,
    agenda: str,
    extra: str = "",
) -> str:
    """The plain text of an advisory committee meeting notice."""
    return f"""DEPARTMENT OF HEALTH AND HUMAN SERVICES

Food and Drug Administration

{committee}; Notice of Meeting; Establishment of a Public Docket; Request for Comments

AGENCY: Food and Drug Administration, HHS.

ACTION: Notice; establishment of a public docket; request for comments.

SUMMARY: The Food and Drug Administration (FDA) announces a forthcoming public advisory
committee meeting of the {committee}. The general function of the committee is to provide
advice and recommendations to FDA on regulatory issues. The meeting will be open to the
public. FDA is establishing a docket for public comment on this document.

DATES: The meeting will be held on {dates}, from 9 a.m. to 5 p.m. Eastern Time.{extra}

ADDRESSES: Please note that due to the impact of building works, the meeting will be held
at a hotel near the campus. Answers to commonly asked questions are on the agency's site.

FOR FURTHER INFORMATION CONTACT: A designated federal officer, Center for Drug Evaluation
and Research, Food and Drug Administration, Silver Spring, MD 20993.

SUPPLEMENTARY INFORMATION:

Agenda: {agenda}

Procedure: Interested persons may present data, information, or views, orally or in
writing, on issues pending before the committee. Written submissions may be made to the
contact person on or before the day before the meeting.
"""


def withdrawal_notice(company: str, product: str, as_of: str) -> tuple[str, str]:
    """(title, text) of a notice withdrawing the approval of one application."""
    title = f"{company}; Withdrawal of Approval of a New Drug Application for {product}"
    text = f"""Food and Drug Administration

{title}

AGENCY: Food and Drug Administration, HHS.

ACTION: Notice.

SUMMARY: The Food and Drug Administration (FDA) is withdrawing approval of the new drug
application for {product}, held by {company}. The holder asked FDA in writing to withdraw
the approval and waived its opportunity for a hearing.

DATES: Approval is withdrawn as of {as_of}.

FOR FURTHER INFORMATION CONTACT: Office of Regulatory Policy, Silver Spring, MD 20993.
"""
    return title, text


def voucher_notice(product: str, company: str, approved: str | None) -> tuple[str, str]:
    """(title, text) of a notice issuing a priority review voucher for a product."""
    title = "Issuance of Priority Review Voucher; Rare Pediatric Disease Product"
    when = f" FDA approved the application on {approved}." if approved else ""
    text = f"""Food and Drug Administration

{title}

SUMMARY: The Food and Drug Administration (FDA) is announcing the issuance of a priority
review voucher to the sponsor of a rare pediatric disease product application. FDA has
determined that {product}, manufactured by {company}, meets the criteria for a priority
review voucher.{when}

SUPPLEMENTARY INFORMATION: The voucher may be used for a later application.
"""
    return title, text


def calendar_page(meetings: Iterable[tuple[str, str]]) -> str:
    """The advisory committee calendar: (path, link text) per meeting, and other links."""
    others = [("/about-us/contact", "Contact the agency")]
    return links_page(meetings, others, heading="Advisory Committee Calendar")


def meeting_page(heading: str, agenda: str) -> str:
    """One meeting's announcement page."""
    return (
        f"<html><head><title>{heading}</title></head><body><nav>Home / Advisory Committees"
        f"</nav><main><h1>{heading}</h1><h2>Meeting Announcement</h2><p>Location: a hotel "
        "ballroom in Maryland, and online.</p><h2>Agenda</h2>"
        f"<p>{agenda}</p><p>Public participation information follows.</p></main></body></html>"
    )


def review_period_notice(
    product: str,
    what: str,
    owner: str | None,
    submitted: str | None,
    approved: str | None,
    claim: str | None = None,
) -> tuple[str, str]:
    """(title, text) of a determination of a product's regulatory review period for patent
    term extension: `what` as the text names it ("HALVENTI (halventide)"), the patent
    owner who asked, the two dates FDA determined, and (`claim`) an earlier submission date
    the applicant claimed that FDA's records do not bear out."""
    title = f"Determination of Regulatory Review Period for Purposes of Patent Extension; {product}"
    asked = (
        f" Later, the USPTO received a patent term restoration application for {product} "
        f"(U.S. Patent No. 11,234,567) from {owner}, and the USPTO asked FDA for help in "
        "deciding whether the patent is eligible for restoration."
        if owner
        else ""
    )
    lines = [
        "1. The date an exemption under section 505(i) of the FD&C Act (21 U.S.C. 355(i)) "
        "took effect: August 2, 2019. FDA found that the exemption took effect on that day."
    ]
    if submitted:
        lines.append(
            "2. The date the application was initially submitted with respect to the human "
            f"drug product under section 505(b) of the FD&C Act: {submitted}."
            + (
                f" The applicant claims {claim} as the day the new drug application (NDA) was "
                f"first submitted; FDA's records show that it was submitted on {submitted}."
                if claim
                else f" FDA has verified the applicant's claim that the NDA was submitted on "
                f"{submitted}."
            )
        )
    if approved:
        lines.append(
            f"3. The date the application was approved: {approved}. FDA has verified the "
            f"applicant's claim that the NDA was approved on {approved}."
        )
    dates = "\n\n".join(lines)
    text = f"""DEPARTMENT OF HEALTH AND HUMAN SERVICES

Food and Drug Administration

{title}

AGENCY: Food and Drug Administration, HHS.

ACTION: Notice.

SUMMARY: The Food and Drug Administration (FDA or the Agency) has determined the regulatory
review period for {product} and publishes this determination as the law requires. FDA has
done so in response to an application to the Director of the U.S. Patent and Trademark
Office (USPTO) for the extension of a patent which claims that human drug product.

ADDRESSES: Anyone with knowledge that any of the dates published below are wrong may send
comments to the docket named in this notice.

SUPPLEMENTARY INFORMATION:

I. Background

The patent term restoration provisions let a patent's term be extended by part of the
time the product spent under regulatory review. For human drug products the review period
has a testing phase and an approval phase; the approval phase starts when the marketing
application is first submitted and ends when it is approved.

II. Determination of Regulatory Review Period

FDA has approved for marketing the human drug product {what}. {product} is indicated for
adults with a rare blood disorder.{asked} FDA has found that the regulatory review period
for {product} is 1,680 days, derived from the following dates:

{dates}

This determination of the regulatory review period does not decide how long an extension
the applicant may receive.
"""
    return title, text


def several_withdrawals_notice(as_of: str) -> tuple[str, str]:
    """(title, text) of a notice withdrawing several applications of several holders, its
    table in the fixed columns of the Federal Register's plain text (wrapped cells, dot
    leaders, an address after each holder)."""
    title = "Halvern Pharma LLC, et al.; Withdrawal of Approval of Three New Drug Applications"
    rule = "-" * 78
    text = f"""Food and Drug Administration

{title}

AGENCY: Food and Drug Administration, HHS.

ACTION: Notice.

SUMMARY: The Food and Drug Administration (FDA) is withdrawing approval of three new
drug applications (NDAs) from multiple holders. The holders told FDA in writing that the
products are no longer marketed and asked for the approvals to be withdrawn.

DATES: Approval is withdrawn as of {as_of}.

SUPPLEMENTARY INFORMATION: The holders of the applications listed in the table have
waived their opportunity for a hearing.

{rule}
   Application No.              Drug                          Applicant
{rule}
NDA 020418..............  QUELVARA (quelvamide)          Halvern Pharma LLC, 400
                           Tablets, 5 milligrams (mg)     Route 9, Lakeside, NJ 07001.
                           and 10 mg.
NDA 021977..............  Dorvista (dorvistatin          Brightwell Laboratories
                           calcium) Capsules, 20 mg.      Inc., P.O. Box 77, Austin,
                                                          TX 78701.
BLA 125511..............  tevraclimab Injection, 100     Orrin Biologics Corp., One
                           mg/mL.                         Harbor Way, Boston, MA 02110.
{rule}

Therefore, approval of the applications listed in the table, and all amendments and
supplements to them, is withdrawn as of {as_of}.
"""
    return title, text
