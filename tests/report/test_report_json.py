"""report.json version 5: every finding whole, written in pieces; versions 1 to 4 still read
(auditor.report.read). tests/report/older/ holds the sample's report.json as versions 1 to 4 of
this tool wrote it (the golden of those versions, from the repository's history)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor import rulebook
from auditor.cli import main
from auditor.errors import UsageError
from auditor.guidance.facts import subject_label
from auditor.model import Cloud, Locale
from auditor.plan.compile import compile_plan
from auditor.report import write as report_module
from auditor.report.baseline import compare, load_baseline
from auditor.report.guidance_api import product_names_of
from auditor.report.read import SCHEMA_VERSION, decode_report

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "policies" / "example.yaml"
OLDER = HERE / "older"
GOLDEN = HERE / "__snapshots__" / "test_sample_report" / "test_sample_report[report.json].json"
FINDING_KEYS = ["id", "rule", "severity", "policy", "subject", "skus", "message", "details", "monthly_cost", "waived",
                "waiver", "remediation"]


def _audit(tmp_path: Path, snapshot: Path = SAMPLE) -> Path:
    out = tmp_path / "out"
    assert main(["audit", "--snapshot", str(snapshot), "--policies", str(EXAMPLE), "--output-dir", str(out),
                 "--format", "json", "--as-of", "2026-11-01T06:00:00Z"]) == 1
    return out / "report.json"


def _older(version: int) -> dict[str, Any]:
    path = OLDER / f"report-v{version}.json"
    return decode_report(path.read_bytes(), str(path))


def _golden() -> dict[str, Any]:
    return decode_report(GOLDEN.read_bytes(), str(GOLDEN))


def test_each_finding_carries_its_own_policy_message_details_and_remediation(tmp_path: Path) -> None:
    raw = json.loads(_audit(tmp_path).read_text(encoding="utf-8"))
    assert raw["schema_version"] == SCHEMA_VERSION == 5
    assert "remediations" not in raw and "shared" not in raw
    names = product_names_of(raw["skus"])
    for f in raw["findings"]:
        assert list(f) == FINDING_KEYS
        assert isinstance(f["policy"], str) and f["message"] and isinstance(f["details"], dict)
        assert f["remediation"] == rulebook.remediation(
            f["rule"], cloud=Cloud.WORLDWIDE, locale=Locale.EN, subject=f["subject"], skus=f["skus"],
            details=f["details"], names=names), f["rule"]
        for action in f["remediation"]["actions"]:  # the calls name this finding's own user
            if f["subject"]["type"] == "user" and action["user"] is not None:
                assert action["user"] == f["subject"]["id"]
        if f["subject"]["type"] == "user":  # and the texts name them
            assert subject_label(f["subject"]) in json.dumps(f["remediation"], ensure_ascii=False), f["id"]


def test_report_json_is_written_one_finding_per_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = _golden()
    pieces: list[bytes] = []

    def keep(path: Path, chunks: Any) -> None:
        pieces.extend(chunks)
        path.write_bytes(b"".join(pieces))

    monkeypatch.setattr(report_module, "write_bytes", keep)
    report_module.render(document, tmp_path, formats=["json"])
    text = (tmp_path / "report.json").read_bytes()
    assert text == GOLDEN.read_bytes()
    assert json.loads(text) == document
    findings = document["findings"]
    # never the whole file in one buffer: the largest piece is one finding (with its separator)
    assert len(pieces) > len(findings)
    assert max(map(len, pieces)) == max(len(orjson.dumps(f)) for f in findings) + len(b",\n    ")
    lines = text.decode().splitlines()
    start = lines.index('  "findings": [')
    assert [json.loads(line.strip().rstrip(",")) for line in lines[start + 1:start + 1 + len(findings)]] == findings
    assert lines[start + 1 + len(findings)] == "  ]"


def test_a_group_named_like_a_placeholder_stays_text(tmp_path: Path) -> None:
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for group in doc["groups"]:
        if group["displayName"] == "All Office Staff":
            group["displayName"] = "{user} {user_ref} }{"
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(doc), encoding="utf-8")
    report = json.loads(_audit(tmp_path, snapshot).read_text(encoding="utf-8"))
    tove = next(f for f in report["findings"] if f["subject"].get("display_name") == "Tove Jansen")
    text = tove["remediation"]["summary"]
    assert "group {user} {user_ref} }{" in text and "Tove Jansen (user000007@contoso.example)" in text


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_each_older_version_still_reads_with_every_finding_whole(version: int) -> None:
    raw = json.loads((OLDER / f"report-v{version}.json").read_text(encoding="utf-8"))
    assert raw["schema_version"] == version
    document = _older(version)
    assert document["schema_version"] == version  # the file's: version 1 has no calls to plan
    assert "remediations" not in document and "shared" not in document
    assert len(document["findings"]) == len(raw["findings"]) > 30
    for f in document["findings"]:
        assert list(f)[:len(FINDING_KEYS)] == FINDING_KEYS
        assert f["message"] and isinstance(f["details"], dict) and f["remediation"]["summary"]
        text = json.dumps(f["remediation"], ensure_ascii=False)
        assert not re.search(r"\{user(_ref)?\}", text), f["id"]
        if version >= 2:
            for action in f["remediation"]["actions"]:
                if f["subject"]["type"] == "user" and action["user"] is not None:
                    assert action["user"] == f["subject"]["id"] and f["subject"]["id"] in action["path"]
        else:
            assert "graph_action" in f["remediation"]


def test_version_4_reads_as_the_same_findings_as_version_5() -> None:
    """The English golden just before and just after version 5 (older/report-v4.json and
    report-v5.json, one sample, one code but the format): every finding the same."""
    older, current = _older(4), _older(5)
    assert older["findings"] == current["findings"]
    assert {key for key in current if older.get(key) != current[key]} == {"schema_version"}


def test_version_3_fills_each_findings_template_with_its_own_user() -> None:
    raw = json.loads((OLDER / "report-v3.json").read_text(encoding="utf-8"))
    read = {f["id"]: f for f in _older(3)["findings"]}
    filled = 0
    for f in raw["findings"]:
        template = raw["remediations"][f["remediation"]["ref"]]
        if f["subject"]["type"] == "user" and "{user}" in template["summary"]:
            assert subject_label(f["subject"]) in read[f["id"]]["remediation"]["summary"]
            filled += 1
    assert filled > 20


def test_a_plan_from_version_4_equals_the_plan_from_version_5() -> None:
    plan = compile_plan(_older(5))
    assert plan == compile_plan(_older(4))
    assert plan.changes and plan.skipped


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5])
def test_a_baseline_of_any_version_keeps_resolved_findings_whole(tmp_path: Path, version: int) -> None:
    path = GOLDEN if version == 5 else OLDER / f"report-v{version}.json"
    previous = load_baseline(path)
    current = _golden()
    gone = previous["findings"][0]
    current["findings"] = [f for f in current["findings"] if f["id"] != gone["id"]]
    result = compare(previous, current)
    assert gone["id"] in {f["id"] for f in result["changes"]["resolved"]}
    assert "remediations" not in result
    for resolved in result["changes"]["resolved"]:
        assert resolved["remediation"]["summary"] and resolved["message"]
    if version >= 4:  # the same sample: the one finding gone is the one resolved, as it was
        (resolved,) = result["changes"]["resolved"]
        assert {k: v for k, v in resolved.items() if k not in ("change", "first_seen")} == gone


def test_two_different_findings_under_one_id_in_a_baseline_are_refused() -> None:
    previous, current = _golden(), _golden()
    twin = copy.deepcopy(previous["findings"][0])
    previous["findings"].append(copy.deepcopy(twin))  # the same finding twice: harmless
    assert compare(previous, current)["changes"]["resolved"] == []
    twin["message"] = "another finding"
    previous["findings"].append(twin)
    with pytest.raises(UsageError, match=f"two different findings have the id '{twin['id']}'"):
        compare(previous, current)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(schema_version=6), "unsupported report schema_version 6"),
    (lambda d: d["findings"][0].update(severity="urgent"),
     "Invalid enum value 'urgent' - at `$.findings[0].severity`"),
    (lambda d: d["findings"][0].pop("shared"), "Object missing required field `message` - at `$.findings[0]`"),
    (lambda d: d.pop("shared"), "findings name blocks of `shared`, but the report has no `shared`"),
    (lambda d: d["findings"][1].update(shared="0" * 16), "findings[1].shared: '0000000000000000' is not a block"),
    (lambda d: d["findings"][2].update(remediation={"ref": "0" * 16}),
     f"remediation.ref '{'0' * 16}' names no entry of remediations"),
])
def test_a_malformed_report_names_the_file_and_the_place(change: Any, message: str) -> None:
    raw = json.loads((OLDER / "report-v4.json").read_text(encoding="utf-8"))
    change(raw)
    with pytest.raises(UsageError) as caught:
        decode_report(json.dumps(raw), "reports/report.json")
    assert str(caught.value).startswith("reports/report.json: ") and message in str(caught.value)
