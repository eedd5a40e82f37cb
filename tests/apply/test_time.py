"""Time: apply refuses a plan older than --max-age, and re-checks the facts each change rests on
(a leaver still disabled, a guest still a guest, an inactive account still without a sign-in)
against the tenant as it is when the change runs. apply's clock is injected (conftest.apply_clock)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import build_parser, main
from auditor.data.model import TenantSnapshot, User
from auditor.plan.compile import WAIVER_LAPSED, ChangePlan, Skipped
from auditor.plan.write import plan_markdown
from auditor.rules.hygiene.accounts import DisabledUserLicensed, GuestLicensed, InactiveUserLicensed
from auditor.rules.waivers.waiver_expired import WaiverExpired
from auditor_dev.emulator import Reply, Request, error_document

from .conftest import (
    APPLY_NOW,
    BEN,
    E5,
    TENANT,
    apply_yes,
    assign,
    journal_lines,
    make_tenant,
    outcome_lines,
    run,
    write_plan,
)

# --- --max-age -----------------------------------------------------------------------------------


def _clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setattr("auditor.apply.run.clock", lambda: when)


@pytest.mark.parametrize("flags", [(), ("--yes",)])
def test_a_plan_older_than_seven_days_is_refused_before_any_read(
    tmp_path: Path,
    graph_for: Any,
    flags: tuple[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])], created_at="2026-10-25T06:00:00Z")
    _clock(monkeypatch, datetime(2026, 11, 1, 7, 0, tzinfo=UTC))  # 7 days 1 hour later
    assert run("apply", plan, graph, *flags) == 2
    err = capsys.readouterr().err
    assert (
        f"{plan}: created_at: the plan was created 2026-10-25T06:00:00Z, 7 days 1 hour ago, more than --max-age 7 days"
    ) in err
    assert "audit and plan again" in err
    assert graph.emulator.requests == [] and not list(tmp_path.glob("journal-*"))
    assert graph.direct(BEN) == {E5: ()}


def test_a_plan_within_the_age_is_applied(tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])], created_at="2026-10-25T06:00:00Z")
    _clock(monkeypatch, datetime(2026, 11, 1, 5, 59, tzinfo=UTC))  # 6 days 23 hours 59 minutes later
    assert run("apply", plan, graph, "--yes") == 0
    assert graph.direct(BEN) == {}


@pytest.mark.parametrize(("age", "code"), [("36h", 0), ("35h", 2), ("2", 0), ("1d", 2), ("2d", 0)])
def test_max_age_takes_days_or_hours(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, age: str, code: int
) -> None:
    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])], created_at="2026-10-30T19:00:00Z")
    _clock(monkeypatch, datetime(2026, 11, 1, 7, 0, tzinfo=UTC))  # 36 hours later
    assert run("apply", plan, graph, "--max-age", age) == code


@pytest.mark.parametrize("age", ["0", "7w", "-1", "1.5d", "", "d", "4000d"])
def test_a_max_age_that_is_no_duration_is_a_usage_error(age: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["apply", "plan.json", "--max-age", age])
    assert stop.value.code == 2
    assert "--max-age" in capsys.readouterr().err


def test_max_age_is_documented_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["apply", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--max-age AGE" in out and "(7d, 36h); default: 7d" in out


@pytest.mark.parametrize(
    ("created", "says"),
    [
        (None, "created_at: missing: the plan's age cannot be told, so it counts as older than --max-age"),
        ("yesterday", "created_at: 'yesterday' is not a UTC time (ISO 8601): the plan's age cannot be told"),
        ("2026-11-01T06:00:00", "is not a UTC time"),  # no offset: its moment is not known
        ("2026-11-02T07:00:00Z", "created_at: 2026-11-02T07:00:00Z is 1 day after now (2026-11-01T07:00:00Z)"),
    ],
)
def test_a_plan_whose_age_cannot_be_told_is_refused(
    tmp_path: Path, graph_for: Any, created: str | None, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])])
    doc = json.loads(plan.read_text(encoding="utf-8"))
    if created is None:
        del doc["created_at"]
    else:
        doc["created_at"] = created
    plan.write_text(json.dumps(doc), encoding="utf-8")
    assert run("apply", plan, graph, "--yes") == 2
    assert says in capsys.readouterr().err
    assert graph.writes() == [] and graph.direct(BEN) == {E5: ()}


# --- the facts a change rests on, end to end: audit -> plan -> the tenant changes -> apply ----------

LEO = "55555555-5555-4555-8555-555555555555"  # disabled: a leaver
GUS = "66666666-6666-4666-8666-666666666666"  # a guest
IDA = "77777777-7777-4777-8777-777777777777"  # no sign-in since January
POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: time, owner: it@contoso.example}
hygiene:
  disabled_users: {severity: high}
  guest_users: {severity: medium}
  inactive_users: {days: 90, severity: medium}
"""


