"""The feature map (issue 108, point 4): feature-map.csv and feature-map.md beside the reports, per premium
feature the entitlement rules judge: the license, the tenant's products that carry it, the users it reaches and
those entitled, Microsoft's sentence and page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from auditor.cli import main
from auditor.impact import entitlement_scope as scope
from auditor.impact.feature_map import JUDGED, NOT_IN_POLICY, SOURCES
from auditor.report import feature_map_files as feature_map
from auditor.rules.entitlements.entitlement import PLAN_FEATURES, EntitlementMissing

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
POLICY = ROOT / "examples" / "contoso-policy.yaml"


def _audit(out: Path, policy: Path, formats: str = "json,csv,md", locale: str = "en") -> Path:
    args = ["audit", "--snapshot", str(SAMPLE), "--as-of", "2026-11-01T06:00:00Z", "--policies", str(policy)]
    args += ["--locale", locale]
    assert main([*args, "--output-dir", str(out), "--format", formats, "--fail-on", "never"]) == 0
    return out


def _rows(path: Path) -> dict[str, dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # as findings.csv: Excel reads UTF-8 with a byte-order mark
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames or ()) == feature_map.COLUMNS
    return {row["feature"]: row for row in reader}


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _audit(tmp_path_factory.mktemp("fm") / "out", POLICY)


def test_every_feature_the_entitlement_rules_judge_is_in_the_map(example_run: Path) -> None:
    judged_by_rules = set(scope.FEATURES) | {f for features in PLAN_FEATURES.values() for f in features}
    assert judged_by_rules <= set(SOURCES)  # each with its license, sentence and page
    rows = _rows(example_run / feature_map.CSV_NAME)
    assert set(rows) == judged_by_rules
    for feature, row in rows.items():
        assert row["page"].startswith("https://") and row["microsoft_sentence"] and row["license"]
        assert row["status"] in (JUDGED, NOT_IN_POLICY, "not read"), feature


def test_the_counts_are_the_entitlement_findings_counts(example_run: Path) -> None:
    """Each judged feature's members not entitled are the entitlement-missing findings that list it (enabled
    members); group memberships also count disabled members, which get no finding of their own."""
    report = json.loads((example_run / "report.json").read_text("utf-8"))
    named = {f for features in _policy_features(POLICY) for f in features}  # what the example policy names
    missing: Counter[str] = Counter()
    for finding in report["findings"]:
        if finding["rule"] == EntitlementMissing.id:
            missing.update(finding["details"]["features"])
    rows = _rows(example_run / feature_map.CSV_NAME)
    checked = 0
    for feature, row in rows.items():
        if feature not in named:
            assert row["status"] == NOT_IN_POLICY and row["members_reached"] == "", feature
            continue
        assert row["status"] == JUDGED, feature
        reached, entitled = int(row["members_reached"]), int(row["members_entitled"])
        assert int(row["members_not_entitled"]) == reached - entitled
        if feature not in scope.MEMBERSHIP_FEATURES:
            assert reached - entitled == missing[feature], feature
            checked += missing[feature] > 0
    assert checked >= 5  # the sample reaches users without an entitling product under several features


def _policy_features(policy: Path) -> list[list[str]]:
    """The features each policy document's `entitlements:` names (all five by default)."""
    found = []
    for doc in yaml.safe_load_all(policy.read_text("utf-8")):
        section = (doc or {}).get("entitlements")
        if section is not None:
            found.append(list(section.get("features") or scope.DEFAULT_FEATURES))
    return found


def test_products_listed_are_those_whose_service_plans_carry_the_license(example_run: Path) -> None:
    rows = _rows(example_run / feature_map.CSV_NAME)
    sample = json.loads(SAMPLE.read_text("utf-8"))
    parts = {s["skuPartNumber"] for s in sample.get("skus", sample.get("subscribedSkus", []))}
    risk = rows[scope.RISK_BASED_ACCESS]["entitling_products"]
    assert "(SPE_E5)" in risk and "(SPE_E3)" not in risk  # E5 carries AAD_PREMIUM_P2, E3 only AAD_PREMIUM
    assert "(SPE_E3)" in rows[scope.CONDITIONAL_ACCESS]["entitling_products"]
    listed = {
        p.rsplit("(", 1)[1].rstrip(")") for row in rows.values() for p in row["entitling_products"].split("; ") if p
    }
    assert listed <= parts


def test_the_markdown_table_has_a_row_per_feature_and_microsofts_sentences(example_run: Path) -> None:
    text = (example_run / feature_map.MD_NAME).read_text("utf-8")
    for feature, (_, _, sentence, page) in SOURCES.items():
        assert re.search(rf"^\| {feature} \|", text, re.MULTILINE), feature
        assert f'"{sentence}" ({page})' in text


