"""The product speaks American English, as Microsoft's own pages do ("license", "licensed users"): the list
of licensed users each customer gets is its "license list", never a "licence list" in one place and a
"license list" in the next. Words quoted from another's page keep their own spelling."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from auditor.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")  # a quotation, possibly over a line break
READ = ("README.md", "tenants.example.yaml", "action.yml", "docs/", ".github/workflows/")


def _files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split() if name.startswith(READ) and name.endswith((".md", ".yml", ".yaml"))]


def test_what_a_reader_reads_says_license_outside_a_quotation() -> None:
    files = _files()
    assert "docs/msp.md" in files
    found = [
        f"{name}: {m.group(0)!r}"
        for name in files
        for m in re.finditer(r"\blicen[cs]e\w*", QUOTED.sub("", (ROOT / name).read_text("utf-8")), re.I)
        if m.group(0).lower().startswith("licence")
    ]
    assert not found, "British spelling where the product is American English:\n" + "\n".join(found)


def test_the_product_says_license_list() -> None:
    """Everywhere but the changelog's history (and this file, which names the other spelling)."""
    here = ":!" + Path(__file__).relative_to(ROOT).as_posix()
    asked = ["git", "grep", "-il", "-E", "licence\\s+list", "--", ".", ":!CHANGELOG.md", here]
    listed = subprocess.run(asked, cwd=ROOT, capture_output=True, text=True)
    assert listed.returncode in (0, 1) and listed.stdout.split() == []
    said = " ".join(build_parser().format_help().split())  # `lists`: "e-mail each customer its own license list"
    assert "its own license list" in said and "licence" not in said