def _tenant() -> TenantSnapshot:
    base = make_tenant()
    [ben] = [u for u in base.users if u.id == BEN]  # E5 directly: Teams, no mailbox or files

    def user(uid: str, name: str, **fields: Any) -> User:
        return ben.with_values(
            **{
                "id": uid,
                "user_principal_name": f"{name.lower()}@contoso.example",
                "display_name": name,
                "created_date_time": "2025-01-01T00:00:00Z",
                "last_successful_sign_in_date_time": "2026-10-20T00:00:00Z",
                **fields,
            }
        )

    users = (
        user(LEO, "Leo", account_enabled=False),
        user(GUS, "Gus", user_type="Guest"),
        user(IDA, "Ida", last_successful_sign_in_date_time="2026-01-05T00:00:00Z"),
    )
    return dataclasses.replace(base, users=users)


def _audit_and_plan(tmp_path: Path, graph: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    reports = tmp_path / "reports"
    assert (
        main(
            [
                "audit",
                "--policies",
                str(policy),
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--output-dir",
                str(reports),
                "--format",
                "json",
                "--graph-endpoint",
                graph.url,
                "--auth",
                "token",
            ]
        )
        == 1
    )
    assert main(["plan", "--report-dir", str(reports)]) == 0
    plan = json.loads((reports / "plan.json").read_text(encoding="utf-8"))
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    rules = {f["id"]: f["rule"] for f in report["findings"]}
    by_user = {c["user"]: ([rules[f] for f in c["findings"]], c["precondition"]) for c in plan["changes"]}
    assert by_user == {
        LEO: (
            [DisabledUserLicensed.id],
            [{"holds": E5, "how": "direct"}, {"account_enabled": False}, {"person": True}],
        ),
        GUS: ([GuestLicensed.id], [{"holds": E5, "how": "direct"}, {"user_type": "Guest"}]),
        IDA: (
            [InactiveUserLicensed.id],
            [{"holds": E5, "how": "direct"}, {"no_sign_in_within_days": 90}, {"person": True}],
        ),
    }
    return reports / "plan.json"


def test_each_change_runs_while_the_facts_it_rests_on_still_hold(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = graph_for(_tenant())
    plan = _audit_and_plan(tmp_path, graph, monkeypatch)
    assert apply_yes(plan, graph, tmp_path / "policy.yaml", tmp_path / "j.jsonl") == 0
    assert [(x["outcome"], x["note"]) for x in outcome_lines(tmp_path / "j.jsonl")] == [("done", "")] * 3
    assert graph.direct(LEO) == graph.direct(GUS) == graph.direct(IDA) == {}


def test_a_leaver_re_enabled_since_the_plan_keeps_everything(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(_tenant())
    plan = _audit_and_plan(tmp_path, graph, monkeypatch)
    # after the plan, before apply: the leaver is back, the guest was made a member, Ida signed in
    tenant = graph.emulator.tenant
    tenant.change_user(LEO, account_enabled=True)
    tenant.change_user(GUS, user_type="Member")
    tenant.change_user(IDA, last_successful_sign_in_date_time="2026-10-31T09:15:00Z")
    e5 = graph.consumed(E5)
    capsys.readouterr()
    assert apply_yes(plan, graph, tmp_path / "policy.yaml", tmp_path / "j.jsonl") == 0
    assert graph.writes() == []
    assert graph.direct(LEO) == graph.direct(GUS) == graph.direct(IDA) == {E5: ()} and graph.consumed(E5) == e5
    lines = {x["action"]["user"]: x for x in journal_lines(tmp_path / "j.jsonl")}
    assert {u: x["outcome"] for u, x in lines.items()} == {LEO: "skipped", GUS: "skipped", IDA: "skipped"}
    assert lines[LEO]["note"] == (
        "the account is enabled now (accountEnabled is true); the change rests on accountEnabled false"
    )
    assert lines[LEO]["before"]["accountEnabled"] is True
    assert lines[GUS]["note"] == "the account's userType is Member now; the change rests on userType Guest"
    assert lines[IDA]["note"] == (
        "the user signed in successfully at 2026-10-31T09:15:00Z, within the last 90 days "
        "(signInActivity); the change rests on no sign-in in that time"
    )
    assert lines[IDA]["before"]["lastSuccessfulSignIn"] == "2026-10-31T09:15:00Z"
    assert "0 of 3 change(s) applied, 3 skipped" in capsys.readouterr().out


def test_the_sign_in_window_is_counted_back_from_applys_clock(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sign-in within 90 days of the audit but not of apply's clock does not keep the license; one
    within 90 days of apply's clock does (Ida's, moved to 2026-08-10: 83 days before APPLY_NOW)."""
    graph = graph_for(_tenant())
    plan = _audit_and_plan(tmp_path, graph, monkeypatch)
    graph.emulator.tenant.change_user(IDA, last_successful_sign_in_date_time="2026-08-10T00:00:00Z")
    _clock(monkeypatch, APPLY_NOW)
    assert apply_yes(plan, graph, tmp_path / "policy.yaml", tmp_path / "j.jsonl") == 0
    notes = {x["action"]["user"]: x["note"] for x in outcome_lines(tmp_path / "j.jsonl")}
    assert notes[IDA].startswith("the user signed in successfully at 2026-08-10T00:00:00Z")
    _clock(monkeypatch, datetime(2026, 11, 8, 6, 0, tzinfo=UTC))  # 90 days after 2026-08-10 is 2026-11-08
    assert apply_yes(plan, graph, tmp_path / "policy.yaml", tmp_path / "k.jsonl") == 0
    outcomes = {x["action"]["user"]: x["outcome"] for x in outcome_lines(tmp_path / "k.jsonl")}
    assert outcomes == {LEO: "skipped", GUS: "skipped", IDA: "done"}  # the first run removed theirs
    assert graph.direct(IDA) == {}


# --- a waiver that expired less than 14 days ago --------------------------------------------------

OWNER_MD = "cio\\@<!-- -->contoso\\.example"  # as plan.md escapes it (no autolink)
WAIVERS = """\
waivers:
  - {rule: disabled-user-licensed, subject: leo@contoso.example, reason: handover, owner: cio@contoso.example,
     expires: 2026-10-19}
  - {rule: guest-licensed, subject: gus@contoso.example, reason: project, owner: pm@contoso.example,
     expires: 2026-10-18}
  - {rule: inactive-user-licensed, subject: ida@contoso.example, reason: sabbatical, owner: hr@contoso.example,
     expires: 2026-11-01}
"""


def test_a_waiver_expired_less_than_14_days_ago_gives_a_finding_but_no_change(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As of 2026-11-01: Leo's waiver expired 13 days ago (the finding is open, the plan leaves it to
    the waiver's owner), Gus's 14 days ago (planned as any finding), Ida's is still in force today."""
    graph = graph_for(_tenant())
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY + WAIVERS, encoding="utf-8")
    reports = tmp_path / "reports"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    assert (
        main(
            [
                "audit",
                "--policies",
                str(policy),
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--output-dir",
                str(reports),
                "--format",
                "json",
                "--graph-endpoint",
                graph.url,
                "--auth",
                "token",
            ]
        )
        == 1
    )
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    users = {f["subject"]["id"]: f for f in report["findings"] if f["subject"].get("type") == "user"}
    assert (users[LEO]["waived"], users[LEO]["waiver"]["owner"]) == (False, "cio@contoso.example")
    assert (users[GUS]["waived"], users[GUS]["waiver"]) == (False, None)
    assert users[IDA]["waived"] is True
    assert main(["plan", "--report-dir", str(reports)]) == 0
    plan = json.loads((reports / "plan.json").read_text(encoding="utf-8"))
    assert [c["user"] for c in plan["changes"]] == [GUS]
    # the waiver-expired findings (one per expired waiver) have no change to run: no_action
    assert sorted(s["reason"] for s in plan["skipped"] if s["rule"] == WaiverExpired.id) == ["no_action"] * 2
    [skipped] = [s for s in plan["skipped"] if s["rule"] != WaiverExpired.id]
    assert skipped == {
        "finding": users[LEO]["id"],
        "rule": DisabledUserLicensed.id,
        "reason": "waiver_recently_expired",
        "subject": "Leo",
        "description": "",
        "waiver": {"owner": "cio@contoso.example", "expires": "2026-10-19"},
    }
    text = (reports / "plan.md").read_text(encoding="utf-8")
    assert (
        "its waiver expired on Oct 19, 2026, less than 14 days ago\\: the waiver's owner, "
        f"{OWNER_MD}, renews it or lets the change go ahead \\(then plan again\\)"
    ) in " ".join(text.split())


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", f"the waiver's owner, {OWNER_MD}, renews it"),
        ("da", f"undtagelsens ejer, {OWNER_MD}, forlænger den"),
        ("nl", f"de eigenaar van de uitzondering, {OWNER_MD}, verlengt haar"),
        ("sv", f"undantagets ägare, {OWNER_MD}, förnyar det"),
        ("tr", f"muafiyetin sahibi {OWNER_MD}, onu yeniler"),
    ],
)
def test_plan_md_says_who_decides_in_each_language(locale: str, words: str) -> None:
    lapsed = Skipped(
        "f1",
        DisabledUserLicensed.id,
        WAIVER_LAPSED,
        "Leo",
        waiver={"owner": "cio@contoso.example", "expires": "2026-10-19"},
    )
    plan = ChangePlan(
        tenant_id=TENANT,
        tenant_name="Contoso",
        cloud="worldwide",
        locale=locale,
        report_generated_at="2026-11-01T06:00:00Z",
        currency="EUR",
        net_monthly=0.0,
        unpriced=(),
        changes=(),
        seats=(),
        stopped=None,
        skipped=(lapsed,),
    )
    text = " ".join(plan_markdown(plan, created_at="2026-11-01T06:30:00Z").split())
    assert words in text and "waiver_recently_expired" not in text


