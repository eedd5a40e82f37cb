"""The README, the docs and `--help` say the same thing as the tool: the sample's size, one default
for --concurrency, the age apply refuses by, and one name per option."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.cli import build_parser, main
from auditor.rules.entitlements.entitlement import EntitlementShort
from auditor.rules.seats.catalog import SpareSeatsOverLimit, SpareSeatsUnderMinimum
from auditor_dev.demo import sample_tenant

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text("utf-8")
CLI = (ROOT / "docs" / "cli.md").read_text("utf-8")
POLICY = (ROOT / "docs" / "policy.md").read_text("utf-8")


def _help(*command: str) -> str:
    parser = build_parser()
    for name in command:
        parser = next(a.choices[name] for a in parser._actions if isinstance(a.choices, dict) and name in a.choices)
    return " ".join(parser.format_help().split())


def test_the_readme_gives_the_sample_tenants_size() -> None:
    tenant = sample_tenant()
    found = re.search(r"\(Contoso, (\d+) users, (\d+) products\)", README)
    assert found, "the README lost the sample tenant's size"
    assert (int(found[1]), int(found[2])) == (len(tenant.users), len([s for s in tenant.skus if not s.deleted]))


def test_concurrency_has_one_default_everywhere() -> None:
    default = "as many partitions and member listings as the tenant's Graph budget allows"
    msp = " ".join((ROOT / "docs" / "msp.md").read_text("utf-8").split())
    assert default in _help("audit")
    row = next(line for line in CLI.splitlines() if line.startswith("| `--concurrency N`"))
    assert f"default: {default}" in row and not re.search(r"default \d", row)
    assert default in msp and "8 × 4" not in msp


def test_apply_says_it_refuses_by_the_age_of_the_tenant_data() -> None:
    text = _help("apply")
    assert "tenant data" in text and "plan created longer ago" not in text


def test_one_name_per_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "--email-to ADDR" in _help("email") and "--tenant-id ID" in _help("history")
    history = tmp_path / "history.jsonl"
    history.write_text("", "utf-8")
    assert main(["history", str(history), "--tenant-id", "contoso.example"]) == 0
    with pytest.raises(SystemExit) as exc:
        main(["email", "--report-dir", str(tmp_path)])
    assert exc.value.code == 2 and "--email-to" in capsys.readouterr().err


def test_the_renewal_files_are_said_to_come_only_with_a_renewal_within_60_days(tmp_path: Path) -> None:
    """docs/reports.md: the renewal forecast and its .ics files come only for a subscription renewing
    within 60 days; the demo has none, and writes none."""
    nightly = (ROOT / "docs" / "reports.md").read_text("utf-8")
    assert "| (always) |" not in nightly and "| a paid subscription renewing within 60 days |" in nightly
    assert main(["audit", "--demo", "--output-dir", str(tmp_path), "--format", "json"]) == 1
    assert not list(tmp_path.glob("renewal-*.ics"))


def test_the_readmes_example_policy_audits_the_sample_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/policy.md's whole policy example (once the README's) names only groups and products the
    sample holds: it validates without a warning about them, and audits the sample complete (it named a
    "Partner Analysts" group the sample lacks, so the run exited 3, and a licensing group "E3 Users" no
    group matches)."""
    (block,) = re.findall(r"<!-- example: policy -->\n```yaml\n(.*?)```", POLICY, re.S)
    policy = tmp_path / "readme-policy.yaml"
    policy.write_text(block, "utf-8")
    sample = str(ROOT / "auditor_dev" / "sample" / "sample-tenant.json")
    assert main(["validate", str(policy), "--snapshot", sample]) == 0
    assert "warning" not in capsys.readouterr().err
    run = ["audit", "--snapshot", sample, "--as-of", "2026-11-01T06:00:00Z", "--policies", str(policy)]
    assert main([*run, "--output-dir", str(tmp_path / "r"), "--format", "json"]) == 1
    said = capsys.readouterr().err
    assert "INCOMPLETE" not in said and "matches no group" not in said


def test_the_readmes_same_tenant_from_the_file_is_the_demos_run_but_the_bill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README's "same tenant from the file" command, as written, gives the demo's findings and
    totals, and no bill, as the README says (it lacked --policies, so it found no policy); the three
    findings the bill informs read differently, and the README names each (issue 99, point 13: it
    said "the same findings and amounts")."""
    import json
    import shlex

    (line,) = [x for x in README.splitlines() if x.startswith(".venv/bin/license-auditor audit --snapshot ")]
    command = shlex.split(line)[1:]
    said = " ".join(README.split())
    assert "The same tenant from the file, without a bill" in said
    assert "same findings and amounts" not in said
    monkeypatch.chdir(ROOT)  # the README's paths are the clone's
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main([*command, "--output-dir", str(tmp_path / "file"), "--format", "json"]) == 1
    assert main(["audit", "--demo", "--output-dir", str(tmp_path / "demo"), "--format", "json"]) == 1
    file, demo = (json.loads((tmp_path / d / "report.json").read_text("utf-8")) for d in ("file", "demo"))
    assert [f["id"] for f in file["findings"]] == [f["id"] for f in demo["findings"]]
    assert file["money"]["bill"]["leaves"] == [] and demo["money"]["bill"]["leaves"]
    assert {k: v for k, v in file["money"].items() if k != "bill"} == {
        k: v for k, v in demo["money"].items() if k != "bill"
    }
    # the findings whose amount or summary the bill changes, each as the README gives it
    pairs = [(a, b) for a, b in zip(file["findings"], demo["findings"], strict=True)]
    costs = {
        (a["rule"], a["subject"]["id"]): (a["monthly_cost"], b["monthly_cost"])
        for a, b in pairs
        if a["monthly_cost"] != b["monthly_cost"]
    }
    assert costs == {
        (SpareSeatsOverLimit.id, "06ebc4ee-1bb5-47dd-8120-11324bc54e06"): (164.25, 383.25),  # Microsoft 365 E5
        (EntitlementShort.id, "entitlement-p2"): (8.4, 16.8),
        (EntitlementShort.id, "entitlement-governance"): (13.2, 39.6),
    }
    for rule, (alone, billed) in costs.items():
        assert f"€{alone:.2f}" in said and f"€{billed:.2f}" in said, rule
    told = {a["rule"] for a, b in pairs if a["remediation"] != b["remediation"]}
    assert told == {SpareSeatsOverLimit.id, EntitlementShort.id, SpareSeatsUnderMinimum.id}
    e5 = next(a for a, _ in pairs if a["rule"] == SpareSeatsOverLimit.id)
    quoted = "reduce the subscription by 3 licenses at its renewal on Mar 18, 2027"
    assert quoted in e5["remediation"]["summary"] and f'"{quoted}"' in said
