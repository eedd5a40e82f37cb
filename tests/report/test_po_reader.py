"""auditor/i18n/po.py: the run-time .po reader answers as gettext does for the compiled catalog."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po as babel_read_po

from auditor.i18n import po

LOCALE_DIR = Path(__file__).parents[2] / "auditor" / "locale"
CATALOGS = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def _compiled(text: str, locale: str | None = None) -> gettext.GNUTranslations:
    catalog = babel_read_po(io.StringIO(text), locale=locale)
    out = io.BytesIO()
    write_mo(out, catalog)
    out.seek(0)
    return gettext.GNUTranslations(out)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: f"{p.parents[1].name}/{p.stem}")
def test_every_catalog_reads_as_its_compiled_mo(path: Path) -> None:
    text = path.read_text("utf-8")
    ours, theirs = po.PoTranslations(text), _compiled(text, path.parents[1].name)
    entries = [e for e in po.read_po(text) if e.id]
    babel = [m for m in babel_read_po(io.StringIO(text)) if m.id]
    assert [(e.context, e.id, e.plural) for e in entries] == [
        (m.context, *(tuple(m.id) if isinstance(m.id, tuple | list) else (m.id, None))) for m in babel]
    for entry in entries:
        assert entry.context is not None and entry.translated, entry.context
        if entry.plural is None:
            assert ours.pgettext(entry.context, entry.id) == theirs.pgettext(entry.context, entry.id)
            continue
        for n in (0, 1, 2, 3, 5, 11, 21, 101, 1000):
            assert ours.npgettext(entry.context, entry.id, entry.plural, n) == theirs.npgettext(
                entry.context, entry.id, entry.plural, n), (entry.context, n)


EDGE = r'''# a comment
msgid ""
msgstr ""
"Language: da\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: somewhere.py
#, python-brace-format
msgctxt "long"
msgid ""
"A text written "
"over lines with \"quotes\", a \\ and\na newline"
msgstr ""
"En tekst skrevet "
"over linjer med \"citater\", en \\ og\nen ny linje"

#, fuzzy
msgctxt "fuzzy"
msgid "Fuzzy"
msgstr "Uklar"

msgctxt "empty"
msgid "Empty"
msgstr ""
msgctxt "tight"
msgid "No blank line before"
msgstr "Ingen tom linje før"
msgctxt "count"
msgid "{n} item"
msgid_plural "{n} items"
msgstr[0] "{n} ting"
msgstr[1] "{n} tinger"

msgid "No context"
msgstr "Ingen kontekst"

#~ msgctxt "old"
#~ msgid "Obsolete"
#~ msgstr "Forældet"
'''


def test_the_reader_handles_what_po_files_may_hold() -> None:
    ours, theirs = po.PoTranslations(EDGE), _compiled(EDGE, "da")
    asks = [("long", "A text written over lines with \"quotes\", a \\ and\na newline"), ("fuzzy", "Fuzzy"),
            ("empty", "Empty"), ("tight", "No blank line before"), ("old", "Obsolete"), ("missing", "Missing")]
    for context, message in asks:
        assert ours.pgettext(context, message) == theirs.pgettext(context, message), context
    assert ours.pgettext("long", asks[0][1]).startswith('En tekst skrevet over linjer med "citater"')
    assert ours.pgettext("fuzzy", "Fuzzy") == "Fuzzy"  # fuzzy: not compiled, so the English
    assert ours.gettext("No context") == theirs.gettext("No context") == "Ingen kontekst"
    for n in (0, 1, 2):
        assert ours.npgettext("count", "{n} item", "{n} items", n) == theirs.npgettext("count", "{n} item",
                                                                                       "{n} items", n)
        assert ours.npgettext("nothing", "{n} x", "{n} xs", n) == theirs.npgettext("nothing", "{n} x", "{n} xs", n)
    assert [e.context for e in po.read_po(EDGE) if e.id] == ["long", "fuzzy", "empty", "tight", "count", None]
