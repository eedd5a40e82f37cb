"""Cost allocation: the users' companyName, country and the policy's attribute are selected only
when a policy has `cost_allocation:`, kept in snapshots, and the spend is shared out by them."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import msgspec
import pytest

from auditor.snapshot import load_snapshot, save_snapshot
from auditor_dev.emulator import GraphEmulator, app_token

from .conftest import EXAMPLE, audit

COMPANIES = ("Contoso Ltd", '=HYPERLINK("x")')


def _tenant(sample):
    """The sample with companyName, country and a cost centre on some users."""
    users = []
    for i, u in enumerate(sample.users):
        pairs = (("companyName", COMPANIES[i % 2]), ("country", ("NL", "DK", "SE")[i % 3]))
        if i % 4:
            pairs += (("employeeOrgData/costCenter", f"CC-{i % 4}"),)
        users.append(msgspec.structs.replace(u, attributes=pairs))
    return dataclasses.replace(
        sample, users=tuple(users), user_attributes=("companyName", "country", "employeeOrgData/costCenter")
    )


def _policy(tmp_path: Path, section: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + section, encoding="utf-8")
    return path


def test_attributes_are_selected_only_when_a_policy_asks(tmp_path: Path, sample, monkeypatch) -> None:
    tenant = _tenant(sample)
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    allocated = _policy(tmp_path, "cost_allocation:\n  attribute: employeeOrgData/costCenter\n")
    saved = tmp_path / "evidence.json"
    with GraphEmulator(tenant, token=token) as graph:
        audit(tmp_path / "plain", "--graph-endpoint", graph.url)
        plain = [r.query["$select"] for r in graph.requests_to(r"/users")]
        _code, report = audit(
            tmp_path / "alloc", "--graph-endpoint", graph.url, "--save-snapshot", str(saved), policies=allocated
        )
        asked = [r.query["$select"] for r in graph.requests_to(r"/users")][len(plain) :]
    assert plain and not any("companyName" in s or "employeeOrgData" in s for s in plain)
    # the users' listing asks for the attributes; the sign-in listing of its own (`id,signInActivity`) never does
    listing = [s for s in asked if s != "id,signInActivity"]
    assert listing and all(s.endswith(",companyName,country,employeeOrgData") for s in listing)
    assert report is not None and report["complete"] is True
    evidence = load_snapshot(saved)
    assert evidence.user_attributes == ("companyName", "country", "employeeOrgData/costCenter")
    assert [u.attributes for u in evidence.users] == [u.attributes for u in tenant.users]
    dims = {d["key"]: d for d in report["cost_allocation"]["dimensions"]}
    assert list(dims) == ["department", "companyName", "country", "employeeOrgData/costCenter"]
    # every dimension shares out the same totals
    for d in dims.values():
        assert round(sum(r["licensed_monthly"] for r in d["rows"]), 2) == round(
            sum(r["licensed_monthly"] for r in dims["department"]["rows"]), 2
        )
        unused = sum(r["unused_monthly"] for r in d["rows"]) + report["cost_allocation"]["unallocated_unused"]
        assert abs(unused - report["summary"]["unused_monthly_cost"]["amount"]) < 0.05
        assert (
            abs(
                sum(r["reclaimable_monthly"] for r in d["rows"])
                - report["summary"]["reclaimable_monthly_cost"]["amount"]
            )
            < 0.05
        )
    assert None in {r["value"] for r in dims["employeeOrgData/costCenter"]["rows"]}  # not set on every fourth user
    rows = list(csv.DictReader(io.StringIO((tmp_path / "alloc" / "cost-allocation.csv").read_text("utf-8-sig"))))
    assert {r["dimension"] for r in rows} == set(dims)
    assert '\'=HYPERLINK("x")' in {r["value"] for r in rows}  # a formula is shown, never evaluated
    html = (tmp_path / "alloc" / "report.html").read_text(encoding="utf-8")
    assert ">Spend by department, company and country</h2>" in html and "=HYPERLINK(&#34;x&#34;)" in html
    assert "### Spend by department, company and country" in (tmp_path / "alloc" / "report.md").read_text("utf-8")


def test_snapshots_without_attributes_still_load_and_warn(tmp_path: Path, sample, capsys) -> None:
    allocated = _policy(tmp_path, "cost_allocation: {}\n")
    path = tmp_path / "tenant.json"
    save_snapshot(sample, path)
    assert "userAttributes" not in json.loads(path.read_text())
    _code, report = audit(tmp_path / "out", "--snapshot", str(path), policies=allocated)
    assert report is not None and [d["key"] for d in report["cost_allocation"]["dimensions"]] == [
        "department",
        "companyName",
        "country",
    ]
    assert any("holds no companyName, country" in w for w in report["warnings"])


@pytest.mark.parametrize("bad", ["employeeOrgData/salary", "extension_123_x", "../etc"])
def test_an_unknown_attribute_is_a_policy_error(tmp_path: Path, bad: str, capsys) -> None:
    policy = _policy(tmp_path, f"cost_allocation:\n  attribute: {bad}\n")
    code, _ = audit(tmp_path / "out", "--demo", policies=policy)
    assert code == 2 and "is not a user attribute path" in capsys.readouterr().err


def test_a_snapshot_with_a_bad_attribute_path_is_refused(tmp_path: Path, sample) -> None:
    path = tmp_path / "tenant.json"
    save_snapshot(_tenant(sample), path)
    doc = json.loads(path.read_text())
    doc["userAttributes"] = ["salary"]
    path.write_text(json.dumps(doc))
    with pytest.raises(Exception, match="userAttributes"):
        load_snapshot(path)
