"""Every language translates every guidance text, and guidance.pot is what the code declares.

A check of its own (`python -m pytest -q -m translations`), left out of the test suite
(pyproject.toml, addopts) so that its one failure lists everything to do, per language. It blocks:
`.ci/run` and the CI job `translations` fail on it, and a new text is translated in the same
change (scripts/relocale.sh, docs/guidance.md), or waits on the list of texts whose translations
follow (auditor/locale/to-translate.txt, which scripts/relocale.sh generates: auditor_dev/to_translate.py):
a new text no language translates yet, never one whose English changed meaning nor one emptied; the
check prints the list as a warning on every run, and fails on a list other than the generated one.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import pytest
from babel.messages.pofile import write_po

from auditor import wording
from auditor.data.model import Locale
from auditor.guidance import texts
from auditor_dev import to_translate as tt
from tests import po_catalogs as po
from tests.guidance.test_guidance_gettext import extracted

pytestmark = pytest.mark.translations

POT = Path(__file__).parents[2] / "auditor" / "locale" / f"{texts.DOMAIN}.pot"
LATER = POT.parent / "to-translate.txt"
TRANSLATED = [locale for locale in Locale if locale is not texts.SOURCE_LOCALE]
SAME_AS_ENGLISH_OK = {"link.vlsc"}  # a proper name
ENGLISH_WORDS = re.compile(r"\b(the|and|which|should|with|from|licenses|select|then)\b")


def _body(catalog_text: str) -> str:
    return catalog_text.split("\n\n", 1)[1]


def _missing(locale: Locale) -> list[str]:
    """What `locale`'s guidance.po lacks: each declared text it does not translate (missing, empty,
    fuzzy, left in English, or translated from an English the code no longer has), and each
    entry whose text the code no longer declares."""
    catalog = po.read_catalog(po.po_path(locale, texts.DOMAIN), locale)
    declared = {
        (context, english if plural is None else (english, plural))
        for text in wording.declared()
        for context, english, plural in text.entries()
    }
    out: list[str] = []
    # a new text's guess is another text's translation, copied; a changed text keeps its own old one
    settled = tt.guesses(catalog)
    for context, english in sorted(declared, key=str):
        found = catalog.get(english, context=context)
        forms = po.forms(found.string) if found is not None else ()
        stale = [m for m in po.messages(catalog) if m.context == context] if found is None else []
        lacks = tt.state(found, catalog, settled)  # what auditor_dev/to_translate.py lists by, too
        if stale:
            out.append(f"{context}: translates an older English text (pybabel update marks it fuzzy)")
        elif lacks is not None:
            out.append(f"{context}: {lacks}")
        elif context not in SAME_AS_ENGLISH_OK and forms == po.forms(english):
            out.append(f"{context}: left in English")
        elif context not in SAME_AS_ENGLISH_OK and any(ENGLISH_WORDS.search(form) for form in forms):
            out.append(f"{context}: English words in {forms!r}")
    keys = {context for context, _ in declared}
    out += [
        f"{m.context}: no longer in the code (pybabel update --ignore-obsolete)"
        for m in po.messages(catalog)
        if m.context not in keys
    ]
    return out


read_later = tt.read_list

# what a text on the list may lack; a text whose English changed (fuzzy with its own old translation,
# or translating an older English) stays blocking
_NEW_TEXT = tuple(f": {lack}" for lack in tt.NEW_TEXT)


def sort_out(problems: dict[Locale, list[str]], later: list[str], keys: set[str]) -> tuple[list[str], list[str]]:
    """(what blocks, what waits on the list): a listed key's untranslated new text waits; a listed
    key that is not declared, or that every language translates, blocks as a stale list."""
    blocking: list[str] = []
    waiting: list[str] = []
    for locale, found in problems.items():
        for problem in found:
            key = problem.split(":", 1)[0]
            (waiting if key in later and problem.endswith(_NEW_TEXT) else blocking).append(f"{locale.value}: {problem}")
    pending = {problem.split(":", 1)[0] for found in problems.values() for problem in found}
    blocking += [f"{LATER.name}: {key}: no such text" for key in later if key not in keys]
    blocking += [
        f"{LATER.name}: {key}: translated in every language, take it off the list"
        for key in later
        if key in keys and key not in pending
    ]
    return blocking, waiting


def test_every_language_translates_every_text() -> None:
    problems: list[str] = []
    fresh = io.BytesIO()
    write_po(fresh, extracted(), include_lineno=False, omit_header=False)
    if _body(POT.read_text("utf-8")) != _body(fresh.getvalue().decode("utf-8")):
        problems.append("auditor/locale/guidance.pot is out of date: run the pybabel extract of docs/guidance.md")
    keys = {context for text in wording.declared() for context, _english, _plural in text.entries()}
    blocking, waiting = sort_out(
        {locale: _missing(locale) for locale in TRANSLATED}, read_later(LATER.read_text("utf-8")), keys
    )
    if waiting:
        warnings.warn("\n".join([f"translations to follow ({LATER.name}):", *waiting]), stacklevel=1)
    problems += blocking
    if LATER.read_text("utf-8") != tt.generate(POT.parents[2]):
        problems.append(f"auditor/locale/{LATER.name} is not the generated list: run scripts/relocale.sh")
    assert not problems, "\n".join(["translations to do (docs/guidance.md, 'Translating the guidance'):", *problems])


def test_the_list_of_texts_to_translate_later_lets_only_new_texts_wait() -> None:
    problems = {
        Locale.NL: [
            "rule.x.title: missing",
            "rule.y.title: fuzzy",
            "rule.x.describe: fuzzy, a guess from another text",
        ],
        Locale.DA: ["rule.x.title: not translated (every plural form)"],
    }
    keys = {"rule.x.title", "rule.x.describe", "rule.y.title", "rule.z.title"}
    blocking, waiting = sort_out(problems, ["rule.x.title", "rule.x.describe", "rule.y.title"], keys)
    assert waiting == [
        "nl: rule.x.title: missing",
        "nl: rule.x.describe: fuzzy, a guess from another text",
        "da: rule.x.title: not translated (every plural form)",
    ]
    assert blocking == ["nl: rule.y.title: fuzzy"]  # its meaning changed: translate it now
    blocking, _ = sort_out({}, ["rule.z.title", "rule.gone.title"], keys)
    assert blocking == [
        f"{LATER.name}: rule.gone.title: no such text",
        f"{LATER.name}: rule.z.title: translated in every language, take it off the list",
    ]
    assert read_later("# a comment\nrule.x.title  # waits for sv\n\n") == ["rule.x.title"]
