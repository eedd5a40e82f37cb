"""The sample tenant's dynamic and synced licensing groups, audited and planned through the CLI: no
change in plan.json touches them, and plan.md says for each waiting leaver what a person changes
instead (the membership rule, quoted and escaped, or the group in on-premises Active Directory)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.render.text import md_escape
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
AS_OF = "2026-11-01T06:00:00Z"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kinds")
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(SAMPLE),
                "--as-of",
                AS_OF,
                "--policies",
                str(ROOT / "examples" / "contoso-policy.yaml"),
                "--output-dir",
                str(out),
            ]
        )
        == 1
    )
    assert main(["plan", "--report-dir", str(out)]) == 0
    return out


def _groups() -> dict[str, object]:
    return {g.display_name: g for g in load_snapshot(SAMPLE).groups}


def test_no_change_touches_a_dynamic_or_synced_group(planned: Path) -> None:
    groups = _groups()
    locked = {g.id for g in groups.values() if g.dynamic or g.synced}  # type: ignore[attr-defined]
    assert len(locked) == 2
    plan = json.loads((planned / "plan.json").read_text(encoding="utf-8"))
    assert plan["changes"], "the sample plans other changes"
    assert not [c for c in plan["changes"] if c["group"] in locked or any(g in c["path"] for g in locked)]
    waiting = {s["subject"]: s for s in plan["skipped"] if s["rule"] == DisabledUserLicensed.id}
    assert waiting["Sales Leaver"]["reason"] == "group_dynamic"
    assert waiting["Visio Leaver"]["reason"] == "group_synced"


def test_the_wait_says_what_to_change_instead(planned: Path) -> None:
    rule = _groups()["Sales Analytics"].membership_rule  # type: ignore[attr-defined]
    assert rule == '(user.department -eq "Sales")'
    md = (planned / "plan.md").read_text(encoding="utf-8")
    assert "group_dynamic" not in md and "group_synced" not in md, "no raw reason keys"
    assert md_escape("the group is dynamic: change its membership rule (quoted in the step)") in md
    assert md_escape("the group is synced from on-premises Active Directory: change its members there") in md
    # the step beside it names the rule (tenant text, escaped) and where a synced group is changed
    assert md_escape(f'its membership rule "{rule}" makes Sales Leaver') in md
    assert md_escape("Remove Visio Leaver (visio.leaver@") in md and "from the group in Active Directory" in md
    report_md = (planned / "report.md").read_text(encoding="utf-8")
    assert md_escape(f'"{rule}"') in report_md  # tenant text, escaped like the rest
    # report.html, read rather than searched, leaves a fix only one finding has to report.md and
    # report.json: it names the leaver and what the plan waits for
    report_html = (planned / "report.html").read_text(encoding="utf-8")
    assert "sales.leaver@contoso.example" in report_html and "the group is dynamic" in report_html
    assert "remove Sales Leaver" not in md.lower()