# --- the fact preconditions in plan.json ----------------------------------------------------------


@pytest.mark.parametrize(
    "cond",
    [
        {"account_enabled": "false"},
        {"account_enabled": None},
        {"user_type": ""},
        {"user_type": "Guest; DROP"},
        {"no_sign_in_within_days": 0},
        {"no_sign_in_within_days": True},
        {"no_sign_in_within_days": "90"},
        {"account_enabled": False, "user_type": "Guest"},
    ],
)
def test_a_fact_precondition_of_another_shape_is_refused(
    tmp_path: Path, graph_for: Any, cond: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5], precondition=[cond])])
    assert run("apply", plan, graph) == 2
    assert "changes[0].precondition[0]: " in capsys.readouterr().err and graph.emulator.requests == []


def test_a_sign_in_precondition_needs_auditlog_read_all(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(roles=("User.Read.All", "LicenseAssignment.ReadWrite.All"))
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5], precondition=[{"no_sign_in_within_days": 90}])])
    assert run("apply", plan, graph, "--yes") == 3
    assert "AuditLog.Read.All for reading signInActivity" in capsys.readouterr().err
    assert graph.writes() == []


def test_a_sign_in_graph_will_not_show_is_not_taken_as_none(tmp_path: Path, graph_for: Any) -> None:
    """Graph refusing signInActivity (no Entra ID P1, or the permission withdrawn): the change is
    skipped, not made on the guess that the user did not sign in."""

    def refuse(request: Request) -> Reply | None:
        if request.method == "GET" and "signInActivity" in request.query.get("$select", ""):
            return Reply(
                403,
                error_document(
                    "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                    "Neither tenant is B2C or tenant doesn't have premium license",
                ),
            )
        return None

    graph = graph_for(responders=[refuse])
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5], precondition=[{"no_sign_in_within_days": 90}])])
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 0
    [line] = outcome_lines(tmp_path / "j.jsonl")
    assert line["outcome"] == "skipped" and line["note"].startswith(
        f"the last sign-in could not be re-read (GET /users/{BEN}?$select=signInActivity answered 403): whether the "
        "user signed in within the last 90 days is not known"
    )
    assert graph.writes() == [] and graph.direct(BEN) == {E5: ()}
