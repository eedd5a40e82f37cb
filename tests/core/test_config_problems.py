"""A configuration that says what it did not understand: report.json config_problems, the top of
the digest and the report, and `--strict`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor.cli import main

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"


def _typo(tmp_path: Path) -> Path:
    """The example policy with SPE_E5 mistyped SPE_E55 (and a real product the tenant lacks: no problem)."""
    text = EXAMPLE.read_text("utf-8").replace("SPE_E5]", "SPE_E55]")
    text = text.replace("forbidden: [", "forbidden: [VISIO_PLAN1_DEPT, ", 1)
    assert "SPE_E55" in text
    path = tmp_path / "typo.yaml"
    path.write_text(text, "utf-8")
    return path


def _audit(tmp_path: Path, policy: Path, *extra: str) -> int:
    return main(
        [
            "audit",
            "--snapshot",
            str(SAMPLE),
            "--policies",
            str(policy),
            "--as-of",
            "2026-11-01T06:00:00Z",
            "--output-dir",
            str(tmp_path / "out"),
            *extra,
        ]
    )


def test_an_unknown_product_is_a_problem_with_its_line_and_a_suggestion(tmp_path: Path) -> None:
    policy = _typo(tmp_path)
    assert _audit(tmp_path, policy) == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    (problem,) = report["config_problems"]
    line = next(n for n, text in enumerate(policy.read_text("utf-8").splitlines(), 1) if "SPE_E55" in text)
    assert (problem["file"], problem["line"], problem["product"], problem["suggestion"]) == (
        str(policy),
        line,
        "SPE_E55",
        "SPE_E5",
    )
    for name in ("digest.txt", "report.md"):
        top = re.sub(r"\\(?=[^\w\s]|_)", "", (tmp_path / "out" / name).read_text("utf-8"))[:3000]  # Markdown's escapes
        assert f"typo.yaml:{line}: the product SPE_E55" in top, name
    assert "did you mean SPE_E5?" in (tmp_path / "out" / "report.html").read_text("utf-8")


def test_strict_refuses_a_configuration_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _audit(tmp_path, _typo(tmp_path), "--strict") == 2
    assert "SPE_E55" in capsys.readouterr().err and not (tmp_path / "out" / "report.json").exists()
    assert _audit(tmp_path, EXAMPLE, "--strict") == 1  # the example policy has none


def test_the_example_policy_has_no_problem(tmp_path: Path) -> None:
    _audit(tmp_path, EXAMPLE)
    assert json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))["config_problems"] == []


def test_billing_rows_matching_nothing_or_in_another_currency(tmp_path: Path) -> None:
    sample = (ROOT / "auditor_dev" / "sample" / "sample-billing.csv").read_text("utf-8")
    e3 = "6f5e5c0b-466f-5e80-9fe3-47c4054dd921"
    text = sample.replace(
        f"{e3},mca,P1Y,2026-03-01,2027-03-01,true,2026-10-29:15,33.75,EUR",
        f"{e3},mca,P1Y,2026-03-01,2027-03-01,true,2026-10-29:15,39.00,USD",
    )
    text += "Microsoft 365 E5,mca,P1Y,2026-03-18,2027-03-18,true,,54.75,EUR\n"  # a name, not an id
    billing = tmp_path / "billing.csv"
    billing.write_text(text, "utf-8")
    assert _audit(tmp_path, EXAMPLE, "--billing", str(billing)) == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    lines = text.splitlines()
    problems = {p["code"]: p for p in report["config_problems"]}
    assert set(problems) == {"billing_unmatched", "billing_currency"}
    assert problems["billing_unmatched"]["line"] == len(lines)
    assert problems["billing_currency"]["line"] == next(n for n, line in enumerate(lines, 1) if "USD" in line)
    assert "priced in USD, the policy's prices in EUR" in problems["billing_currency"]["what"]
    # the bill never takes the dollar price as euros: the E3 reduction is priced at the policy's €33.75
    (action,) = [a for a in report["bill"]["actions"] if a["subscription"] == e3]
    assert action["seats"] > 0 and action["monthly_saving"] == round(action["seats"] * 33.75, 2)
    assert _audit(tmp_path, EXAMPLE, "--billing", str(billing), "--strict") == 2


def test_billing_rows_of_other_tenants_are_counted_in_one_line_and_not_kept(tmp_path: Path) -> None:
    """An MSP's shared file: the rows that name none of the tenant's subscriptions are one problem,
    and neither they nor their ids reach report.json (billing_facts keeps the matched rows only)."""
    sample = (ROOT / "auditor_dev" / "sample" / "sample-billing.csv").read_text("utf-8")
    first = len(sample.splitlines()) + 1
    others = [f"0b9e8d7c-6f5a-4b3c-8d2e-{i:012x},mca" for i in range(3000)]
    billing = tmp_path / "billing.csv"
    billing.write_text(sample + "\n".join(others) + "\n", "utf-8")
    assert _audit(tmp_path, EXAMPLE, "--billing", str(billing), "--format", "json,md") == 1
    text = (tmp_path / "out" / "report.json").read_text("utf-8")
    report = json.loads(text)
    (problem,) = [p for p in report["config_problems"] if p["code"] == "billing_unmatched"]
    assert problem["line"] == first
    assert problem["what"].startswith(
        f"3,000 billing row(s) name no subscription of the tenant, the first on line {first}"
    )
    # the sample's rows (every one a subscription of the sample tenant), less the comment and header lines
    matched = sum(1 for line in sample.splitlines() if line and not line.startswith(("#", "subscription,")))
    assert len(report["billing_facts"]) == matched
    assert "0b9e8d7c-6f5a-4b3c" not in text and "0b9e8d7c-6f5a-4b3c" not in (tmp_path / "out" / "report.md").read_text()


def test_billing_problems_are_said_in_the_report_s_language(tmp_path: Path) -> None:
    """Review round 5 (S1): the configuration problems atop a Dutch report and in its e-mail's first
    lines were English; the billing rows' problems are catalog sentences too."""
    sample = (ROOT / "auditor_dev" / "sample" / "sample-billing.csv").read_text("utf-8")
    e3 = "6f5e5c0b-466f-5e80-9fe3-47c4054dd921"
    text = sample.replace(
        f"{e3},mca,P1Y,2026-03-01,2027-03-01,true,2026-10-29:15,33.75,EUR",
        f"{e3},mca,P1Y,2026-03-01,2027-03-01,true,2026-10-29:15,39.00,USD",
    )
    text += "Microsoft 365 E5,mca,P1Y,2026-03-18,2027-03-18,true,,54.75,EUR\n"
    billing = tmp_path / "billing.csv"
    billing.write_text(text, "utf-8")
    _audit(tmp_path, EXAMPLE, "--billing", str(billing), "--locale", "nl", "--format", "json,md,html")
    digest = (tmp_path / "out" / "digest.txt").read_text("utf-8")
    top = digest.split("\n\n")[0]
    # the row that names a product instead of a subscription is counted, in Dutch, and never named
    assert "in USD geprijsd" in top and "1 regel in het factureringsbestand noemt geen abonnement" in top, top
    assert "Microsoft 365 E5,mca" not in digest
    for english in ("names no subscription", "is priced in", "not used", "the bill takes"):
        assert english not in digest
