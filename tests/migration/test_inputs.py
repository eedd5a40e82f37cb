"""users.csv, --domain and --map: read right, and every bad value a located error (exit 2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from auditor.errors import UsageError
from auditor.migration.mapping import read_map
from auditor.migration.movers import domain_movers, read_users

from .tenants import E3, user


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "users.csv"
    path.write_text(text, "utf-8")
    return path


def test_users_csv_with_every_column(tmp_path: Path) -> None:
    path = _csv(tmp_path, "source_upn,target_upn,batch,complete_by,workloads\n"
                          "a@contoso.example,a@fabrikam.example,b1,2027-01-08,mailbox\n"
                          "b@contoso.example,b@fabrikam.example,,,\n")
    a, b = read_users(path)
    assert (a.batch, a.complete_by, a.workloads, a.line) == ("b1", date(2027, 1, 8), ("mailbox",), 2)
    assert (b.complete_by, b.workloads) == (None, ())


def test_the_two_required_columns_are_enough(tmp_path: Path) -> None:
    (a,) = read_users(_csv(tmp_path, "target_upn,source_upn\na@fabrikam.example,a@contoso.example\n"))
    assert (a.source_upn, a.target_upn, a.workloads, a.column) == (
        "a@contoso.example", "a@fabrikam.example", ("mailbox", "onedrive"), 2)


@pytest.mark.parametrize(("text", "where", "says"), [
    ("source_upn\na@contoso.example\n", ":1:1:", "target_upn is missing"),
    ("source_upn,target_upn,color\n", ":1:3:", "unknown column 'color'"),
    ("source_upn,target_upn\na@x.example,nobody\n", ":2:2:", "is not a UPN"),
    ("source_upn,target_upn,complete_by\na@x.example,a@y.example,15/01/2027\n", ":2:3:", "is not a date"),
    ("source_upn,target_upn,workloads\na@x.example,a@y.example,mailbox;teams\n", ":2:3:", "unknown workload 'teams'"),
    ("source_upn,target_upn\na@x.example,a@y.example\nA@x.example,b@y.example\n", ":3:1:", "listed twice"),
    ("source_upn,target_upn\na@x.example,a@y.example\nb@x.example,a@y.example\n", ":3:2:", "listed twice"),
    ("source_upn,target_upn\na@x.example\n", ":2:2:", "1 values"),
    ("source_upn,target_upn\n", ":2:1:", "no users"),
    ("source_upn,target_upn,batch\na@x.example,a@y.example," + "b" * 200_000 + "\n", ":2:",
     "not a CSV row users.csv can hold: field larger than field limit"),
])
def test_a_bad_users_csv_is_a_located_error(tmp_path: Path, text: str, where: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_users(_csv(tmp_path, text))
    assert where in str(caught.value) and says in str(caught.value)
    assert caught.value.exit_code == 2


def test_the_domain_selector_takes_the_domains_members_and_keeps_their_upn() -> None:
    users = [user("b@contoso.example", E3), user("a@contoso.example"), user("c@other.example", E3)]
    assert [(m.source_upn, m.target_upn) for m in domain_movers(users, "contoso.example")] == [
        ("a@contoso.example", "a@contoso.example"), ("b@contoso.example", "b@contoso.example")]
    with pytest.raises(UsageError, match="no member"):
        domain_movers(users, "fabrikam.example")


def test_the_product_map(tmp_path: Path) -> None:
    path = tmp_path / "products.yaml"
    path.write_text("SPE_E3: SPE_E3\nO365_BUSINESS_PREMIUM: SPE_E3\nFLOW_FREE: null\n", "utf-8")
    products = read_map(path)
    assert products.target("spe_e3") == (True, "SPE_E3")
    assert products.target("O365_BUSINESS_PREMIUM") == (True, "SPE_E3")
    assert products.target("FLOW_FREE") == (True, None)
    assert products.target("EMS") == (False, None)  # named in the plan, never guessed


@pytest.mark.parametrize(("text", "where"), [
    ("SPE_E3: [SPE_E5]\n", ":1:9:"),
    ("SPE_E3: SPE_E3\nSPE_E3: SPE_E5\n", ":2:1:"),
    ("- SPE_E3\n", ":1:1:"),
    ("SPE_E3: 'x\n", ":2:1:"),
])
def test_a_bad_map_is_a_located_error(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "products.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(UsageError) as caught:
        read_map(path)
    assert where in str(caught.value), str(caught.value)
