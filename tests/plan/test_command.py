"""`license-auditor plan`: files written, the summary printed, and exit 2 naming the file for bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.cli import main
from auditor.formats.report_model import builtins

from .builders import FORBIDDEN, G_E3, G_E5, NOT_ALLOWED, assign, finding, join, leave, lookup, report, seat, uid

U1, U2 = uid(1), uid(2)
SEATS = [seat("SPE_E5", 10, 8, price=57.0), seat("SPE_E3", 10, 8, price=33.75)]


@pytest.fixture(autouse=True)
def _a_day_after_the_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plans are made a day after the builders' report was read (2026-11-22T02:58Z), whatever
    today is: the summary line is asserted, and a report older than apply's --max-age adds a warning
    above it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795402800")  # 2026-11-23T03:00:00Z


def _text(document: dict[str, Any]) -> str:
    """report.json's text of `document` (its summary is a Struct)."""
    return json.dumps(document, default=builtins)


def _document(**kw: Any) -> dict[str, Any]:
    """report.json's JSON values of a report of three findings."""
    document = report(
        [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"])], severity="critical"),
            finding("f2", NOT_ALLOWED, U2, [join(U2, G_E3, {"SPE_E3": 1}), leave(U2, G_E5, {"SPE_E5": -1})]),
            finding("f3", FORBIDDEN, uid(3), [lookup()], severity="low"),
        ],
        SEATS,
        **kw,
    )
    values: dict[str, Any] = msgspec.to_builtins(document)
    return values


def _report_dir(tmp_path: Path, document: Any, *, raw: str | None = None) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir(exist_ok=True)
    (folder / "report.json").write_text(raw if raw is not None else _text(document), encoding="utf-8")
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["plan", *args])
    return code, capsys.readouterr().err


def test_plan_writes_its_files_into_the_report_dir_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _report_dir(tmp_path, _document())
    code, err = _run(capsys, "--report-dir", str(folder))
    assert code == 0
    lines = err.splitlines()
    assert lines[0] == "plan: 3 changes, lowering license costs by €80.25 a month; 1 finding needs a person"
    assert lines[1:] == [f"wrote {folder / name}" for name in ("plan.json", "plan.md", "batch-001.json")]
    plan = json.loads((folder / "plan.json").read_text())
    assert [c["kind"] for c in plan["changes"]] == ["assign_license", "add_member", "remove_member"]
    assert plan["changes"][1]["body"] == {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{U2}"}


def test_filters_and_output_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _report_dir(tmp_path, _document())
    out = tmp_path / "plans" / "today"
    code, err = _run(
        capsys, "--report-dir", str(folder), "--rules", FORBIDDEN, "--min-severity", "high", "--output-dir", str(out)
    )
    assert code == 0
    assert err.splitlines()[0] == "plan: 1 change, lowering license costs by €57.00 a month"
    plan = json.loads((out / "plan.json").read_text())
    assert plan["filters"] == {"rules": [FORBIDDEN], "min_severity": "high", "findings": None}
    assert not (folder / "plan.json").exists()


def test_findings_option_picks_findings_by_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _report_dir(tmp_path, _document())
    code, err = _run(capsys, "--report-dir", str(folder), "--findings", "f2", "--findings", "f3")
    assert code == 0
    assert err.splitlines()[0] == "plan: 2 changes, lowering license costs by €23.25 a month; 1 finding needs a person"


def test_a_national_cloud_reports_group_references_use_its_graph_endpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _report_dir(tmp_path, _document(cloud="china"))
    assert _run(capsys, "--report-dir", str(folder))[0] == 0
    plan = json.loads((folder / "plan.json").read_text())
    assert plan["cloud"] == "china"
    assert plan["changes"][1]["body"]["@odata.id"].startswith("https://microsoftgraph.chinacloudapi.cn/v1.0/")


def test_a_report_of_an_earlier_version_plans_nothing_and_says_to_audit_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _report_dir(tmp_path, _document(version=1))
    code, err = _run(capsys, "--report-dir", str(folder))
    assert code == 2
    assert (
        f"{folder / 'report.json'}: report schema_version 1 was written by a license-auditor from before its "
        "first release"
    ) in err and "run `license-auditor audit` once more" in err
    assert not (folder / "plan.json").exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{", "report.json:1:2: not valid JSON"),
        ("[]", "report.json: not a license-auditor report.json (expected a JSON object)"),
        (
            _text({**_document(), "schema_version": 6}),
            "report.json: unsupported report schema_version 6",
        ),
        (
            _text({**_document(), "schema_version": 3}),
            "report.json: report schema_version 3 was written by a license-auditor from before its first release",
        ),
        (
            _text({**_document(), "tenants": []}),
            "report.json: a merged report of several tenants",
        ),
        (
            _text({**_document(), "findings": [{"rule": "x"}]}),
            "Object missing required field `id` - at `$.findings[0]`",
        ),
        (_text({**_document(), "skus": None}), "Expected `array`, got `null` - at `$.skus`"),
        (
            _text({**_document(), "locale": "xx"}),
            "report.json: locale 'xx' is not one of en, nl, da, sv, tr (the languages a report is written in)",
        ),
    ],
)
def test_a_bad_report_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: str, message: str
) -> None:
    folder = _report_dir(tmp_path, None, raw=raw)
    code, err = _run(capsys, "--report-dir", str(folder))
    assert code == 2
    assert err.startswith(f"license-auditor: error: {folder}/")
    assert message in err
    assert not (folder / "plan.json").exists()


