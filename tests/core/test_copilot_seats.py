"""copilot-seat-idle on hand-made tenants: which Copilot seats are idle (no use of Copilot, Copilot
Chat at work or agents, the report's v2 columns), which move to a member of the `candidates` groups
(held directly, one candidate each) and which are reduced (with the subscription's window), the
exposure of each; a snapshot without the v2 columns is not judged."""

from __future__ import annotations

from typing import Any

import pytest

from auditor import wording
from auditor.data.model import Cloud, Locale
from auditor.data.usage_data import COPILOT, USAGE_REPORTS
from auditor.formats.report_model import finding_of
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor_dev.emulator.reports import documented

from .factory import audit, fired, sku, tenant, user

COPILOT_ID = "639dec6b-bb19-468b-871c-c5c441c4b0cb"
POLICY = """catalog:
  - sku: SPE_E3
    price: {monthly: 33.75, currency: EUR}
  - sku: Microsoft_365_Copilot
    price: {monthly: 28.10, currency: EUR}
usage:
  - copilot_seats: Microsoft_365_Copilot
    days: 30
    candidates: [Copilot waiting list]
"""
V2 = f"GET /copilot/reports/{COPILOT.name}(period='D90',version='v2')"


def holder(name: str, via: str | None = None) -> dict[str, Any]:
    """An E3 user who also holds Copilot (directly, or from group `via`)."""
    u = user(name, "SPE_E3")
    u["assignedLicenses"].append({"skuId": COPILOT_ID, "disabledPlans": []})
    u["licenseAssignmentStates"].append(
        {"skuId": COPILOT_ID, "assignedByGroup": via, "state": "Active", "error": "None"}
    )
    return u


def row(name: str, last: str | None = None, chat: str | None = None, agents: str | None = None) -> dict[str, Any]:
    return {
        "userPrincipalName": f"{name}@contoso.example",
        "copilotLastActivityDate": last,
        "copilotChatWorkLastActivityDate": chat,
        "copilotAgentLastActivityDate": agents,
        "reports": [COPILOT.name],
    }


def doc(users: list[dict[str, Any]], rows: list[dict[str, Any]], waiting: list[str], **kw: Any) -> dict[str, Any]:
    copilot_sku = {
        "skuId": COPILOT_ID,
        "skuPartNumber": "Microsoft_365_Copilot",
        "consumedUnits": 0,
        "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
    }
    groups = [
        {"id": "g-wait", "displayName": "Copilot waiting list", "assignedLicenses": [], "members": waiting},
        {"id": "g-pilot", "displayName": "Copilot Pilot", "assignedLicenses": [{"skuId": COPILOT_ID}], "members": []},
    ]
    reads = [
        {
            "name": COPILOT.name,
            "period": "D90",
            "reportRefreshDate": "2026-10-30",
            "request": V2,
            "columns": list(documented(COPILOT.name)),
        }
    ]
    return tenant(
        users,
        skus=[sku("SPE_E3"), copilot_sku],
        groups=groups,
        collectedParts=["signInActivity", USAGE_REPORTS],
        usageReports={"reports": reads, "users": rows},
        **kw,
    )


def findings(tmp_path: Any, document: dict[str, Any]) -> dict[str, Any]:
    result = audit(tmp_path, POLICY, document)
    assert not result.not_evaluated, result.not_evaluated
    return {f.subject.upn: f for f in result.findings if f.rule == CopilotSeatIdle.id}


def test_an_idle_seat_moves_to_who_waits_and_the_next_is_reduced(tmp_path: Any) -> None:
    users = [holder("never"), holder("idle"), user("waits", "SPE_E3"), user("waits2", "SPE_E3", usageLocation=None)]
    rows = [row("never"), row("idle", last="2026-08-01", chat="2026-08-01")]
    found = findings(tmp_path, doc(users, rows, ["id-waits", "id-waits2"]))
    assert set(found) == {"never@contoso.example", "idle@contoso.example"}
    moved, reduced = found["never@contoso.example"], found["idle@contoso.example"]  # never used goes first
    assert (
        dict(moved.details)["disposition"] == "reassign" and dict(moved.details)["candidate"] == "waits@contoso.example"
    )
    assert moved.monthly_cost is None and dict(moved.details)["exposure"] == 28.10  # the seat stays on the bill
    # waits2 has no usage location (assignLicense needs one): nobody is left for the second seat
    assert dict(reduced.details)["disposition"] == "reduce" and "candidate" not in dict(reduced.details)
    assert reduced.monthly_cost == 28.10 and dict(reduced.details)["exposure"] == 28.10
    assert dict(reduced.details)["reduce_window"] == "unknown"  # no subscriptions read
    rem = wording.remediation(
        moved.rule,
        finding_of(moved.subject, list(moved.skus), dict(moved.details)),
        cloud=Cloud.WORLDWIDE,
        locale=Locale.EN,
    )
    take, give = rem["actions"]
    assert take["user"] == "id-never" and take["body"] == {"addLicenses": [], "removeLicenses": [COPILOT_ID]}
    assert give["user"] == "id-waits" and give["body"]["addLicenses"] == [{"disabledPlans": [], "skuId": COPILOT_ID}]
    # the candidate still waits (in a `candidates` group), enabled, without the seat, when it runs
    waits = [{"lacks": COPILOT_ID}, {"account_enabled": True}, {"in_any_group": ["g-wait"]}]
    assert give["precondition"] == waits and give["ready"]
    # the holder's removal rests on no Copilot use since the window's first day (apply re-reads the report)
    assert {"copilot_idle_since": dict(moved.details)["since"]} in take["precondition"]
    assert give["seats"] == {"Microsoft_365_Copilot": 1} and take["seats"] == {"Microsoft_365_Copilot": -1}
    message = wording.message(
        moved.rule, finding_of(moved.subject, list(moved.skus), dict(moved.details)), locale=Locale.EN
    )
    assert message.endswith("the seat can go to Waits.")


