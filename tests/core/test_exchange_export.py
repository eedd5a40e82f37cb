"""The Exchange export reader (auditor.data.exchange_export): the documented Get-EXOMailbox CSV, as
Windows PowerShell 5.1 and PowerShell 7 write it, and a located error (exit 2) for anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.common.errors import EXIT_USAGE, UsageError
from auditor.data.exchange_export import COLUMNS, NO_GUID, ExportError, MailboxExport, read_exchange_export

ANN = "8A3F0C6E-1B2D-4E5F-9A0B-1C2D3E4F5A6B"
BOB = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
HEADER = ",".join(f'"{c}"' for c in COLUMNS)


def row(
    oid: str = ANN,
    upn: str = "ann@contoso.example",
    *,
    archive: str = NO_GUID,
    status: str = "None",
    hold: str = "False",
    in_place: str = "",
    synced: str = "False",
    delay: str = "False",
) -> str:
    values = [
        oid,
        upn,
        "UserMailbox",
        "11111111-2222-3333-4444-555555555555",
        archive,
        status,
        "False",
        hold,
        in_place,
        delay,
        "False",
        "False",
        synced,
    ]
    return ",".join(f'"{v}"' for v in values)


def write(tmp_path: Path, *lines: str, bom: bool = True, name: str = "mailboxes.csv") -> Path:
    path = tmp_path / name
    text = "\r\n".join(lines) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_reads_windows_powershell_export_keyed_by_lower_case_object_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER,
        row(hold="True", in_place="UniH7d1b;mbx0a1b2c3d:1", synced="True"),
        row(BOB, "bob@contoso.example", archive="AAAAAAAA-0000-0000-0000-000000000001", status="Active"),
    )
    got = read_exchange_export(path)
    assert set(got) == {ANN.lower(), BOB}
    ann = got[ANN.lower()]
    assert isinstance(ann, MailboxExport)
    assert ann.upn == "ann@contoso.example" and ann.recipient_type == "UserMailbox"
    assert ann.litigation_hold is True and ann.dir_synced is True and ann.delay_hold is False
    assert ann.in_place_holds == ("UniH7d1b", "mbx0a1b2c3d:1")
    assert ann.holds == ("litigation_hold", "in_place_holds")
    assert not ann.has_archive
    bob = got[BOB]
    assert bob.has_archive and bob.archive_guid == "aaaaaaaa-0000-0000-0000-000000000001"
    assert bob.holds == () and bob.in_place_holds == ()
    with pytest.raises(AttributeError):
        bob.litigation_hold = True  # type: ignore[misc]  # frozen


def test_reads_powershell_7_export_without_bom_and_a_type_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "#TYPE Selected.Microsoft.Exchange.Data.Directory.Management.Mailbox", HEADER, row(), bom=False
    )
    assert list(read_exchange_export(path)) == [ANN.lower()]


def test_extra_columns_and_column_order_do_not_matter(tmp_path: Path) -> None:
    cells = row().split(",")
    header = HEADER.split(",")
    path = write(tmp_path, ",".join(['"DisplayName"', *reversed(header)]), ",".join(['"Ann, Sales"', *reversed(cells)]))
    assert read_exchange_export(path)[ANN.lower()].upn == "ann@contoso.example"


def test_a_row_without_object_id_is_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, row(""), row(BOB))
    assert list(read_exchange_export(path)) == [BOB]


def located(path: Path) -> ExportError:
    with pytest.raises(ExportError) as caught:
        read_exchange_export(path)
    exc = caught.value
    assert isinstance(exc, UsageError) and exc.exit_code == EXIT_USAGE
    assert str(exc).startswith(f"{path}:{exc.line}:{exc.column}: ")
    return exc


def test_missing_column_is_located_on_the_header(tmp_path: Path) -> None:
    header = HEADER.replace(',"IsDirSynced"', "")
    exc = located(write(tmp_path, header, row()))
    assert (exc.line, exc.column) == (1, len(COLUMNS))
    assert "IsDirSynced" in str(exc) and "docs/exchange-export.md" in str(exc)


@pytest.mark.parametrize("value", ["Yes", "true", "1", ""])
def test_a_flag_that_is_not_true_or_false_is_located(tmp_path: Path, value: str) -> None:
    exc = located(write(tmp_path, HEADER, row(), row(BOB, hold=value)))
    assert (exc.line, exc.column) == (3, COLUMNS.index("LitigationHoldEnabled") + 1)
    assert "LitigationHoldEnabled" in str(exc)


def test_bad_guid_duplicate_and_short_rows_are_located(tmp_path: Path) -> None:
    exc = located(write(tmp_path, HEADER, row(archive="none")))
    assert (exc.line, exc.column) == (2, COLUMNS.index("ArchiveGuid") + 1)
    exc = located(write(tmp_path, HEADER, row(), row(ANN.lower())))
    assert exc.line == 3 and "twice" in str(exc)
    exc = located(write(tmp_path, HEADER, row(), '"' + BOB + '","bob@contoso.example"'))
    assert exc.line == 3 and "fewer" in str(exc)


def test_a_quoted_value_over_two_lines_keeps_later_lines_numbered(tmp_path: Path) -> None:
    multi = row(upn="ann@contoso.example").replace('"UserMailbox"', '"User\r\nMailbox"')
    exc = located(write(tmp_path, HEADER, multi, row(BOB, hold="maybe")))
    assert exc.line == 4


def test_list_exported_as_its_type_name_is_refused(tmp_path: Path) -> None:
    exc = located(write(tmp_path, HEADER, row(in_place="System.Collections.ArrayList")))
    assert exc.column == COLUMNS.index("InPlaceHolds") + 1 and "-join" in str(exc)


def test_utf16_and_empty_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes("\ufeff".encode("utf-16-le") + HEADER.encode("utf-16-le"))
    assert "UTF-16" in str(located(path))
    assert "the file is empty" in str(located(write(tmp_path, "", "", name="blank.csv")))
    with pytest.raises(UsageError, match="not found"):
        read_exchange_export(tmp_path / "absent.csv")
