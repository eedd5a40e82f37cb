"""The history file: records appended by `audit --history`, malformed lines reported and skipped,
the `history` command's table, and the trends the reports draw from it."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.formats.report_model import TrendProduct
from auditor.insights import history
from auditor.insights.trends import trends
from auditor.report.view.insights import sparkline
from auditor.rules.hygiene.accounts import DisabledUserLicensed

from .conftest import SAMPLE, audit


def _record(at: str, open_: int = 3, assigned: int = 10, tenant: str = "t1", unused: float = 5.0) -> history.Record:
    return history.Record(
        at,
        at,
        tenant,
        True,
        open_,
        0,
        {"critical": 0, "high": open_, "medium": 0, "low": 0},
        {DisabledUserLicensed.id: {"high": open_}},
        "EUR",
        unused,
        1.0,
        {"SPE_E3": history.ProductPoint(20, assigned, 33.75)},
    )


def test_records_round_trip_and_bad_lines_are_named(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    good = json.dumps(_record("2026-11-02T03:17:00Z").to_json())
    older = json.dumps(_record("2026-11-01T03:17:00Z", open_=5).to_json())
    path.write_text(
        "\n".join(
            [good, "{not json", "[1, 2]", json.dumps({"schema": 1}), older, good.replace('"open": 3', '"open": -1'), ""]
        )
    )
    records, problems = history.read_history(path)
    assert [r.open for r in records] == [5, 3]  # in time order
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (2, "not JSON"),
        (3, "the line is not an object"),
        (4, "findings is not an object"),
        (6, "findings.open is not a whole number"),
    ]
    assert problems[0].text(path) == (
        f"{path}:2: not JSON (Expecting property name enclosed in double quotes); line skipped"
    )
    assert records[1] == history.parse_record(json.loads(good), records[1].line)


def test_a_time_without_a_zone_is_a_bad_line_not_a_crash(tmp_path: Path) -> None:
    """Records are sorted by time; one written without a zone cannot be compared with the others."""
    path = tmp_path / "h.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(_record("2026-11-02T03:17:00Z").to_json()),
                json.dumps(_record("2026-11-01T03:17:00").to_json()),
                "",
            ]
        )
    )
    records, problems = history.read_history(path)
    assert [r.generated_at for r in records] == ["2026-11-02T03:17:00Z"]
    assert [p.line for p in problems] == [2] and "has no time zone" in problems[0].message


def test_append_starts_a_new_line_after_a_cut_one_and_refuses_a_link(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text('{"schema": 1, "cut sh')
    history.append_record(path, _record("2026-11-02T03:17:00Z"))
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["generated_at"] == "2026-11-02T03:17:00Z"
    records, problems = history.read_history(path)
    assert len(records) == 1 and [p.line for p in problems] == [1]
    link = tmp_path / "link.jsonl"
    os.symlink(path, link)
    with pytest.raises(Exception, match="cannot append"):
        history.append_record(link, _record("2026-11-03T03:17:00Z"))


def test_audit_appends_and_a_malformed_line_never_stops_it(tmp_path: Path, capsys) -> None:
    path = tmp_path / "history.jsonl"
    code, first = audit(tmp_path / "one", "--snapshot", str(SAMPLE), "--history", str(path))
    with path.open("a") as fh:
        fh.write("this is not a record\n")
    code2, second = audit(tmp_path / "two", "--snapshot", str(SAMPLE), "--history", str(path))
    assert code == code2 == 1 and first is not None and second is not None
    err = capsys.readouterr().err
    assert f"{path}:2: not JSON" in err and "line skipped" in err
    assert any(f"{path}:2" in w for w in second["warnings"])
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    record = json.loads(lines[2])
    assert record["tenant"] == second["tenant"]["id"] and record["complete"] is True
    assert record["findings"]["open"] == second["summary"]["unwaived"]
    assert record["findings"]["by_rule"][DisabledUserLicensed.id] == {"high": 8}
    assert record["products"]["SPE_E3"] == {"usable": 204, "assigned": 203, "unused_monthly_cost": 33.75}
    assert [r["open"] for r in second["trends"]["runs"]] == [first["summary"]["unwaived"]] * 2


def test_history_command_prints_the_table(tmp_path: Path, capsys) -> None:
    path = tmp_path / "h.jsonl"
    for rec in (
        _record("2026-11-01T03:17:00Z", 5, 12),
        _record("2026-11-02T03:17:00Z", 3, 10),
        _record("2026-11-02T04:00:00Z", 1, 1, tenant="other"),
    ):
        history.append_record(path, rec)
    with path.open("a") as fh:
        fh.write("oops\n")
    assert main(["history", str(path), "--tenant", "T1", "--products"]) == 0
    out, err = capsys.readouterr()
    rows = [line for line in out.splitlines() if line.startswith("2026-")]
    assert len(rows) == 2 and re.search(r"2026-11-01T03:17:00Z\s+yes\s+5\s+0\s+5\s+0\s+0\s+5.00 EUR\s+12/20", rows[0])
    # the product by its name, its part number beside it (issue 89, point 8)
    assert re.search(r"Microsoft 365 E3 \(SPE_E3\)\s+12/20\s+10/20\s+-2", out)
    assert f"{path}:4: not JSON" in err
    assert main(["history", str(tmp_path / "missing.jsonl")]) == 2


def test_the_seat_totals_leave_free_products_out(tmp_path: Path, capsys) -> None:
    # The demo's history read "378/10395": Power Automate Free's 10,000 seats drowned the paid ones.
    path = tmp_path / "h.jsonl"
    _, document = audit(tmp_path / "one", "--snapshot", str(SAMPLE), "--history", str(path))
    assert document is not None
    rows = [r for r in document["skus"] if r.get("sku")]
    free = {r["sku"] for r in rows if r.get("free")}
    assert free, "the sample has a free product"
    record = json.loads(path.read_text().splitlines()[-1])
    assert {sku for sku, p in record["products"].items() if p.get("free")} == free
    paid = [r for r in rows if not r.get("free")]
    usable = sum(int(r.get("enabled") or 0) + int(r.get("warning") or 0) for r in paid)
    assigned = sum(int(r.get("consumed") or 0) for r in paid)
    capsys.readouterr()
    assert main(["history", str(path)]) == 0
    out = capsys.readouterr().out
    assert "paid seats assigned/usable" in out
    assert out.splitlines()[-1].endswith(f"  {assigned}/{usable}")
    assert usable < 10_000


def test_trends_keep_the_last_30_runs_and_one_series_per_product() -> None:
    records = [_record(f"2026-10-{d:02d}T03:17:00Z", d, 100 + d) for d in range(1, 32)]
    block = trends(records)
    assert len(block.runs) == 30 and block.runs[0].generated_at.startswith("2026-10-02")
    assert block.products == [TrendProduct(sku="SPE_E3", assigned=[100 + d for d in range(2, 32)], usable=[20] * 30)]
    assert sparkline([1, 2, None, 8]) == "▁▂ █" and sparkline([4]) == ""


def test_reports_draw_trends_e_mail_safe_and_in_mermaid(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    for d, n in ((1, 120), (2, 50)):
        rec = _record(f"2026-10-{d:02d}T03:17:00Z", n, 150 + d, tenant="2f3adacf-3c50-4499-8960-90bdf5d7e2fd")
        history.append_record(path, rec)
    _code, report = audit(tmp_path / "out", "--snapshot", str(SAMPLE), "--history", str(path))
    assert report is not None and len(report["trends"]["runs"]) == 3
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    section = html.split(">Trends</h2>", 1)[1].split("<h2", 1)[0]
    assert "<script" not in html.lower() and "<svg" not in html.lower() and "<img" not in html.lower()
    # the tallest bar (120 findings, all high) is 80 px of the high colour
    assert 'height="80" style="width:10px;height:80px;background-color:#c2255c;' in section
    # its hover text counts in running text, lower case as the digest does (native review 6, S2)
    assert "Oct 1, 2026: 0 critical, 120 high, 0 medium, 0 low" in section and "120 High" not in section
    assert "Trend</th>" in html.split(">Licenses per product</h2>", 1)[1]
    assert "```mermaid\nxychart-beta\n" in md and f"    bar [120, 50, {report['summary']['unwaived']}]" in md
    seats = md.split("### Licenses per product", 1)[1].split("###", 1)[0]
    assert seats.splitlines()[2].endswith("| Trend |") and "| ▁▁█ |" in seats


# --- records that cannot be computed with, and a file that cannot be appended to ------------------

TENANT = "2f3adacf-3c50-4499-8960-90bdf5d7e2fd"  # the sample tenant's id: its records feed the trends
HUGE = "1" + "0" * 400  # 10**400: a JSON integer Python reads, and no float can hold


def _line_with(where: str, value: str) -> str:
    """A record of the sample tenant as JSON text, with the raw JSON `value` at `where`."""
    doc = _record("2026-10-30T03:17:00Z", tenant=TENANT).to_json()
    node = doc
    *parents, last = where.split(".")
    for key in parents:
        node = node[key]
    node[last] = "@@VALUE@@"
    return json.dumps(doc).replace('"@@VALUE@@"', value)


BAD_NUMBERS = [
    ("unused_monthly_cost", "NaN"),
    ("unused_monthly_cost", "Infinity"),
    ("unused_monthly_cost", "1e308"),
    ("unused_monthly_cost", HUGE),
    ("reclaimable_monthly_cost", "-Infinity"),
    ("products.SPE_E3.unused_monthly_cost", "NaN"),
    ("products.SPE_E3.unused_monthly_cost", "1e308"),
    ("findings.open", HUGE),
    ("findings.open", "NaN"),
    ("findings.by_severity.high", HUGE),
    ("findings.by_rule.disabled-user-licensed.high", HUGE),
    ("products.SPE_E3.assigned", HUGE),
    ("products.SPE_E3.usable", "Infinity"),
    ("products.SPE_E3.assigned", "1e308"),
]


@pytest.mark.parametrize(("where", "value"), BAD_NUMBERS)
def test_a_number_the_audit_cannot_compute_with_skips_that_record_only(where: str, value: str) -> None:
    good = json.dumps(_record("2026-10-29T03:17:00Z", tenant=TENANT).to_json())
    records, problems = history.parse_lines([good.encode(), _line_with(where, value).encode()])
    assert [r.generated_at for r in records] == ["2026-10-29T03:17:00Z"]
    assert [p.line for p in problems] == [2] and where in problems[0].message


@pytest.mark.parametrize(("where", "value"), BAD_NUMBERS)
def test_one_poisoned_history_line_never_stops_later_audits(tmp_path: Path, capsys, where: str, value: str) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text(
        json.dumps(_record("2026-10-29T03:17:00Z", tenant=TENANT).to_json()) + "\n" + _line_with(where, value) + "\n"
    )
    code, report = audit(tmp_path / "out", "--snapshot", str(SAMPLE), "--history", str(path))
    err = capsys.readouterr().err
    assert code == 1 and report is not None  # as without a history: findings, not an internal error
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "report.md").exists()
    assert len(path.read_text().splitlines()) == 3  # this run's record appended
    assert err.count(f"{path}:2:") == 1 and "line skipped" in err  # one warning line for the bad record
    assert len(report["trends"]["runs"]) == 2  # the good record and this run


def test_at_most_20_bad_lines_are_named_then_a_count(tmp_path: Path, capsys) -> None:
    path = tmp_path / "history.jsonl"
    bad = [_line_with("unused_monthly_cost", "NaN") for _ in range(25)]
    path.write_text("\n".join([json.dumps(_record("2026-10-29T03:17:00Z", tenant=TENANT).to_json()), *bad]) + "\n")
    code, report = audit(tmp_path / "out", "--snapshot", str(SAMPLE), "--history", str(path))
    err = capsys.readouterr().err
    assert code == 1 and report is not None
    named = [line for line in err.splitlines() if f"{path}:" in line and "line skipped" in line]
    assert [line.split(f"{path}:")[1].split(":")[0] for line in named] == [str(n) for n in range(2, 22)]
    assert sum(f"5 more malformed lines of {path} skipped" in line for line in err.splitlines()) == 1
    history_warnings = [w for w in report["warnings"] if str(path) in w]
    assert len(history_warnings) == 21
    assert main(["history", str(path)]) == 0
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if "line skipped" in line]) == 20
    assert f"5 more malformed lines of {path} skipped" in err


@pytest.mark.parametrize("kind", ["missing directory", "file as directory", "symbolic link"])
def test_a_history_file_that_cannot_be_appended_to_stops_the_audit_before_it_collects(
    tmp_path: Path, capsys, kind: str
) -> None:
    if kind == "missing directory":
        path = tmp_path / "no-such-dir" / "history.jsonl"
    elif kind == "file as directory":
        (tmp_path / "plain-file").write_text("x")
        path = tmp_path / "plain-file" / "history.jsonl"
    else:
        target = tmp_path / "real.jsonl"
        target.write_text(json.dumps(_record("2026-10-29T03:17:00Z", tenant=TENANT).to_json()) + "\n")
        path = tmp_path / "link.jsonl"
        os.symlink(target, path)
    out = tmp_path / "out"
    code, report = audit(out, "--snapshot", str(SAMPLE), "--history", str(path))
    err = capsys.readouterr().err
    assert code == 2 and report is None and "--history: cannot " in err and str(path) in err
    assert not any(out.glob("report.*")) and "wrote" not in err  # found before collecting, not after the reports
    assert not (tmp_path / "no-such-dir").exists()


def test_a_history_file_in_an_output_folder_the_first_run_creates_is_started(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "contoso"
    code, report = audit(out, "--snapshot", str(SAMPLE), "--history", str(out / "history.jsonl"))
    assert code == 1 and report is not None and len((out / "history.jsonl").read_text().splitlines()) == 1
