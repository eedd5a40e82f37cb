"""The docs say what Microsoft's pages say, as they say it (issue 89, "Microsoft's pages"): how late
sign-in data can be, both published dates of the Extended Service Term through a partner, the beta
page of the sign-in filter example, the operators documented on signInActivity, the cancel's verb,
and the licenses an archived shared mailbox can take."""

from __future__ import annotations

from pathlib import Path

from auditor.plan import commerce
from auditor.rules.hygiene.accounts_texts import SharedMailboxUnlicensed

ROOT = Path(__file__).resolve().parents[2]


def _text(name: str) -> str:
    return " ".join((ROOT / name).read_text("utf-8").split())


def test_sign_in_data_is_said_to_take_up_to_24_hours() -> None:
    doc = _text("docs/plan-and-apply.md")
    assert 'sign-in data "might take up to 24 hours to update"' in doc
    assert "in the last hours" not in doc


def test_est_through_a_partner_gives_both_published_dates() -> None:
    doc = _text("docs/bill.md")
    row = next(line for line in doc.split(" | ") if "**Through a partner** (`csp`)" in line)
    assert "MC1216259 gives 1 April 2026" in row and "Partner Center's page 4 May 2026" in row
    assert "for partners (CSP) it gives 1 April 2026" in doc


def test_the_sign_in_filter_example_is_said_to_be_a_beta_request() -> None:
    doc = _text("docs/lane.md")
    example = doc.index("gives the example `users?$filter=signInActivity/lastSuccessfulSignInDateTime")
    assert "beta" in doc[example - 300 : example + 400]


def test_the_changelog_names_the_operators_microsoft_documents() -> None:
    assert "Microsoft documents `eq`, `ne`, `not`, `ge` and `le` on `signInActivity`" in _text("CHANGELOG.md")


def test_a_partner_agreement_cancel_is_the_delete_the_code_sends() -> None:
    doc = " ".join((commerce.__doc__ or "").split())
    assert "cancel within a 7-day window DELETE billingSubscriptions/{name}" in doc
    assert "never POST .../cancel" in doc
    assert "DELETE" in _text("docs/bill.md")


def test_an_archive_can_take_plan_1_with_exchange_online_archiving() -> None:
    [describe] = [t.english for t in SharedMailboxUnlicensed.texts if t.key.endswith(".describe")]
    assert "with an archive Exchange Online (Plan 2) or Exchange Online (Plan 1) with the Exchange Online" in describe


def test_the_licensed_users_filter_is_said_to_be_an_advanced_query_that_signin_activity_lacks() -> None:
    """Issue 86, point 3: a full read of the licensed users only was weighed against Microsoft's pages."""
    doc = _text("docs/lane.md")
    part = doc[doc.index("**A shorter or a rarer full read") :][:4000]
    assert "`/$count ne 0`" in part and "is supported only with advanced query parameters" in part
    assert "`ConsistencyLevel=eventual` header" in part and "`$count=true` query string" in part
    assert "*but not with any other filterable properties*" in part
