"""report.json version 5: every finding whole, written in pieces; a file of an earlier version
(written before the first release) is refused with a message to audit once more."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from msgspec import UNSET

from auditor import wording
from auditor.cli import main
from auditor.common.errors import UsageError
from auditor.data.finding_facts import Subject
from auditor.data.model import Cloud, Locale
from auditor.formats.report_json import SCHEMA_VERSION, decode_report, named_products
from auditor.formats.report_model import BaselineChanges, ReportDocument, finding_of
from auditor.report import chunks
from auditor.report import write as report_module
from auditor.report.baseline import compare, load_baseline
from auditor.rules.hygiene.accounts import InactiveUserLicensed

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
GOLDEN = HERE / "__snapshots__" / "test_sample_report" / "test_sample_report[report.json].json"
FINDING_KEYS = [
    "id",
    "rule",
    "severity",
    "policy",
    "subject",
    "skus",
    "message",
    "details",
    "monthly_cost",
    "waived",
    "waiver",
    "remediation",
]


def _audit(tmp_path: Path, snapshot: Path = SAMPLE) -> Path:
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(snapshot),
                "--policies",
                str(EXAMPLE),
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--as-of",
                "2026-11-01T06:00:00Z",
            ]
        )
        == 1
    )
    return out / "report.json"


def _golden() -> ReportDocument:
    return decode_report(GOLDEN.read_bytes(), str(GOLDEN))


def test_each_finding_carries_its_own_policy_message_details_and_remediation(tmp_path: Path) -> None:
    path = _audit(tmp_path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["schema_version"] == SCHEMA_VERSION == 5
    assert "remediations" not in raw and "shared" not in raw
    names = named_products((row.sku, row.name) for row in decode_report(path.read_bytes(), str(path)).skus)
    for f in raw["findings"]:
        # `state`: the finding's state in the plan (none for a finding the plan leaves alone)
        assert list(f) == FINDING_KEYS + (["state"] if "state" in f else []), f["id"]
        assert isinstance(f["policy"], str) and f["message"] and isinstance(f["details"], dict)
        assert f["remediation"] == wording.remediation(
            f["rule"],
            finding_of(f["subject"], f["skus"], f["details"]),
            cloud=Cloud.WORLDWIDE,
            locale=Locale.EN,
            names=names,
        ), f["rule"]
        for action in f["remediation"]["actions"]:  # the calls name this finding's own user
            if f["subject"]["type"] == "user" and action["user"] is not None:
                # or the one an idle Copilot seat moves to (copilot-seat-idle)
                assert action["user"] in (f["subject"]["id"], f["details"].get("candidate_id"))
        if f["subject"]["type"] == "user":  # and the texts name them
            label = msgspec.convert(f["subject"], Subject).label
            assert label in json.dumps(f["remediation"], ensure_ascii=False), f["id"]


def test_report_json_is_written_one_chunk_of_findings_per_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _golden()
    pieces: list[bytes] = []

    def keep(path: Path, chunks: Any) -> None:
        pieces.extend(chunks)
        path.write_bytes(b"".join(pieces))

    monkeypatch.setattr(report_module, "write_bytes", keep)
    monkeypatch.setattr(chunks, "CHUNK", 2)
    report_module.render(document, tmp_path, report_module.RenderOptions(formats=["json"]))
    text = (tmp_path / "report.json").read_bytes()
    assert text == GOLDEN.read_bytes()
    assert json.loads(text) == msgspec.to_builtins(document)
    findings = document.findings
    # never the whole file in one buffer: the largest piece is two findings (a chunk, with its separators)
    assert len(findings) > 4
    assert len(pieces) > len(findings) // 2
    pairs = [findings[i : i + 2] for i in range(0, len(findings), 2)]
    separator = len(b",\n    ")
    assert max(map(len, pieces)) == max(sum(len(msgspec.json.encode(f)) + separator for f in pair) for pair in pairs)
    lines = text.decode().splitlines()
    start = lines.index('  "findings": [')
    assert [
        json.loads(line.strip().rstrip(",")) for line in lines[start + 1 : start + 1 + len(findings)]
    ] == msgspec.to_builtins(findings)
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
def test_a_report_of_an_earlier_version_is_refused_with_a_message_to_audit_again(version: int) -> None:
    raw = json.loads(GOLDEN.read_text(encoding="utf-8")) | {"schema_version": version}
    with pytest.raises(UsageError) as caught:
        decode_report(json.dumps(raw), "reports/report.json")
    assert str(caught.value) == (
        f"reports/report.json: report schema_version {version} was written by a license-auditor from before its "
        "first release, and this version reads only schema_version 5; run `license-auditor audit` once more to "
        "write it again"
    )
    assert caught.value.exit_code == 2


def test_a_baseline_of_an_earlier_version_stops_the_audit_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "previous.json"
    old.write_text(json.dumps(json.loads(GOLDEN.read_text(encoding="utf-8")) | {"schema_version": 4}), encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(SAMPLE),
                "--policies",
                str(EXAMPLE),
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--baseline",
                str(old),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert f"{old}: report schema_version 4 was written by a license-auditor from before its first release" in err
    assert "run `license-auditor audit` once more" in err
    assert not (out / "report.json").exists()


def test_a_baseline_keeps_resolved_findings_whole() -> None:
    previous = load_baseline(GOLDEN)
    current = _golden()
    gone = previous.findings[0]
    current.findings = [f for f in current.findings if f.id != gone.id]
    result = compare(previous, current)
    assert isinstance(result.changes, BaselineChanges)
    (resolved,) = result.changes.resolved
    assert resolved.remediation["summary"] and resolved.message
    assert msgspec.structs.replace(resolved, change=UNSET, first_seen=UNSET) == gone


def test_two_different_findings_under_one_id_in_a_baseline_are_refused() -> None:
    previous, current = _golden(), _golden()
    twin = copy.deepcopy(previous.findings[0])
    previous.findings.append(copy.deepcopy(twin))  # the same finding twice: harmless
    assert compare(previous, current).changes == BaselineChanges(
        baseline_generated_at=previous.generated_at, baseline_as_of=previous.as_of, persisting=len(current.findings)
    )
    twin.message = "another finding"
    previous.findings.append(twin)
    with pytest.raises(UsageError, match=f"two different findings have the id '{twin.id}'"):
        compare(previous, current)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=6), "unsupported report schema_version 6"),
        (lambda d: d.update(schema_version="5"), "unsupported report schema_version '5'"),
        (
            lambda d: d["findings"][0].update(severity="urgent"),
            "Invalid enum value 'urgent' - at `$.findings[0].severity`",
        ),
        (lambda d: d["findings"][0].pop("message"), "Object missing required field `message` - at `$.findings[0]`"),
        # the parts other stages write are decoded with the rest (#88, point 2)
        (lambda d: d["findings"][60]["waiver"].update(owner=7), "got `int` - at `$.findings[60].waiver.owner`"),
        (lambda d: d["findings"][0].update(state={"key": 1}), "got `int` - at `$.findings[0].state.key`"),
        (
            lambda d: d["findings"][0].update(tenant={"id": "t"}),
            "missing required field `name` - at `$.findings[0].tenant`",
        ),
        (
            lambda d: d["subscriptions"][0].update(totalLicenses=-2),
            "`int` >= 0 - at `$.subscriptions[0].totalLicenses`",
        ),
        (
            lambda d: d["subscriptions"][0].update(createdDateTime="yesterday"),
            "createdDateTime: 'yesterday' is not an ISO-8601 date-time - at `$.subscriptions[0]`",
        ),
        (lambda d: d.update(billing_facts=[{"subscription": 1}]), "got `int` - at `$.billing_facts[0].subscription`"),
        (
            lambda d: d.update(distributor={"schema": 1, "distributor": "pax8", "findings": [{"kind": "billed_x"}]}),
            "Invalid value 'billed_x' - at `$.distributor.findings[0].kind`",
        ),
    ],
)
def test_a_malformed_report_names_the_file_and_the_place(change: Any, message: str) -> None:
    raw = json.loads(GOLDEN.read_text(encoding="utf-8"))
    change(raw)
    with pytest.raises(UsageError) as caught:
        decode_report(json.dumps(raw), "reports/report.json")
    assert str(caught.value).startswith("reports/report.json: ") and message in str(caught.value)


@pytest.mark.parametrize(
    ("key", "value", "place"),
    [
        ("storage", {"wait": 3}, "details.storage.wait"),  # the fix's (auditor.data.finding_facts.Fix)
        ("assigned_by_group", "All Staff", "details.assigned_by_group"),  # how the user holds it (Holding)
    ],
)
def test_a_finding_part_of_the_wrong_type_is_refused_as_report_json_is_read(
    key: str, value: object, place: str
) -> None:
    """report.json is decoded once, at its border: a finding's holding or fix of the wrong type is
    named with its place (exit 2), never read as something else further on."""
    raw = json.loads(GOLDEN.read_text(encoding="utf-8"))
    raw["findings"][3]["details"][key] = value
    with pytest.raises(UsageError) as caught:
        decode_report(json.dumps(raw), "reports/report.json")
    assert f"`{place}`" in str(caught.value) and "findings[3]" in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_rules_own_detail_of_the_wrong_type_stops_a_merge_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rule's own details are decoded by its TypedDict where the texts read them: `merge`, which
    words every finding again, on a report whose finding's own detail has the wrong type says which,
    and exits 2."""
    report = _audit(tmp_path)
    raw = json.loads(report.read_text(encoding="utf-8"))
    finding = next(f for f in raw["findings"] if f["rule"] == InactiveUserLicensed.id)
    finding["details"]["days"] = "ninety"
    report.write_text(json.dumps(raw), encoding="utf-8")
    (report.parent / "snapshot.json").write_bytes(SAMPLE.read_bytes())
    merged = ["merge", str(report.parent), "--policies", str(EXAMPLE), "--output-dir", str(tmp_path / "merged")]
    assert main(merged) == 2
    assert "`details.days`" in capsys.readouterr().err
