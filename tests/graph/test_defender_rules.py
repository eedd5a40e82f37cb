"""Defender for Office 365 (`entitlements: {features: [defender_office]}`): who the Safe Links, Safe Attachments,
anti-phishing and preset policy rules reach, read from the Exchange export's protection-rules.csv beside
mailboxes.csv (docs/exchange-export.md), through `audit --exchange-export` on the sample tenant."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from auditor.cli import main
from auditor.data.enums import AccountKind
from auditor.data.exchange_export import COLUMNS as MAILBOX_COLUMNS
from auditor.data.protection_rules import COLUMNS, PROTECTION_RULES
from auditor.rules.entitlements.entitlement import EntitlementMissing
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
POLICY = """apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: p}
catalog:
  - {sku: SPE_E3, price: {monthly: 36.0, currency: EUR}}
  - {sku: ATP_ENTERPRISE, price: {monthly: 2.0, currency: EUR}}
entitlements: {features: [defender_office]}
"""


def _tenant(tmp_path: Path) -> tuple[Path, str, str, str]:
    """The sample without its protection rules (as a live read, which never holds them), the id of the enabled
    member holding no product, of an E3 holder (E3 carries ATP_ENTERPRISE), and the tenant's domain."""
    raw = json.loads(SAMPLE.read_text("utf-8"))
    raw["accessScope"].pop(PROTECTION_RULES)
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(raw), "utf-8")
    users = sorted(load_snapshot(path).users, key=lambda u: u.user_principal_name)
    bare = next(
        u
        for u in users
        if u.account_enabled and u.user_type == "Member" and not u.sku_ids and u.kind is AccountKind.PERSON
    )
    e3 = next(u for u in users if any(s.startswith("05e9a617") for s in u.sku_ids))
    return path, bare.id, e3.id, bare.user_principal_name.rpartition("@")[2]


def _export(folder: Path, rules: list[dict[str, str]] | None) -> Path:
    """mailboxes.csv (its header: no mailbox needed here) and, unless None, protection-rules.csv beside it."""
    folder.mkdir(exist_ok=True)
    mailboxes = folder / "mailboxes.csv"
    mailboxes.write_text(",".join(MAILBOX_COLUMNS) + "\n", "utf-8")
    if rules is not None:
        with (folder / "protection-rules.csv").open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.DictWriter(f, COLUMNS, quoting=csv.QUOTE_ALL)
            writer.writeheader()
            for rule in rules:
                writer.writerow({c: rule.get(c, "") for c in COLUMNS})
    return mailboxes


def _audit(tmp_path: Path, tenant: Path, export: Path) -> tuple[int, dict[str, Any]]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    out = tmp_path / "out"
    code = main(
        [
            "audit",
            "--snapshot",
            str(tenant),
            "--policies",
            str(policy),
            "--exchange-export",
            str(export),
            "--output-dir",
            str(out),
            "--format",
            "json",
            "--as-of",
            "2026-11-01T06:00:00Z",
        ]
    )
    return code, json.loads((out / "report.json").read_text("utf-8"))


def _reached(report: dict[str, Any]) -> dict[str, list[str]]:
    return {
        f["subject"]["id"]: f["details"]["via"]["defender_office"]
        for f in report["findings"]
        if f["rule"] == EntitlementMissing.id and "defender_office" in f["details"]["features"]
    }


