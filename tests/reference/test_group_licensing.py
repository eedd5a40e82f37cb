"""auditor/reference/group-licensing.csv and what docs/entitlements.md says of it: the editions the page
says the list holds are in it (the page read "(no Teams, EEA, developer, GCC High, DoD)", which says "no
GCC High, DoD" to a reader, where the list has Office 365 E3 for GCCH and for DOD)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# each edition the page names -> how its rows are told in the list (part number or name)
EDITIONS = {
    "no-Teams": re.compile(r"no.Teams", re.I),
    "EEA": re.compile(r"EEA"),
    "developer": re.compile(r"DEVELOPER", re.I),
    "GCC High": re.compile(r"GCCHIGH|GCCH\b"),
    "DoD": re.compile(r"_DOD\b|for DOD"),
}


def _rows() -> list[dict[str, str]]:
    text = (ROOT / "auditor" / "reference" / "group-licensing.csv").read_text("utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


def test_the_editions_the_page_names_are_in_the_list() -> None:
    page = " ".join((ROOT / "docs" / "entitlements.md").read_text("utf-8").split())
    named = re.search(r"every edition of the suites the page names \(with their (.+?) editions\)", page)
    assert named, "docs/entitlements.md no longer says which editions the list holds"
    words = [w.strip() for w in re.split(r",| and ", named[1]) if w.strip()]
    assert words == list(EDITIONS)
    rows = _rows()
    for word, pattern in EDITIONS.items():
        assert any(pattern.search(r["String_Id"] + " " + r["Product_Display_Name"]) for r in rows), word
