"""The --billing CSV reader: rows as the admin wrote them, and a located error for a bad cell."""

from __future__ import annotations

import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from auditor.billing import Channel, SeatAddition, Term, parse_billing, read_billing
from auditor.common.errors import EXIT_USAGE, BillingFileError
from auditor.data.model import Subscription

HEADER = "subscription,channel,term,term_start,term_end,auto_renew,seats_added,unit_price,currency\n"


def test_a_full_row_is_read_with_its_types(tmp_path: Path) -> None:
    path = tmp_path / "billing.csv"
    path.write_bytes(
        ("\ufeff" + HEADER + "c-e3,MCA,p1y,2026-03-18,2027-03-18,yes,2026-11-20:5;2026-06-01:3,36.00,eur\n").encode()
    )
    billing = read_billing(path)
    (row,) = billing.rows
    assert (row.subscription, row.channel, row.term, row.term_start, row.term_end, row.auto_renew) == (
        "c-e3",
        Channel.MCA,
        Term.YEAR,
        date(2026, 3, 18),
        date(2027, 3, 18),
        True,
    )
    assert row.seats_added == (SeatAddition(date(2026, 6, 1), 3), SeatAddition(date(2026, 11, 20), 5))
    assert (row.unit_price, row.currency, row.line) == (36.0, "EUR", 2)


def test_columns_in_any_order_semicolons_and_empty_cells() -> None:
    billing = parse_billing(
        "# exported from Partner Center\nchannel;subscription;seats_added\ncsp;S-1;\n"
        'mosa;S-2;"2026-11-01:2;2026-11-02:1"\n'
    )
    one, two = billing.rows
    assert (one.channel, one.term, one.term_end, one.auto_renew, one.seats_added) == (Channel.CSP, None, None, None, ())
    assert two.seats_added == (SeatAddition(date(2026, 11, 1), 2), SeatAddition(date(2026, 11, 2), 1))
    assert two.line == 4


def test_a_row_matches_the_commerce_id_or_the_subscription_id() -> None:
    billing = parse_billing(HEADER + "C-E3,mca,,,,,,,\nsub-2,ea,,,,,,,\nnobody,vl,,,,,,,\n")
    e3 = Subscription("sub-1", "sku", "SPE_E3", "Enabled", False, 5, None, None, commerce_subscription_id="c-e3")
    e5 = Subscription("sub-2", "sku", "SPE_E5", "Enabled", False, 5, None, None)
    assert billing.row_for(e3) is billing.rows[0] and billing.row_for(e5) is billing.rows[1]
    assert [r.subscription for r in billing.unmatched([e3, e5])] == ["nobody"]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (HEADER + "c-1,mcx,,,,,,,\n", "b.csv:2:2", "channel: 'mcx' is not one of mca, mosa, csp, ea, vl"),
        (HEADER + "c-1,mca,P2Y,,,,,,\n", "b.csv:2:3", "term: 'P2Y' is not one of P1M, P1Y, P3Y"),
        (HEADER + "c-1,mca,,2026-02-30,,,,,\n", "b.csv:2:4", "term_start: '2026-02-30' is not a date"),
        (HEADER + "c-1,mca,,2026-03-01,2026-03-01,,,,\n", "b.csv:2:5", "term_end: 2026-03-01 is not after"),
        (HEADER + "c-1,mca,,,,maybe,,,\n", "b.csv:2:6", "auto_renew: 'maybe' is not true or false"),
        (HEADER + "c-1,mca,,,,,2026-11-01:0,,\n", "b.csv:2:7", "seats_added: '2026-11-01:0': '0' is not a number"),
        (HEADER + "c-1,mca,,,,,20261101:2,,\n", "b.csv:2:7", "'20261101' is not a date"),
        (HEADER + "c-1,mca,,,,,2026-11-01:²,,\n", "b.csv:2:7", "'²' is not a number of seats"),
        (HEADER + "c-1,mca,,,,,,36,00,\n", "b.csv:2:10", "10 cells, but the header names 9 columns"),
        (HEADER + "c-1,mca,,,,,,-3,\n", "b.csv:2:8", "unit_price: '-3' is not a price"),
        (HEADER + "c-1,mca,,,,,,,euro\n", "b.csv:2:9", "currency: 'euro' is not a three-letter ISO 4217 code"),
        (HEADER + "\n,mca,,,,,,,\n", "b.csv:3:1", "subscription: empty"),
        (HEADER + "c-1,mca,,,,,,,\nC-1,csp,,,,,,,\n", "b.csv:3:1", "'C-1' is listed twice (first on line 2)"),
        ("subscription,chanel\n", "b.csv:1:2", "unknown column 'chanel'"),
        ("subscription,term\nx,P1M\n", "b.csv:1", "the header lacks the column 'channel'"),
        ("", "b.csv:1", "no header row"),
    ],
)
def test_a_bad_row_names_file_line_and_column(text: str, where: str, message: str) -> None:
    with pytest.raises(BillingFileError) as caught:
        parse_billing(text, "b.csv")
    assert str(caught.value).startswith(where + ": ")
    assert message in str(caught.value)
    assert caught.value.exit_code == EXIT_USAGE


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BillingFileError, match="cannot read"):
        read_billing(tmp_path / "missing.csv")


