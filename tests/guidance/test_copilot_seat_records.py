"""copilot-seat-idle's details are a record (auditor.rules.usage.copilot_seats): report.json gets what its
TypedDict wrote (the candidate's keys for a seat that moves, the window's for one that goes, a null day the
seat stops costing, an empty display name and no interactions as written), and a report without the
optional keys (an older one) decodes with the record's defaults and reads as before."""

from __future__ import annotations

import msgspec

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import USER
from auditor.rules.usage.copilot_seats import CopilotSeatIdle, CopilotSeatIdleDetails
from auditor.wording import message, remediation, row_note

SEAT = {"assigned_by_group": {"Microsoft_365_Copilot": []}, "sku_ids": {"Microsoft_365_Copilot": "c-id"}}


def test_a_copilot_seats_record_writes_what_its_typed_dict_wrote() -> None:
    common = CopilotSeatIdleDetails(
        days=30,
        workloads=["copilot"],
        last_activity=None,
        report_date="2026-10-30",
        direct=False,
        since="2026-09-01",
        exposure=28.1,
    )
    reduce = msgspec.structs.replace(common, disposition="reduce", reduce_window="unknown", reduce_from=None)
    assert own_json(reduce) == {
        "days": 30,
        "direct": False,
        "disposition": "reduce",
        "exposure": 28.1,
        "last_activity": None,
        "reduce_from": None,
        "reduce_window": "unknown",
        "report_date": "2026-10-30",
        "since": "2026-09-01",
        "workloads": ["copilot"],
    }
    moves = msgspec.structs.replace(
        common,
        direct=True,
        disposition="reassign",
        candidate="kim@contoso.example",
        candidate_id="kim-id",
        candidate_name="",  # a display name Graph left empty is written as such
        candidate_source="group",
        candidate_interactions=0,  # a group's member the audit log shows no interaction of
    )
    written = own_json(moves)
    assert "reduce_window" not in written and "reduce_from" not in written and "candidate_groups" not in written
    assert written["candidate_name"] == "" and written["candidate_interactions"] == 0
    assert written["candidate"] == "kim@contoso.example" and written["candidate_source"] == "group"
    assert "candidate_interactions" not in own_json(msgspec.structs.replace(moves, candidate_interactions=None))


def test_an_older_reports_copilot_details_decode_with_the_records_defaults() -> None:
    """Without `disposition`, `since` or the candidate's keys: the seat goes (nobody waits), apply re-reads
    nothing, no row note; a moving seat without `candidate_name` names the candidate's UPN."""
    older = finding_of(USER, ["Microsoft_365_Copilot"], {"days": 30, "last_activity": "2026-08-14", **SEAT})
    assert message(CopilotSeatIdle.id, older, locale=Locale.EN).endswith("nobody waits for the seat.")
    assert row_note(CopilotSeatIdle.id, older, locale=Locale.EN) == ""
    fix = remediation(CopilotSeatIdle.id, older, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert "copilot_idle_since" not in str(fix) and "kim" not in str(fix)
    moving = {"disposition": "reassign", "candidate": "kim@contoso.example", "candidate_id": "kim-id", **SEAT}
    moved = finding_of(USER, ["Microsoft_365_Copilot"], moving)
    said = message(CopilotSeatIdle.id, moved, locale=Locale.EN)
    assert "unknown days" in said and said.endswith("the seat can go to kim@contoso.example.")
    fix = remediation(CopilotSeatIdle.id, moved, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    given = fix["actions"][-1]  # the holder's removal, then the candidate's assignment
    assert given["path"] == "/users/kim-id/assignLicense"
    assert given["description"] == "Assign Microsoft_365_Copilot to kim@contoso.example."
    # no `candidate_groups`: no membership to re-check; no `since`: no re-read of the report
    assert given["precondition"] == [{"lacks": "c-id"}, {"account_enabled": True}]
    assert "copilot_idle_since" not in str(fix)
