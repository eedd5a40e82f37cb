"""The account-kind rules' details are records (auditor.rules.hygiene.kinds): report.json gets what their
TypedDicts wrote (`doubt` and `mailbox` only when set), and a report without the optional keys (an older
one) decodes with each record's defaults and reads as before."""

from __future__ import annotations

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E3, USER
from auditor.rules.hygiene.kinds import (
    AgentUserOrphaned,
    AgentUserOrphanedDetails,
    ResourceAccountPaidLicense,
    ResourceAccountPaidLicenseDetails,
)
from auditor.wording import message, remediation


def test_the_kind_records_write_what_their_typed_dicts_wrote() -> None:
    confirmed = ResourceAccountPaidLicenseDetails(
        paid={"SPE_E3": E3},
        replace_with="PHONESYSTEM_VIRTUALUSER",
        replace_with_id="r",
        allocation=25,
        resource_in_use=3,
        confirmed=True,
    )
    assert own_json(confirmed) == {
        "allocation": 25,
        "confirmed": True,
        "keeps": {},
        "paid": {"SPE_E3": E3},
        "replace_with": "PHONESYSTEM_VIRTUALUSER",
        "replace_with_id": "r",
        "resource_in_use": 3,
        "resource_seats": None,
    }
    doubted = ResourceAccountPaidLicenseDetails(doubt="signs_in", mailbox={"SPE_E3": E3})
    assert own_json(doubted)["doubt"] == "signs_in" and own_json(doubted)["mailbox"] == {"SPE_E3": E3}
    agent = own_json(AgentUserOrphanedDetails(identity_parent_id="p", parent="gone"))
    assert agent == {"identity_parent_id": "p", "parent": "gone"}


def test_an_older_reports_kind_details_decode_with_the_records_defaults() -> None:
    """A resource account's finding without `confirmed`, `doubt`, `replace_with` or the counts: not
    confirmed (the department's message), the swap names Microsoft's resource license and waits."""
    found = finding_of(USER, ["SPE_E3"], {"paid": {"SPE_E3": E3}, "sku_ids": {"SPE_E3": E3}})
    said = message(ResourceAccountPaidLicense.id, found, locale=Locale.EN)
    assert "nothing else shows that it is one" in said
    fix = remediation(ResourceAccountPaidLicense.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert fix["actions"] and not fix["actions"][0]["ready"]
    agent = finding_of(USER, ["SPE_E3"], {"sku_ids": {"SPE_E3": E3}})
    assert message(AgentUserOrphaned.id, agent, locale=Locale.EN)  # no parent: the deleted identity's message
    agent_fix = remediation(AgentUserOrphaned.id, agent, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert "agent_orphaned" not in str(agent_fix)  # nothing to rest on without the parent's id
