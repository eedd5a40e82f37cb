"""`license-auditor init`: a starter policy for the tenant read, that validates and audits as written."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml

from auditor.cli import main
from auditor.data.model import Locale
from auditor.policyset.load import load_policies
from auditor.policyset.starter import starter_policy
from auditor.rules import RULES
from auditor.rules.seats import SkuNotApproved, SpareSeatsOverLimit
from auditor.rules.usage.activity import Rightsize
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
TARGET = ROOT / "auditor_dev" / "sample" / "target-tenant.json"  # another tenant (Fabrikam)
AS_OF = "2026-11-01T06:00:00Z"


def shipped(folder: str) -> list[str]:
    """The files of `folder` the repository ships (git's, not the working tree's: following the
    README, `init --demo` writes policies/license-policy.yaml into the clone); the folder's files
    when the tree is no git clone (an unpacked source archive)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", folder], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return sorted(str(p.relative_to(ROOT)) for p in (ROOT / folder).iterdir())
    return sorted(name for name in listed.split("\0") if name)


def test_the_starter_approves_every_product_and_audits_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--snapshot", str(SAMPLE)]) == 0
    written = tmp_path / "policies" / "license-policy.yaml"
    assert (tmp_path / "policies" / "license-policy.schema.json").is_file()
    policy = yaml.safe_load(written.read_text("utf-8"))
    tenant = load_snapshot(SAMPLE)
    live = {s.sku_part_number for s in tenant.skus if not s.deleted}
    catalog = {entry["sku"]: entry for entry in policy["catalog"]}
    assert set(catalog) == live
    e3 = next(s for s in tenant.skus if s.sku_part_number == "SPE_E3")
    assert catalog["SPE_E3"]["spare_seats"] == {"max": max(2, -(-e3.usable * 5 // 100))}
    assert catalog["FLOW_FREE"] == {"sku": "FLOW_FREE", "free": True}
    assert not any("price" in entry for entry in catalog.values())  # prices are the admin's to give
    assert "# price: {monthly: 0.00, currency: EUR}" in written.read_text("utf-8")
    assert policy["hygiene"]["disabled_users"] == {"severity": "high", "grace_days": 30}
    # the sample holds accounts that are not people: the kinds found, and their rules switched on
    text = written.read_text("utf-8")
    assert "(shared: 2, room: 1, resource: 2, teams_rooms: 1, agent: 2); docs/account-kinds.md" in text
    assert policy["hygiene"]["resource_accounts"] == policy["hygiene"]["agent_users"] == {"severity": "medium"}
    assert "#     except: {kinds: [resource, teams_rooms, agent]}" in text

    assert main(["audit", "--snapshot", str(SAMPLE), "--as-of", AS_OF, "--output-dir", "out", "--format", "json"]) in (
        0,
        1,
    )
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    rules = {f["rule"] for f in report["findings"]}
    assert SkuNotApproved.id not in rules  # everything the tenant buys is in the catalog
    assert report["config_problems"] == []
    # the limits the starter set are the ones judged: only products over 5 % (at least 2) unassigned
    over = {f["skus"][0] for f in report["findings"] if f["rule"] == SpareSeatsOverLimit.id}
    assert over and over <= {
        s.sku_part_number
        for s in tenant.skus
        if not s.deleted
        and s.applies_to == "User"
        and "FREE" not in s.sku_part_number
        and s.unused > max(2, -(-s.usable * 5 // 100))
    }


def test_init_keeps_an_existing_policy_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "mine.yaml"
    target.write_text("# mine\n", "utf-8")
    assert main(["init", "--snapshot", str(SAMPLE), "--output", str(target)]) == 2
    assert "--force" in capsys.readouterr().err and target.read_text("utf-8") == "# mine\n"
    assert main(["init", "--snapshot", str(SAMPLE), "--output", str(target), "--force"]) == 0
    assert "apiVersion: license-auditor/v1" in target.read_text("utf-8")


def test_init_reads_the_tenant_through_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = load_snapshot(SAMPLE)
    token = app_token(tenant.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    with GraphEmulator(tenant, token=token) as graph:
        assert (
            main(
                [
                    "init",
                    "--graph-endpoint",
                    graph.url,
                    "--tenant-id",
                    tenant.tenant_id,
                    "--auth",
                    "token",
                    "--output",
                    str(tmp_path / "p.yaml"),
                ]
            )
            == 0
        )
        assert any(r.path == "/subscribedSkus" for r in graph.requests)
    text = (tmp_path / "p.yaml").read_text("utf-8")
    assert "from Microsoft Graph" in text and "  - sku: SPE_E3" in text


def test_without_policies_audit_names_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "--snapshot", str(SAMPLE)]) == 2
    err = capsys.readouterr().err
    assert "policies does not exist" in err and "license-auditor init" in err


def _printed_audit(err: str) -> list[str]:
    """The audit command `init` prints after "read it, then: "."""
    command = err.rsplit("read it, then: ", 1)[1].strip()
    words = shlex.split(command)
    assert words[:2] == ["license-auditor", "audit"], command
    return words[2:]


@pytest.mark.parametrize("source", ["--demo", "--snapshot"])
def test_a_first_policy_leads_to_an_audit_of_the_tenant_it_was_written_for(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh clone: the repository's policies/ folder as shipped (the default of audit and of the
    workflows), init writes a first policy into it, and the command init prints audits the tenant it
    read with that policy alone: no other tenant's rules, no name clash, a complete report."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    for name in shipped("policies"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    tenant = ["--demo"] if source == "--demo" else ["--snapshot", str(TARGET)]
    assert main(["init", *tenant]) == 0
    audit = _printed_audit(capsys.readouterr().err)
    assert main(["audit", *audit, "--format", "json", "--as-of", AS_OF]) in (0, 1)
    report = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    name = load_snapshot(SAMPLE if source == "--demo" else TARGET).tenant_name
    assert report["tenant"]["name"] == name
    assert report["policies"] == [f"{name.lower()}-baseline"]
    assert report["complete"] is True and report["config_problems"] == []


def test_the_policies_folder_ships_without_a_policy_of_its_own() -> None:
    """policies/ is where an admin's own policies go: the Contoso example lives in examples/, so
    audit's default never applies the sample tenant's rules to a real one."""
    assert shipped("policies") == ["policies/license-policy.schema.json"]
    assert load_policies([ROOT / "examples"]).policies[0].name == "contoso-baseline"


def test_the_starter_names_only_rules_that_exist() -> None:
    text = starter_policy(load_snapshot(SAMPLE), source="a test", today=date(2026, 11, 1))
    named = set(re.findall(r"-> ([a-z0-9-]+)", text))
    assert SpareSeatsOverLimit.id in named
    assert named <= {rule.id for rule in RULES}, named - {rule.id for rule in RULES}


def test_the_example_keeps_e5_for_anyone_who_may_use_what_only_e5_adds() -> None:
    """examples/contoso-policy.yaml is copied by admins: its E5-to-E3 rightsizing names every
    workload E5 adds over E3 (Teams Phone, Audio Conferencing, Power BI Pro, Defender, Purview), not
    the few that make the demo's savings largest."""
    policy = yaml.safe_load((ROOT / "examples" / "contoso-policy.yaml").read_text("utf-8"))
    (entry,) = [u for u in policy["usage"] if u.get(Rightsize.key) == {"from": "SPE_E5", "to": "SPE_E3"}]
    assert set(entry["unless_active"]) == {"teams_phone", "audio_conferencing", "power_bi", "defender", "purview"}


@pytest.mark.parametrize("locale", ["nl", "da", "sv", "tr"])
def test_init_writes_its_comments_and_the_reports_language_in_the_locale(
    locale: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--snapshot", str(SAMPLE), "--locale", locale]) == 0
    text = (tmp_path / "policies" / "license-policy.yaml").read_text("utf-8")
    english = starter_policy(load_snapshot(SAMPLE), source="x", today=date(2026, 11, 1))
    said = ("Every line is a choice", "more unassigned seats", "your price per seat", "who answers for this policy")
    assert all(phrase in english for phrase in said)
    assert not any(phrase in text for phrase in said)
    assert "-> spare-seats-over-limit" in text and "-> disabled-user-licensed" in text  # the rule ids stay
    assert load_policies([tmp_path / "policies"]).locale == Locale(locale)


def test_one_seat_is_said_in_the_singular() -> None:
    text = starter_policy(load_snapshot(TARGET), source="a test", today=date(2026, 11, 1))
    assert "# Exchange Online (Plan 1): 1 seat, 0 assigned" in text and "1 seats" not in text


def test_the_starter_offers_the_entitlement_features_commented(tmp_path: Path) -> None:
    """Every feature reads with a permission the admin grants first: the section is commented, each feature
    that reads with a permission of its own names it, and uncommented it is a policy the loader accepts."""
    text = starter_policy(load_snapshot(SAMPLE), source="a test", today=date(2026, 11, 1))
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("# entitlements:"))
    end = next(n for n in range(start, len(lines)) if "]" in lines[n].split("#")[1])
    block = lines[start : end + 1]
    assert "needs DeviceManagementManagedDevices.Read.All" in block[2] and "AzureADGroup" in block[-2]
    assert "--exchange-export" in block[-1]  # Defender for Office 365: the Exchange export's protection rules
    uncommented = text + "\n".join(line[2:] for line in block) + "\n"
    path = tmp_path / "p.yaml"
    path.write_text(uncommented)
    (policy,) = load_policies([str(path)]).policies
    assert policy.entitlements is not None and len(policy.entitlements.features) == 11
