"""The sample tenant audited with a data_kept declaration on disabled_users, then planned, through
the CLI: every leaver's removals are ready, each recording the declaration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
AS_OF = "2026-11-01T06:00:00Z"
# the example policy declares the leavers' data kept; PLAIN is the same entry without the declaration
EXAMPLE = (
    "  disabled_users:                               # -> disabled-user-licensed\n"
    "    severity: high\n"
    "    # licenses stay 30 days after the account was disabled: a leaver's manager can still ask for\n"
    "    # the mail, and a mistaken disable is undone before anything is lost (docs/policy.md)\n"
    "    grace_days: 30\n"
    "    # the retention policy keeps leavers' mail and files, so their licenses may go (docs/policy.md)\n"
    "    data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, "
    "expires: 2027-06-30}\n"
)
# the example's entry without grace_days (the declaration alone), and without either
DECLARED = (
    "  disabled_users:\n    severity: high\n"
    "    data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, "
    "expires: 2027-06-30}\n"
)
PLAIN = "  disabled_users: {severity: high}\n"


def _audit_and_plan(tmp_path: Path, entry: str) -> dict:
    tmp_path.mkdir()
    policy = (ROOT / "examples" / "contoso-policy.yaml").read_text(encoding="utf-8")
    assert EXAMPLE in policy
    (tmp_path / "policy.yaml").write_text(policy.replace(EXAMPLE, entry), encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(SAMPLE),
                "--as-of",
                AS_OF,
                "--policies",
                str(tmp_path / "policy.yaml"),
                "--output-dir",
                str(out),
                "--format",
                "json",
            ]
        )
        == 1
    )
    assert main(["plan", "--report-dir", str(out)]) == 0
    return json.loads((out / "plan.json").read_text(encoding="utf-8"))


def test_leavers_whose_data_is_declared_kept_are_planned_ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    before = _audit_and_plan(tmp_path / "plain", PLAIN)
    after = _audit_and_plan(tmp_path / "declared", DECLARED)
    rule = DisabledUserLicensed.id
    # a leaver whose licenses come from a dynamic or synced group waits whatever the declaration:
    # no call changes that group's members (its rule, or on-premises Active Directory, does)
    by_group = {s["finding"]: s["reason"] for s in after["skipped"] if s["rule"] == rule}
    assert set(by_group.values()) == {"group_dynamic", "group_synced"}, after["skipped"]
    waiting = {s["finding"] for s in before["skipped"] if s["rule"] == rule} - by_group.keys()
    assert waiting, "without the declaration the sample's leavers wait"
    declared = [c for c in after["changes"] if c.get("data_kept")]
    assert waiting <= {fid for c in declared for fid in c["findings"]}
    for c in declared:
        [record] = c["data_kept"]
        assert record["accepted_by"] == "cio@contoso.example" and record["expires"] == "2027-06-30"
        assert set(record["kinds"]) <= {"mailbox", "archive", "files"} and record["mailbox"] == "retention"
    assert len(after["changes"]) > len(before["changes"])
    assert after["net_monthly"] > before["net_monthly"]  # it saves more


def test_the_example_policy_holds_a_recent_leaver_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/contoso-policy.yaml is advice to copy: a leaver disabled six days before the audit keeps its
    licenses until grace_days (30) have passed, and inactive (enabled) accounts declare nothing kept."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    plan = _audit_and_plan(tmp_path / "example", EXAMPLE)
    waits = {
        s["subject"]: (s["reason"], s.get("not_before"))
        for s in plan["skipped"]
        if s["rule"] == DisabledUserLicensed.id
    }
    assert waits["Leaver In Audit"] == ("grace_period", "2026-11-25")
    declared = {fid for c in plan["changes"] if c.get("data_kept") for fid in c["findings"]}
    inactive = {s["finding"] for s in plan["skipped"] if s["rule"] == InactiveUserLicensed.id}
    assert inactive and not inactive & declared
    policy = (ROOT / "examples" / "contoso-policy.yaml").read_text(encoding="utf-8")
    section = policy.split("  inactive_users:", 1)[1].split("\n  guest_users", 1)[0]
    assert "data_kept" not in section.replace("# no data_kept here", "")