def test_chat_at_work_and_agents_are_use_and_an_unlisted_holder_is_not_judged(tmp_path: Any) -> None:
    users = [holder("chat"), holder("agents"), holder("unlisted"), user("waits", "SPE_E3")]
    rows = [row("chat", last="2026-07-01", chat="2026-10-25"), row("agents", agents="2026-10-28")]
    assert findings(tmp_path, doc(users, rows, ["id-waits"])) == {}


def test_a_seat_from_a_group_is_reduced_and_candidates_must_be_able_to_take_one(tmp_path: Any) -> None:
    users = [
        holder("pilot", via="g-pilot"),
        user("disabled", "SPE_E3", accountEnabled=False),
        user("bare"),  # no product: Copilot is an add-on
        holder("holds"),  # already holds Copilot (and uses it)
    ]
    rows = [row("pilot", last="2026-06-01"), row("holds", last="2026-10-30")]
    found = findings(tmp_path, doc(users, rows, ["id-disabled", "id-bare", "id-holds"]))
    assert list(found) == ["pilot@contoso.example"]
    assert dict(found["pilot@contoso.example"].details)["disposition"] == "reduce"
    assert dict(found["pilot@contoso.example"].details)["direct"] is False


def test_the_reduction_is_dated_by_the_subscription(tmp_path: Any) -> None:
    subscription = {
        "id": "sub-copilot",
        "commerceSubscriptionId": "c-copilot",
        "skuId": COPILOT_ID,
        "skuPartNumber": "Microsoft_365_Copilot",
        "status": "Enabled",
        "totalLicenses": 10,
        "isTrial": False,
        "createdDateTime": "2025-12-01T00:00:00Z",
        "nextLifecycleDateTime": "2026-12-01T00:00:00Z",
    }
    found = findings(tmp_path, doc([holder("idle")], [row("idle")], [], subscriptions=[subscription]))
    details = dict(found["idle@contoso.example"].details)
    assert details["disposition"] == "reduce" and details["reduce_from"] == "2026-12-01"


def test_a_snapshot_without_the_v2_columns_is_not_judged(tmp_path: Any) -> None:
    """A collection that read the report in version v1 carries no Chat or agent dates: a Chat user
    would read as idle, so the rule says it was not evaluated instead."""
    document = doc([holder("chat")], [row("chat", last="2026-07-01")], [])
    document["usageReports"]["reports"][0]["request"] = f"GET /copilot/reports/{COPILOT.name}(period='D90')"
    result = audit(tmp_path, POLICY, document)
    assert fired(result, CopilotSeatIdle.id) == []
    [why] = [n for n in result.not_evaluated if n.rule == CopilotSeatIdle.id]
    assert "in version v2" in why.reason


def test_use_in_any_column_of_the_report_is_use(tmp_path: Any) -> None:
    """Copilot Chat on the web, the Microsoft 365 Copilot app and Edge are the v2 report's own
    columns: a holder who uses only those (57 prompts, 21 days) is not idle; neither is one whose
    counts no column dates. Where a column dates the use, the date decides: counts over the
    report's 90 days beside a last use before the window leave the seat idle."""
    elsewhere = {
        "Copilot Chat (web) Last Activity Date": "2026-10-28",
        "Microsoft 365 Copilot Last Activity Date": "2026-10-28",
        "Edge Last Activity Date": "2026-10-28",
        "Prompts submitted for all apps": 57,
        "Active Usage Days for all apps": 21,
    }
    rows = [
        {**row("web", last="2026-08-01"), "copilotActivity": elsewhere},
        {**row("word"), "copilotActivity": {"Word Copilot Last Activity Date": "2026-10-20"}},
        {**row("counted"), "copilotActivity": {"Active Usage Days for all apps": 2}},
        {**row("before", last="2026-09-01"), "copilotActivity": {"Prompts submitted for all apps": 9}},
    ]
    users = [holder("web"), holder("word"), holder("counted"), holder("before")]
    found = findings(tmp_path, doc(users, rows, []))
    assert list(found) == ["before@contoso.example"]
    assert dict(found["before@contoso.example"].details)["last_activity"] == "2026-09-01"


@pytest.mark.parametrize(
    ("key", "value", "said"), [("columns", None, "with all its columns"), ("period", "D7", "for D90")]
)
def test_a_snapshot_without_the_reports_columns_or_its_period_is_not_judged(
    tmp_path: Any, key: str, value: str | None, said: str
) -> None:
    """A snapshot that did not keep the report's columns (collected before every date column was
    read) or whose period is shorter than the window would call a user of Copilot on the web idle."""
    document = doc([holder("web")], [row("web", last="2026-07-01")], [])
    read = document["usageReports"]["reports"][0]
    if value is None:
        del read[key]
    else:
        read[key] = value
    result = audit(tmp_path, POLICY, document)
    assert fired(result, CopilotSeatIdle.id) == []
    [why] = [n for n in result.not_evaluated if n.rule == CopilotSeatIdle.id]
    assert said in why.reason
