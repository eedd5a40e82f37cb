"""licensed-users.csv, the license list an MSP checks a customer's bill against (issue 77, point 1),
and the per-product summary the report and the digest end with.

The list is tested on the Graph emulator against the tenant it serves (`audit --demo` reads the
bundled sample through it): every licensed account once, the products by their names, the groups by
their names, and the summary adding up to the tenant's consumedUnits."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.enums import AccountKind
from auditor.data.model import SeatRow
from auditor.reference import product_names
from auditor.report import licensed_users
from auditor.report.licensed_users import COLUMNS, account_kind
from auditor.snapshot import snapshot_from_json
from auditor_dev import demo
from tests.core.factory import E3, E5, sku, tenant, user
from tests.demo_runs import DemoRuns

IN_USE = re.compile(r"^(?:- )?(.+?)\\?: ([\d,]+)(?: of ([\d,]+))? in use(?:[;,] .+)?$")


def _table(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, as findings.csv: Excel reads it so
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


@pytest.fixture(scope="module")
def demo_run(demo_runs: DemoRuns) -> Path:
    """The session's `audit --demo --output-dir one --fail-on never` (exit 0), read-only."""
    return demo_runs.single()


def test_every_licensed_account_of_the_tenant_once_with_its_products_and_groups(demo_run: Path) -> None:
    sample = demo.sample_tenant()  # what the emulator serves
    rows = _table(demo_run / "licensed-users.csv")
    licensed = {u.user_principal_name: u for u in sample.users if u.profile.assigned_licenses}
    upns = [r["user_principal_name"] for r in rows]
    assert len(upns) == len(set(upns)) and set(upns) == set(licensed)  # every licensed account, once
    names = product_names()
    groups = {g.id.lower(): g.display_name for g in sample.groups}
    parts = {s.sku_part_number for s in sample.skus}
    for row in rows:
        account = licensed[row["user_principal_name"]]
        assert row["tenant"] == "Contoso" and row["kind"] == account.kind.value
        assert row["display_name"] == account.display_name
        assert row["enabled"] == ("true" if account.profile.account_enabled else "false")
        products = row["products"].split("; ")
        assert len(products) == len({a.sku_id for a in account.profile.assigned_licenses})
        assert not parts & set(products)  # names, never the part numbers
        expected_groups = {
            groups[s.assigned_by_group.lower()]
            for s in account.profile.license_assignment_states
            if s.assigned_by_group and s.sku_id in {a.sku_id for a in account.profile.assigned_licenses}
        }
        assert set(row["assigned_by"].split("; ")) - {"direct", ""} == expected_groups
    e3 = next(r for r in rows if r["user_principal_name"] == "ceo@contoso.example")
    assert "Microsoft 365 E3" in e3["products"] and names.product(sku_id=E3) == "Microsoft 365 E3"
    assert e3["assigned_by"] == "direct; All Office Staff" and e3["last_sign_in"] == "2026-10-29"
    assert e3["monthly_cost"] == "88.50"  # E3 33.75 + E5 54.75, the example policy's prices
    # each product's rows add up to its consumedUnits, as the tenant counts them
    held = Counter(p for r in rows for p in r["products"].split("; "))
    consumed = {s.sku_id: s.consumed_units for s in sample.skus if s.consumed_units}
    for sku_id, units in consumed.items():
        name = next(s.name for s in _seats(demo_run) if s.sku_id == sku_id)
        assert held[name] == units, name


def _seats(out: Path) -> list[SeatRow]:
    import json

    return [
        SeatRow(
            sku=s["sku"],
            sku_id=s["sku_id"],
            enabled=s["enabled"],
            suspended=0,
            warning=0,
            locked_out=0,
            consumed=s["consumed"],
            unused=0,
            capability_status="",
            free=False,
            price_monthly=None,
            currency=None,
            unused_monthly_cost=None,
            name=s.get("name") or s["sku"],
        )
        for s in json.loads((out / "report.json").read_text("utf-8"))["skus"]
    ]