def test_a_safe_links_rule_reaching_a_user_without_the_plan_is_found(tmp_path: Path) -> None:
    tenant, bare, e3, domain = _tenant(tmp_path)
    rules = [
        {"Cmdlet": "Get-SafeLinksRule", "Name": "Safe Links", "State": "Enabled", "SentTo": f"{bare};{e3}"},
        # conditions of different kinds are ANDed: the user is sent to, but not in this domain
        {
            "Cmdlet": "Get-SafeAttachmentRule",
            "Name": "Attachments elsewhere",
            "State": "Enabled",
            "SentTo": bare,
            "RecipientDomainIs": "elsewhere.example",
        },
        # a disabled rule reaches nobody; an exception takes the user out of the domain's rule
        {"Cmdlet": "Get-AntiPhishRule", "Name": "Off", "State": "Disabled", "SentTo": bare},
        {
            "Cmdlet": "Get-ATPProtectionPolicyRule",
            "Name": "Standard Preset Security Policy",
            "State": "Enabled",
            "RecipientDomainIs": domain,
            "ExceptIfSentTo": bare,
        },
    ]
    code, report = _audit(tmp_path, tenant, _export(tmp_path / "export", rules))
    assert code == 1
    reached = _reached(report)
    # the E3 holder carries ATP_ENTERPRISE; the user without a product is reached by the Safe Links rule only (the
    # preset's exception takes it out); the domain's other users without Plan 1 are the preset's
    assert reached.pop(bare) == ["Safe Links"] and e3 not in reached
    assert reached and {name for names in reached.values() for name in names} == {"Standard Preset Security Policy"}
    finding = next(f for f in report["findings"] if f["subject"]["id"] == bare)
    assert finding["details"]["needs"] == "defender_office"
    assert finding["details"]["entitle_with"]["sku"] == "ATP_ENTERPRISE"  # the cheapest product carrying Plan 1
    assert not [g for g in report["gaps"] if g["part"] == PROTECTION_RULES]


def test_an_export_without_the_rules_is_a_named_gap_not_compliant(tmp_path: Path) -> None:
    tenant, *_ = _tenant(tmp_path)
    code, report = _audit(tmp_path, tenant, _export(tmp_path / "export", None))
    (gap,) = [g for g in report["gaps"] if g["part"] == PROTECTION_RULES]
    assert "protection-rules.csv" in gap["reason"] and "Get-SafeLinksRule" in gap["request"]
    assert _reached(report) == {} and report["complete"] is False
    assert code != 0


def test_a_rule_naming_a_user_by_name_stops_the_run(tmp_path: Path) -> None:
    tenant, *_ = _tenant(tmp_path)
    rules = [{"Cmdlet": "Get-SafeLinksRule", "Name": "By name", "State": "Enabled", "SentTo": "Adele Vance"}]
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    export = _export(tmp_path / "export", rules)
    args = ["audit", "--snapshot", str(tenant), "--policies", str(policy), "--exchange-export", str(export)]
    assert main([*args, "--output-dir", str(tmp_path / "out")]) == 2


def test_a_rule_naming_a_group_not_read_is_a_named_gap(tmp_path: Path) -> None:
    tenant, *_ = _tenant(tmp_path)
    unknown = "0f0f0f0f-0000-4000-8000-000000000001"
    rules = [{"Cmdlet": "Get-AntiPhishRule", "Name": "VIPs", "State": "Enabled", "SentToMemberOf": unknown}]
    _, report = _audit(tmp_path, tenant, _export(tmp_path / "export", rules))
    (gap,) = [g for g in report["gaps"] if g["part"] == PROTECTION_RULES]
    assert gap["request"] == "Get-AntiPhishRule VIPs" and unknown in gap["reason"]
    assert _reached(report) == {}


def test_the_demo_export_is_the_sample_tenants_rules() -> None:
    """auditor_dev/sample/exchange/protection-rules.csv (what `audit --demo` reads) holds the rules the sample
    tenant's snapshot keeps (auditor_dev/sample/access.py), so the two never drift apart."""
    from auditor.data.protection_rules import read_protection_rules

    scope = load_snapshot(SAMPLE).access_scope
    assert scope is not None and scope.protection_rules
    assert read_protection_rules(SAMPLE.parent / "exchange" / "protection-rules.csv") == scope.protection_rules


# --- RecipientDomainIs: the recipient's mail domains, not its user principal name's ---------------------------

MAIL_DOMAIN = "fabrikam.example"
DOMAIN_RULES = [
    {"Cmdlet": "Get-SafeLinksRule", "Name": "Fabrikam mail", "State": "Enabled", "RecipientDomainIs": MAIL_DOMAIN},
    {"Cmdlet": "Get-AntiPhishRule", "Name": "Contoso mail", "State": "Enabled", "RecipientDomainIs": "contoso.example"},
]