@pytest.mark.parametrize("locale", ["nl", "da", "sv", "tr"])
def test_the_markdown_is_in_the_reports_language(example_run: Path, tmp_path: Path, locale: str) -> None:
    """Native review 9, S4 and E17: the map's heading, sentences, column labels and status values were English
    (and snake_case) in every language. They are the report's language now; Microsoft's sentences stay quoted word
    for word, and the CSV keeps its column names and status codes, as findings.csv does."""
    out = _audit(tmp_path / "out", POLICY, locale=locale)
    english = (example_run / feature_map.MD_NAME).read_text("utf-8").splitlines()
    said = (out / feature_map.MD_NAME).read_text("utf-8").splitlines()
    assert said[0] != english[0] and said[0].endswith(": Contoso")  # the heading
    assert not any(s in said[2] for s in english[2].split(". "))  # the introduction, sentence by sentence
    labels, english_labels = said[4].strip("| ").split(" | "), english[4].strip("| ").split(" | ")
    assert len(labels) == 9 and not set(labels) & (set(english_labels) - {"Status"})
    assert not any("_" in label for label in labels)
    rows = [line.strip("| ").split(" | ") for line in said[6:] if line.startswith("| ")]
    assert len(rows) == len(SOURCES)
    assert not {row[4] for row in rows} & {JUDGED, NOT_IN_POLICY, "not read", "checked"}  # the status, said
    quoted = next(i for i, line in enumerate(said) if line.startswith("- `")) - 2  # "What Microsoft says …"
    assert said[quoted] and said[quoted] not in english
    text = "\n".join(said)
    for _, _, sentence, page in SOURCES.values():
        assert f'"{sentence}" ({page})' in text  # Microsoft's own words, as on its page
    codes = _rows(out / feature_map.CSV_NAME)  # its column names checked there
    assert {row["status"] for row in codes.values()} <= {JUDGED, NOT_IN_POLICY, "not read"}


# the words the license column joins Microsoft's license names with, in English
JOINING = (" or ", "a product on Microsoft's list", "some capabilities", "carries it")


@pytest.mark.parametrize("locale", ["nl", "da", "sv", "tr"])
def test_the_license_columns_joining_words_are_in_the_reports_language(
    example_run: Path, tmp_path: Path, locale: str
) -> None:
    """Issue 121 (S4's rest): "Microsoft Entra ID P2 or Microsoft Entra ID Governance", "(some capabilities: …)",
    "(Plan 2 carries it)" stayed English in every language. The license names stay Microsoft's; the words that
    join them are the report's, in feature-map.md and in feature-map.csv's `license` cell, a text a person reads
    as findings.csv's `message` is (the column names and status codes stay English: scripts read them)."""
    english = _rows(example_run / feature_map.CSV_NAME)
    assert all(any(word in english[f]["license"] for f in english) for word in JOINING)  # each is used
    out = _audit(tmp_path / "out", POLICY, locale=locale)
    md = (out / feature_map.MD_NAME).read_text("utf-8").splitlines()
    cells = {
        row[0].replace("\\_", "_"): row[2]
        for line in md[6:]
        if line.startswith("| ")
        for row in [line.strip("| ").split(" | ")]
    }
    said = _rows(out / feature_map.CSV_NAME)
    assert set(cells) == set(said) == set(english)
    for feature, row in said.items():
        assert row["license"] == cells[feature], feature  # the CSV's cell is the Markdown's
        assert not [w for w in JOINING if w in row["license"]], (feature, row["license"])
        for name in ("Microsoft Entra ID P1", "Microsoft Entra ID P2", "Microsoft Entra ID Governance"):
            assert (name in row["license"]) == (name in english[feature]["license"]), feature  # Microsoft's names
        assert row["status"] == english[feature]["status"]  # a code


def test_each_sentence_is_quoted_in_the_docs() -> None:
    """The map's sentences are the ones the docs quote with their context, word for word."""
    docs = " ".join(" ".join(p.read_text("utf-8").split()) for p in (ROOT / "docs").glob("*.md"))
    docs = docs.replace("**", "")
    for feature, (_, _, sentence, page) in SOURCES.items():
        assert sentence.rstrip(".") in docs, feature
        assert page.split("#")[0] in docs, feature


def test_no_map_without_an_entitlements_section(tmp_path: Path) -> None:
    text = POLICY.read_text("utf-8")
    start = text.index("\nentitlements:")
    rest = text[start + 1 :]
    end = re.search(r"\n\S", rest)
    policy = tmp_path / "policy.yaml"
    policy.write_text(text[: start + 1] + (rest[end.start() + 1 :] if end else ""), "utf-8")
    out = _audit(tmp_path / "out", policy)
    assert (out / "report.json").is_file()
    assert not (out / feature_map.CSV_NAME).exists() and not (out / feature_map.MD_NAME).exists()


def test_the_format_chooses_which_is_written(tmp_path: Path) -> None:
    out = _audit(tmp_path / "out", POLICY, formats="json,md")
    assert (out / feature_map.MD_NAME).is_file() and not (out / feature_map.CSV_NAME).exists()
