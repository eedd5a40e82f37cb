"""users.csv, --domain and --map: read right, and every bad value a located error (exit 2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from auditor.common.errors import UsageError
from auditor.migration.mapping import read_map
from auditor.migration.movers import domain_movers, read_users

from .tenants import E3, user


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "users.csv"
    path.write_text(text, "utf-8")
    return path


def test_users_csv_with_every_column(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "source_upn,target_upn,batch,complete_by,workloads\n"
        "a@contoso.example,a@fabrikam.example,b1,2027-01-08,mailbox\n"
        "b@contoso.example,b@fabrikam.example,,,\n",
    )
    a, b = read_users(path)
    assert (a.batch, a.complete_by, a.workloads, a.line) == ("b1", date(2027, 1, 8), ("mailbox",), 2)
    assert (b.complete_by, b.workloads) == (None, ())


def test_the_two_required_columns_are_enough(tmp_path: Path) -> None:
    (a,) = read_users(_csv(tmp_path, "target_upn,source_upn\na@fabrikam.example,a@contoso.example\n"))
    assert (a.source_upn, a.target_upn, a.workloads, a.column) == (
        "a@contoso.example",
        "a@fabrikam.example",
        ("mailbox", "onedrive"),
        2,
    )


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("source_upn\na@contoso.example\n", ":1:1:", "target_upn is missing"),
        ("source_upn,target_upn,color\n", ":1:3:", "unknown column 'color'"),
        ("source_upn,target_upn\na@x.example,nobody\n", ":2:2:", "is not a UPN"),
        ("source_upn,target_upn,complete_by\na@x.example,a@y.example,next week\n", ":2:3:", "is not a date"),
        (
            "source_upn,target_upn,complete_by\na@x.example,a@y.example,01/02/2027\n",
            ":2:3:",
            "could be day/month or month/day",
        ),
        (
            "source_upn,target_upn,workloads\na@x.example,a@y.example,mailbox;teams\n",
            ":2:3:",
            "unknown workload 'teams'",
        ),
        ("source_upn,target_upn\na@x.example,a@y.example\nA@x.example,b@y.example\n", ":3:1:", "listed twice"),
        ("source_upn,target_upn\na@x.example,a@y.example\nb@x.example,a@y.example\n", ":3:2:", "listed twice"),
        ("source_upn,target_upn\na@x.example\n", ":2:2:", "1 values"),
        ("source_upn,target_upn\n", ":2:1:", "no users"),
        (
            "source_upn,target_upn,batch\na@x.example,a@y.example," + "b" * 200_000 + "\n",
            ":2:",
            "not a CSV row users.csv can hold: field larger than field limit",
        ),
    ],
)
def test_a_bad_users_csv_is_a_located_error(tmp_path: Path, text: str, where: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_users(_csv(tmp_path, text))
    assert where in str(caught.value) and says in str(caught.value)
    assert caught.value.exit_code == 2


def test_users_csv_as_excel_saves_it_in_the_report_languages(tmp_path: Path) -> None:
    """Excel in the Netherlands, Denmark, Sweden and Turkey: `;` between cells (a cell holding `;` quoted),
    the day first, and either "CSV UTF-8" (a byte-order mark) or plain "CSV" (Windows-1252)."""
    text = (
        "source_upn;target_upn;batch;complete_by;workloads\r\n"
        'a@contoso.example;a@fabrikam.example;Göteborg;15-01-2027;"mailbox;onedrive"\r\n'
        "b@contoso.example;b@fabrikam.example;Århus;08.01.2027;mailbox\r\n"
    )
    for encoded in (b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("cp1252")):
        path = tmp_path / "users.csv"
        path.write_bytes(encoded)
        a, b = read_users(path)
        assert (a.source_upn, a.batch, a.complete_by, a.workloads, a.line) == (
            "a@contoso.example",
            "Göteborg",
            date(2027, 1, 15),
            ("mailbox", "onedrive"),
            2,
        )
        assert (b.batch, b.complete_by, b.workloads, b.line) == ("Århus", date(2027, 1, 8), ("mailbox",), 3)


def test_every_bad_row_of_users_csv_is_listed_at_once(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "source_upn;target_upn;complete_by;workloads\n"
        "a@x.example;a@y.example;2027-01-15;mailbox\n"
        "nobody;b@y.example;2027-01-15;mailbox\n"
        "c@x.example;c@y.example;31-02-2027;teams\n"
        "A@x.example;d@y.example;;\n"
        "e@x.example;e@y.example\n",
    )
    with pytest.raises(UsageError) as caught:
        read_users(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: 5 problems, nothing read:"
    assert lines[1:] == [
        f"  {path}:3:1: source_upn 'nobody' is not a UPN (name@domain)",
        f"  {path}:4:3: complete_by: '31-02-2027' is not a date",
        f"  {path}:4:4: unknown workload 'teams' (known: mailbox, onedrive, none)",
        f"  {path}:5:1: A@x.example is listed twice (first on line 2)",
        f"  {path}:6:3: 2 values, the header has 4",
    ]
    assert caught.value.exit_code == 2


def test_every_bad_header_column_is_listed_at_once(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        read_users(_csv(tmp_path, "source,target_upn,colour\na@x.example,a@y.example,red\n"))
    message = str(caught.value)
    assert "3 problems" in message and ":1:1: the header needs" in message and "source_upn is missing" in message
    assert ":1:1: unknown column 'source'" in message and ":1:3: unknown column 'colour'" in message


def test_the_domain_selector_takes_the_domains_members_and_keeps_their_upn() -> None:
    users = [user("b@contoso.example", E3), user("a@contoso.example"), user("c@other.example", E3)]
    assert [(m.source_upn, m.target_upn) for m in domain_movers(users, "contoso.example")] == [
        ("a@contoso.example", "a@contoso.example"),
        ("b@contoso.example", "b@contoso.example"),
    ]
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


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("SPE_E3: [SPE_E5]\n", ":1:9:"),
        ("SPE_E3: SPE_E3\nSPE_E3: SPE_E5\n", ":2:1:"),
        ("- SPE_E3\n", ":1:1:"),
        ("SPE_E3: 'x\n", ":2:1:"),
    ],
)
def test_a_bad_map_is_a_located_error(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "products.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(UsageError) as caught:
        read_map(path)
    assert where in str(caught.value), str(caught.value)


def test_a_users_csv_of_bad_rows_stops_at_fifty_problems_and_says_how_many_rows_are_left(tmp_path: Path) -> None:
    path = _csv(tmp_path, "source_upn;target_upn\n" + "".join(f"nobody{i};b{i}@y.example\n" for i in range(20_000)))
    with pytest.raises(UsageError) as caught:
        read_users(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        f"{path}: 50 problems, nothing read; checking stopped at 50 problems, 19950 more rows were not checked:"
    )
    assert len(lines) == 51 and lines[-1] == f"  {path}:51:1: source_upn 'nobody49' is not a UPN (name@domain)"


@pytest.mark.parametrize("magic", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_a_workbook_given_as_users_csv_is_asked_for_as_csv(tmp_path: Path, magic: bytes) -> None:
    path = tmp_path / "users.xlsx"
    path.write_bytes(magic + b"\x00\x14\x00\x06\x00[Content_Types].xml")
    with pytest.raises(UsageError) as caught:
        read_users(path)
    assert str(caught.value) == (
        f"--users: {path} is a spreadsheet workbook, not a CSV file: save it as CSV (UTF-8 or the Excel CSV of "
        "your language)"
    )