@pytest.mark.parametrize("name", ["digest.txt", "report.md"])
def test_the_report_and_the_digest_end_with_the_products_in_use(demo_run: Path, name: str) -> None:
    text = (demo_run / name).read_text("utf-8")
    tail = text[text.rindex("Licenses in use") :]
    lines = [m.groups() for line in tail.splitlines() if (m := IN_USE.match(line.strip()))]
    sample = demo.sample_tenant()
    assert sum(int(used.replace(",", "")) for _, used, _ in lines) == sum(s.consumed_units for s in sample.skus)
    assert ("Microsoft 365 E3", "203", "204") in [(n.replace("\\", ""), u, t) for n, u, t in lines]


def test_the_html_report_and_digest_end_with_the_summary(demo_run: Path) -> None:
    for name in ("report.html", "digest.html"):
        html = (demo_run / name).read_text("utf-8")
        assert "Microsoft 365 E3: 203 of 204 in use" in html[html.rindex("Licenses in use") :]


def test_tenant_text_is_formula_safe_and_groups_are_named(tmp_path: Path) -> None:
    doc = tenant(
        [
            user("a", "SPE_E3", via="g1", displayName='=HYPERLINK("http://x")'),
            user("b", "SPE_E3", "SPE_E5", userPrincipalName="+b@contoso.example"),
            user("c"),  # no license: not in the list
        ],
        skus=[sku("SPE_E3", 10, 2), sku("SPE_E5", 5, 1)],
        groups=[{"id": "g1", "displayName": "@Sales", "assignedLicenses": [{"skuId": E3, "disabledPlans": []}]}],
    )
    snapshot = snapshot_from_json(doc)
    seats = [
        SeatRow("SPE_E3", E3, 10, 0, 0, 0, 2, 8, "Enabled", False, 30.0, "EUR", 240.0, name="Microsoft 365 E3"),
        SeatRow("SPE_E5", E5, 5, 0, 0, 0, 1, 4, "Enabled", False, None, None, None, name="Microsoft 365 E5"),
    ]
    rows = list(licensed_users.rows(snapshot, seats, tenant="-Evil"))
    assert len(rows) == 2
    first, second = (dict(zip(COLUMNS, r, strict=True)) for r in rows)
    assert first["tenant"] == "'-Evil" and first["display_name"].startswith("'=")
    assert first["assigned_by"] == "'@Sales" and first["monthly_cost"] == "30.00"
    assert second["user_principal_name"] == "'+b@contoso.example"
    assert second["products"] == "Microsoft 365 E3; Microsoft 365 E5"
    # E5 has no price: the cost is E3's alone, and the row names what it leaves out
    assert (second["monthly_cost"], second["unpriced"]) == ("30.00", "Microsoft 365 E5")
    assert (first["unpriced"], first["currency"], second["currency"]) == ("", "EUR", "EUR")
    assert second["last_sign_in"] == "2026-10-30"


def test_the_kind_column_is_the_accounts_kind_a_policy_declaration_first(demo_run: Path) -> None:
    """Graph's kind (User.kind) for every account, and the policy's `account_kinds:` over it."""
    kinds = {r["user_principal_name"]: r["kind"] for r in _table(demo_run / "licensed-users.csv")}
    assert {"person", "resource", "agent"} <= set(kinds.values())  # the sample holds accounts that are not people
    snapshot = snapshot_from_json(tenant([user("a", "SPE_E3")]))
    (account,) = snapshot.users
    assert account_kind(account, {}) == "person"
    assert account_kind(account, {account.id: AccountKind.BREAK_GLASS}) == "break_glass"


def test_redact_pseudonymises_the_list(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
        main(["audit", "--demo", "--output-dir", str(out), "--fail-on", "never", "--redact", "--format", "csv"])
    text = (out / "licensed-users.csv").read_text("utf-8-sig")
    assert "ceo@contoso.example" not in text and "Chief Executive" not in text
    assert "@redacted.invalid" in text


def test_no_list_without_findings_csv(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
        main(["audit", "--demo", "--output-dir", str(out), "--fail-on", "never", "--format", "json"])
    assert not (out / "licensed-users.csv").exists()