# The same row as Excel saves "CSV" with each report language's regional settings: ';' between
# cells, a decimal comma, the day first, TRUE in the language, and the Windows code page (no BOM)
EXCEL = {
    "nl": ("cp1252", 'c-e3;mca;P1Y;18-03-2026;18-03-2027;WAAR;"20-11-2026:5";33,75;EUR'),
    "da": ("cp1252", 'c-e3;mca;P1Y;18.03.2026;18.03.2027;SAND;"20-11-2026:5";33,75;EUR'),
    "sv": ("cp1252", 'c-e3;mca;P1Y;2026-03-18;2027-03-18;SANT;"2026-11-20:5";33,75;EUR'),
    "tr": ("cp1254", 'c-e3;mca;P1Y;18.03.2026;18.03.2027;DOĞRU;"20.11.2026:5";33,75;EUR'),
    "en": ("utf-8-sig", "c-e3,mca,P1Y,2026-03-18,2027-03-18,TRUE,2026-11-20:5,33.75,EUR"),
}


@pytest.mark.parametrize("language", sorted(EXCEL))
def test_a_row_as_excel_saves_it_in_each_language(tmp_path: Path, language: str) -> None:
    encoding, row = EXCEL[language]
    header = HEADER if encoding == "utf-8-sig" else HEADER.replace(",", ";")
    path = tmp_path / "billing.csv"
    path.write_bytes((header + row + "\r\n").encode(encoding))
    (read,) = read_billing(path).rows
    assert (read.term_start, read.term_end, read.auto_renew, read.unit_price) == (
        date(2026, 3, 18),
        date(2027, 3, 18),
        True,
        33.75,
    )
    assert read.seats_added == (SeatAddition(date(2026, 11, 20), 5),)


@pytest.mark.parametrize(
    ("word", "value"),
    [("ONWAAR", False), ("FALSK", False), ("FALSKT", False), ("YANLIŞ", False), ("yanlış", False), ("Waar", True)],
)
def test_false_and_true_in_each_language(word: str, value: bool) -> None:
    (row,) = parse_billing(HEADER + f"c-1,mca,,,,{word},,,\n").rows
    assert row.auto_renew is value


def test_a_turkish_file_in_its_windows_code_page(tmp_path: Path) -> None:
    path = tmp_path / "fatura.csv"
    path.write_bytes((HEADER.replace(",", ";") + "c-1;mca;;;;YANLIŞ;;;\r\n").encode("cp1254"))
    (row,) = read_billing(path).rows
    assert row.auto_renew is False


def test_a_date_that_could_be_either_order_is_refused() -> None:
    with pytest.raises(BillingFileError, match="could be day/month or month/day"):
        parse_billing(HEADER + "c-1,mca,,03/04/2026,,,,,\n", "b.csv")
    (row,) = parse_billing(HEADER + "c-1,mca,,18/03/2026,,,,,\n").rows  # 18 can only be the day
    assert row.term_start == date(2026, 3, 18)


def test_every_bad_row_is_listed_at_once() -> None:
    text = HEADER + "c-1,mcx,,,,,,,\nc-2,mca,,,,maybe,,,\nc-3,mca,,,,,,,\nc-4,mca,P2Y,,,,,,\n"
    with pytest.raises(BillingFileError) as caught:
        parse_billing(text, "b.csv")
    lines = str(caught.value).splitlines()
    assert lines[0] == "b.csv: 3 problems, nothing read:"
    assert [line.split(": ")[0].strip() for line in lines[1:]] == ["b.csv:2:2", "b.csv:3:6", "b.csv:5:3"]


def test_a_file_of_bad_rows_stops_at_fifty_problems_and_says_how_many_rows_are_left() -> None:
    text = HEADER + "".join(f"c-{i},mcx,,,,,,,\n" for i in range(20_000))
    tracemalloc.start()
    try:
        with pytest.raises(BillingFileError) as caught:
            parse_billing(text, "b.csv")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    lines = str(caught.value).splitlines()
    assert (
        lines[0]
        == "b.csv: 50 problems, nothing read; checking stopped at 50 problems, 19950 more rows were not checked:"
    )
    assert len(lines) == 51 and lines[-1].startswith("  b.csv:51:2: channel: 'mcx' is not one of")
    # each problem kept as its text: no exception with its traceback and the row's cells per bad row
    assert peak < 16 * 1024 * 1024


@pytest.mark.parametrize("magic", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_a_workbook_is_asked_for_as_csv(tmp_path: Path, magic: bytes) -> None:
    path = tmp_path / "billing.xlsx"
    path.write_bytes(magic + b"\x00\x14\x00\x06\x00[Content_Types].xml" + b"\x00" * 64)
    with pytest.raises(BillingFileError) as caught:
        read_billing(path)
    assert str(caught.value) == (
        f"{path}: is a spreadsheet workbook, not a CSV file: save it as CSV (UTF-8 or the Excel CSV of your language)"
    )