@pytest.mark.parametrize("waits_for_a_person", [False, True])
def test_a_malformed_action_exits_2_naming_the_file_finding_and_action(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], waits_for_a_person: bool
) -> None:
    document = _document()
    actions = document["findings"][1]["remediation"]["actions"]
    actions[1]["path"] = f"/groups/{G_E5}/members/{U1}/$ref"
    if waits_for_a_person:  # the plan would skip the finding anyway: its calls are still checked
        actions.append({"kind": "lookup", "ready": False, "description": "Find who holds it"})
    folder = _report_dir(tmp_path, document)
    code, err = _run(capsys, "--report-dir", str(folder))
    assert code == 2
    assert f"{folder / 'report.json'}: finding 'f2': remediation.actions[1]: path " in err


def test_an_action_of_an_unknown_kind_exits_2_naming_the_file_finding_and_action(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """report.json's decoder refuses it (ActionJson.kind), with the finding's and the action's place."""
    document = _document()
    document["findings"][1]["remediation"]["actions"][1]["kind"] = "delete_user"
    folder = _report_dir(tmp_path, document)
    code, err = _run(capsys, "--report-dir", str(folder))
    assert code == 2
    assert f"{folder / 'report.json'}: " in err
    assert "Invalid enum value 'delete_user' - at `$.findings[1].remediation.actions[1].kind`" in err
    assert not (folder / "plan.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rules", "sku-forbiden"], "--rules: unknown rule 'sku-forbiden'"),
        (["--findings", "f9"], "report.json has no finding 'f9'"),
    ],
)
def test_unknown_rules_and_findings_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    folder = _report_dir(tmp_path, _document())
    code, err = _run(capsys, "--report-dir", str(folder), *args)
    assert code == 2 and message in err


def test_missing_report_dir_report_or_unwritable_output_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(capsys, "--report-dir", str(tmp_path / "nowhere"))
    assert code == 2 and f"--report-dir: {tmp_path / 'nowhere'} is not a directory" in err
    code, err = _run(capsys, "--report-dir", str(tmp_path))
    assert code == 2 and f"{tmp_path / 'report.json'}: report not found" in err
    folder = _report_dir(tmp_path, _document())
    (tmp_path / "file").write_text("")
    code, err = _run(capsys, "--report-dir", str(folder), "--output-dir", str(tmp_path / "file"))
    assert code == 2 and "exists and is not a directory" in err


def test_a_missing_report_dir_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan"]) == 2  # without --demo, the report's folder is needed
    assert "--report-dir" in capsys.readouterr().err


def test_plan_md_names_each_group_and_says_what_leaving_takes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A group by its name in every change (its id is on the request line, and beside the name only
    where two groups share it: tests/plan/test_describe.py), and a leave says what else the group
    gives (its licenses; its team and app role assignments, which apply reads)."""
    document = _document()
    document["findings"][1]["details"] = {
        "assigned_by_group": {"SPE_E5": ["E5 users"]},
        "assigned_by_group_ids": {"SPE_E5": [G_E5]},
        "replace_group": {"id": G_E3, "name": "E3 users", "gives": ["SPE_E3"]},
    }
    folder = _report_dir(tmp_path, document)
    assert _run(capsys, "--report-dir", str(folder))[0] == 0
    text = _unescaped(folder / "plan.md")
    # each change's line, then its request line, which carries the ids
    assert f"to the group E3 users POST /groups/{G_E3}/members/" in text
    assert f"from the group E5 users DELETE /groups/{G_E5}/members/" in text
    assert (
        "Leaving the group takes away all it gives the user: the license Microsoft 365 E5, and, as far as the "
        "group gives them, membership of its team (when it is a Team) and the apps its app role assignments open. "
        "apply reads the group again before the change and names them."
    ) in text
    (folder / "plan.md").unlink()
    document["locale"] = "tr"
    (folder / "report.json").write_text(_text(document), encoding="utf-8")
    assert _run(capsys, "--report-dir", str(folder))[0] == 0
    assert "Gruptan ayrılan kullanıcı, grubun ona verdiği her şeyi kaybeder: Microsoft 365 E5 lisansını" in _unescaped(
        folder / "plan.md"
    )


def _unescaped(path: Path) -> str:
    """plan.md's text without its Markdown escapes, on one line."""
    return " ".join(re.sub(r"\\(.)", r"\1", path.read_text(encoding="utf-8")).split())
