"""Where a person reads, a product is named as people know it: the sample tenant's reports (report.html,
report.md, the e-mail digest, plan.md and the bill's calendar files, in every locale) hold none of the
tenant's skuPartNumbers, skuIds or subscription ids in their prose. The codes stay where an admin
types or copies them: report.json, plan.json, findings.csv, code blocks and PowerShell, the subject's id
column, and the policy entry a finding came from (as the policy file names it)."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.formats.report_model import SeatRow
from auditor.guidance.details import waiver_label
from auditor.report.view.seats import _product_label, _product_name

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
BILLING = ROOT / "auditor_dev" / "sample" / "sample-billing.csv"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def _codes() -> tuple[set[str], set[str]]:
    """The sample tenant's part numbers, and its skuIds and subscription ids (lower case)."""
    tenant = json.loads(SAMPLE.read_text("utf-8"))
    parts = {s["skuPartNumber"] for s in tenant["subscribedSkus"]}
    ids = {s["skuId"].lower() for s in tenant["subscribedSkus"]}
    ids |= {s["id"].lower() for s in tenant.get("subscriptions", [])}
    return parts, ids


PARTS, IDS = _codes()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Locale], Path]]:
    """The folder of the sample tenant's audit (with the sample billing file) and plan, per locale."""
    folders: dict[Locale, Path] = {}

    def run(locale: Locale) -> Path:
        if locale not in folders:
            out = tmp_path_factory.mktemp(f"names-{locale.value}")
            main(
                [
                    "audit",
                    "--snapshot",
                    str(SAMPLE),
                    "--policies",
                    str(EXAMPLE),
                    "--billing",
                    str(BILLING),
                    "--as-of",
                    "2026-11-01T06:00:00Z",
                    "--locale",
                    locale.value,
                    "--output-dir",
                    str(out),
                ]
            )
            assert main(["plan", "--report-dir", str(out), "--billing", str(BILLING)]) == 0
            folders[locale] = out
        return folders[locale]

    yield run


def _html_prose(text: str) -> str:
    text = re.sub(r"<(head|style|script|pre|code)\b.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(rf"<td\b[^>]*>\s*{GUID}\s*</td>", " ", text)  # the subject's id column
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _markdown_prose(text: str) -> str:
    text = re.sub(r"^```.*?^```", " ", text, flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = text.replace("<!-- -->", "")
    text = re.sub(r"\\(.)", r"\1", text)
    return re.sub(rf"\|\s*{GUID}\s*(?=\|)", "| ", text)  # the subject's id column


def _calendar_prose(text: str) -> str:
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    return "\n".join(
        line.split(":", 1)[1] for line in unfolded.splitlines() if line.startswith(("SUMMARY:", "DESCRIPTION:"))
    )


def _prose(folder: Path) -> dict[str, str]:
    """Each file a person reads, as the words it shows."""
    files = {name: _html_prose((folder / name).read_text("utf-8")) for name in ("report.html", "digest.html")}
    files |= {name: _markdown_prose((folder / name).read_text("utf-8")) for name in ("report.md", "plan.md")}
    files["digest.txt"] = (folder / "digest.txt").read_text("utf-8")
    files |= {path.name: _calendar_prose(path.read_text("utf-8")) for path in sorted(folder.glob("bill-*.ics"))}
    # the policy entry a finding came from, as the policy names it ("contoso-baseline/usage/SPE_E5-SPE_E3")
    entries = {f["policy"] for f in json.loads((folder / "report.json").read_text("utf-8"))["findings"]}
    for name, text in files.items():
        for entry in sorted(entries, key=len, reverse=True):
            text = text.replace(entry, " ")
        files[name] = text
    return files


def _codes_in(text: str) -> list[str]:
    found = [t for t in re.findall(r"[A-Za-z0-9_]+", text) if t in PARTS]
    return found + [g for g in re.findall(GUID, text) if g.lower() in IDS]


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_no_part_number_or_id_where_a_person_reads(locale: Locale, rendered: Callable[[Locale], Path]) -> None:
    prose = _prose(rendered(locale))
    assert any(name.endswith(".ics") for name in prose)  # the bill's calendar files are read too
    found = {name: sorted(set(codes)) for name, text in prose.items() if (codes := _codes_in(text))}
    assert found == {}


def test_the_codes_stay_where_an_admin_types_them(rendered: Callable[[Locale], Path]) -> None:
    """The same run keeps the part numbers and ids in report.json, plan.json and findings.csv, so the
    test above does not pass by losing them."""
    folder = rendered(Locale.EN)
    for name in ("report.json", "findings.csv", "plan.json"):
        text = (folder / name).read_text("utf-8")
        assert "SPE_E3" in text and "POWER_BI_PRO" in text, name
    csv_text = (folder / "findings.csv").read_text("utf-8")
    assert any(sub in csv_text for sub in IDS), "findings.csv keeps the subscription and product ids"
    prose = _prose(folder)
    assert "Microsoft 365 E3" in prose["report.md"] and "Enterprise Mobility + Security E3" in prose["plan.md"]


def test_the_scan_finds_a_code_in_prose() -> None:
    """The scanner itself: a part number or id in a sentence is found; in code or an id cell it is not."""
    sub = sorted(IDS)[0]
    assert _codes_in(_markdown_prose("The subscription EMS (x) ends.")) == ["EMS"]
    assert _codes_in(_markdown_prose(f"| **Visio Plan 2**<br>ends | {sub} |")) == []
    assert _codes_in(_markdown_prose(f"It ends ({sub}).")) == [sub]
    assert _codes_in(_html_prose("<p>Microsoft 365 E3 (SPE_E3)</p><pre>Get-MgUser SPE_E5</pre>")) == ["SPE_E3"]


def test_the_seat_table_names_the_product_and_its_code_only_where_two_names_match() -> None:
    rows = [
        SeatRow(sku="SPE_E3", sku_id="1", name="Microsoft 365 E3"),
        SeatRow(sku="SPE_E3_USGOV_DOD", sku_id="2", name="Microsoft 365 E3"),
        SeatRow(sku="EMS", sku_id="3", name="Enterprise Mobility + Security E3"),
        SeatRow(sku="CUSTOM_SKU", sku_id="4"),
    ]
    named = Counter(_product_name(r) for r in rows)
    assert [_product_label(r, named) for r in rows] == [
        "Microsoft 365 E3 (SPE_E3)",
        "Microsoft 365 E3 (SPE_E3_USGOV_DOD)",
        "Enterprise Mobility + Security E3",
        "CUSTOM_SKU",
    ]


def test_a_waiver_reads_as_its_rule_and_subject() -> None:
    assert waiver_label("guest-licensed:*#EXT#@contoso.example:POWER_BI_PRO") == "guest-licensed:*#EXT#@contoso.example"
    assert (
        waiver_label("sku-combination-forbidden:ceo@contoso.example") == "sku-combination-forbidden:ceo@contoso.example"
    )
