"""A fact once checked is not lost to a later edit of the docs (issue 121): every answer of a fact check
(tests/reviews/factcheck-*-answers.md) that says where the docs now hold it carries a mark

    held `docs/PAGE.md`: `the words the page must keep`

and each such page keeps those words (whitespace as Markdown wraps it aside). A cut that drops a
quote a reviewer asked for (as the docs cut of round 10 dropped the co-management sentences) fails
here, naming the claim's file and the words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = sorted((ROOT / "tests" / "reviews").glob("factcheck-*-answers.md"))
HELD = re.compile(r"held `(?P<page>[^`]+)`: `(?P<words>[^`]+)`")


def _flat(text: str) -> str:
    return " ".join(text.split())


def held() -> list[tuple[str, str, str]]:
    return [
        (answers.name, found["page"], found["words"])
        for answers in ANSWERS
        for found in HELD.finditer(answers.read_text("utf-8"))
    ]


def test_every_fact_check_since_the_tenth_holds_its_answers_to_the_docs() -> None:
    holding = {name for name, _, _ in held()}
    assert {"factcheck-10-answers.md", "factcheck-11-answers.md"} <= holding


@pytest.mark.parametrize(("answers", "page", "words"), held(), ids=lambda v: str(v)[:40])
def test_the_docs_keep_what_a_fact_check_answer_says_they_hold(answers: str, page: str, words: str) -> None:
    path = ROOT / page
    assert path.is_file(), f"{answers}: {page} does not exist"
    assert _flat(words) in _flat(path.read_text("utf-8")), f"{answers}: {page} no longer says {words!r}"


def test_a_dropped_quote_is_found() -> None:
    """The check reads across the page's line breaks, and a sentence cut from it is missed."""
    page = "Auto-enrollment with co-management requires\nlicenses for both Azure AD Premium (AADP1) and Intune."
    assert _flat("requires licenses for both") in _flat(page)
    assert _flat("The separate AADP1 licensing requirement remains the same") not in _flat(page)
