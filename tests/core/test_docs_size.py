"""The docs are a manual a person reads, not a lab notebook (issue 107): README.md under 2,500 words,
docs/*.md under 60,000 in all, no page over 8,000, each page's first line naming its kind (tutorial,
how-to, reference or explanation, as Diátaxis splits them) and its reader, no sentence said in two
pages (a link instead), and every link between the pages landing on a page and a heading that exist.

Words are counted as `wc -w` counts them: runs of characters between whitespace."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").glob("*.md"))
README = ROOT / "README.md"
KINDS = ("Tutorial", "How-to", "Reference", "Explanation")
# no page is left out of any check below (the measurement pages are tables rendered from the benchmarks' JSON)
MEASUREMENTS: tuple[str, ...] = ()


def words(path: Path) -> int:
    return len(path.read_text("utf-8").split())


def test_the_readme_is_under_2500_words() -> None:
    assert words(README) <= 2500, f"README.md has {words(README):,} words"


def test_no_page_is_over_8000_words() -> None:
    over = {p.name: words(p) for p in PAGES if words(p) > 8000 and p.name not in MEASUREMENTS}
    assert not over, f"pages over 8,000 words: {over}"


def test_the_docs_are_under_60000_words() -> None:
    total = sum(words(p) for p in PAGES)
    assert total <= 60000, f"docs/*.md: {total:,} words"


def _kind(page: Path) -> bool:
    first = page.read_text("utf-8").split("\n", 1)[0]
    return re.match(rf"({'|'.join(KINDS)})(?:, [a-z-]+)?, for (\S.*)", first) is not None


@pytest.mark.parametrize("page", [p for p in PAGES if p.name not in MEASUREMENTS], ids=lambda p: p.name)
def test_each_page_says_first_what_kind_it_is_and_for_whom(page: Path) -> None:
    first = page.read_text("utf-8").split("\n", 1)[0]
    assert _kind(page), f"{page.name}'s first line names no kind and reader: {first!r}"


def _prose(text: str) -> str:
    """The text outside fenced blocks, comments and tables' pipes, one space between words."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    text = re.sub(r"<!--.*?-->", "", text)
    return " ".join(text.replace("|", " ").split())


def _sentences(text: str) -> set[str]:
    """The sentences of 12 words or more, without the links' targets."""
    text = re.sub(r"\]\([^)]*\)", "]", _prose(text))
    return {s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z`\"“(*])", text) if len(s.split()) >= 12}


def test_no_sentence_is_said_in_two_pages() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for page in [README, *PAGES]:
        if page.name in MEASUREMENTS:
            continue
        for sentence in _sentences(page.read_text("utf-8")):
            where[sentence].append(page.name)
    twice = {s: names for s, names in where.items() if len(names) > 1}
    assert not twice, "said in two pages (link instead):\n" + "\n".join(f"{n}: {s}" for s, n in twice.items())


def _anchors(text: str) -> set[str]:
    """The anchors GitHub makes of a page's headings (lower case, punctuation but `-` and `_` dropped,
    spaces made `-`, a repeated one numbered)."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    seen: dict[str, int] = defaultdict(int)
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return found


def test_every_link_between_the_pages_lands() -> None:
    broken = []
    for page in [README, *(p for p in PAGES if p.name not in MEASUREMENTS)]:
        text = re.sub(r"^```.*?^```", "", page.read_text("utf-8"), flags=re.S | re.M)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            name, _, anchor = target.partition("#")
            file = (page.parent / name).resolve() if name else page
            if not file.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file.read_text("utf-8")):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, "\n".join(broken)