def _reached_by_domain(report: dict[str, Any], uid: str) -> list[str]:
    return _reached(report).get(uid, [])


def test_a_domain_rule_reaches_the_mail_domains_not_the_user_principal_names(tmp_path: Path) -> None:
    """Microsoft: RecipientDomainIs "looks for recipients with email address in the specified domains". A user
    signing in as ...@contoso.example whose mail addresses are all at fabrikam.example (proxyAddresses' SMTP ones,
    the prefix in either case; a SIP address is none) is reached by the fabrikam rule, not by the contoso one."""
    tenant, bare, _, domain = _tenant(tmp_path)
    assert domain == "contoso.example"
    raw = json.loads(tenant.read_text("utf-8"))
    [user] = [u for u in raw["users"] if u["id"] == bare]
    local = user["userPrincipalName"].partition("@")[0]
    user["mail"] = f"{local}@{MAIL_DOMAIN}"
    user["proxyAddresses"] = [
        f"SMTP:{local}@Fabrikam.example",
        f"smtp:{local}.alias@{MAIL_DOMAIN}",
        f"SIP:{local}@{domain}",
    ]
    tenant.write_text(json.dumps(raw), "utf-8")
    _, report = _audit(tmp_path, tenant, _export(tmp_path / "export", DOMAIN_RULES))
    assert _reached_by_domain(report, bare) == ["Fabrikam mail"]
    others = {name for uid, names in _reached(report).items() if uid != bare for name in names}
    assert others == {"Contoso mail"}  # the users whose mail is at their user principal name's domain


def test_the_collector_reads_the_mail_addresses_a_domain_rule_is_matched_against(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Through the real collector against the emulator: a policy judging Defender for Office 365 selects the
    users' mail and proxyAddresses, which the emulator serves, and the reach follows the mail domain; the
    snapshot the audit saves keeps the domain (mailDomains), so an audit of that file reaches the same users."""
    import dataclasses

    from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

    snapshot = load_snapshot(SAMPLE)
    scope = snapshot.access_scope
    assert scope is not None
    bare = next(
        u
        for u in sorted(snapshot.users, key=lambda u: u.user_principal_name)
        if u.account_enabled and u.user_type == "Member" and not u.sku_ids and u.kind is AccountKind.PERSON
    )
    users = [u.with_values(mail_domains=(MAIL_DOMAIN,)) if u.id == bare.id else u for u in snapshot.users]
    live = dataclasses.replace(snapshot, users=users, access_scope=dataclasses.replace(scope, protection_rules=None))
    token = app_token(live.tenant_id, DEMO_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("AZURE_TENANT_ID", live.tenant_id)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    export = _export(tmp_path / "export", DOMAIN_RULES)
    saved = tmp_path / "saved.json"
    with GraphEmulator(live, token=token) as graph:
        argv = ["audit", "--policies", str(policy), "--exchange-export", str(export), "--format", "json"]
        conn = ["--graph-endpoint", graph.url, "--auth", "token", "--save-snapshot", str(saved)]
        main([*argv, "--output-dir", str(tmp_path / "out"), "--as-of", "2026-11-01T06:00:00Z", *conn])
        selects = [r.query.get("$select", "").split(",") for r in graph.requests if r.path == "/users"]
    listed = [fields for fields in selects if "userPrincipalName" in fields]
    assert listed and all("mail" in fields and "proxyAddresses" in fields for fields in listed)
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert _reached_by_domain(report, bare.id) == ["Fabrikam mail"]
    [kept] = [u for u in json.loads(saved.read_text("utf-8"))["users"] if u["id"] == bare.id]
    assert kept["mailDomains"] == [MAIL_DOMAIN]
    (tmp_path / "again").mkdir()
    _, again = _audit(tmp_path / "again", saved, export)
    assert _reached_by_domain(again, bare.id) == ["Fabrikam mail"]
