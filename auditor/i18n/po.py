"""Reading gettext .po/.pot files at run time: no compiled .mo files, no Babel.

The catalogs in auditor/locale are shipped as their .po sources only (a new text touches the
.pot and the .po files, nothing compiled beside them), and read here on first use per locale and
domain. Babel's `read_po` would do, but importing babel.messages and reading the 2,000-line
guidance catalog with it takes about 130 ms; this reader takes a few. It reads what Babel and
`msgfmt` write: `msgctxt`, `msgid`, `msgid_plural`, `msgstr` / `msgstr[n]`, continuation lines,
the escapes \\\\ \\" \\n \\t \\r, `#,` flags; other comments and obsolete (`#~`) entries are skipped.
tests/report/test_catalogs.py and tests/guidance/test_guidance_gettext.py check every text it
reads against Babel's reader.

`PoTranslations` answers as `gettext.GNUTranslations` does for the compiled file: an untranslated
or fuzzy entry (which `pybabel compile` leaves out) gives the English, and a counted text takes the
form the catalog's Plural-Forms expression gives `n`.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources

_ESCAPE = re.compile(r'\\[\\"ntr]')
_ESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\t": "\t", "\\r": "\r"}
_PLURAL = re.compile(r"plural=(?P<expr>[^;]+)")


def _unquote(quoted: str) -> str:
    quoted = quoted.strip()
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group()], quoted[1:-1])


@dataclass
class Entry:
    """One entry: msgctxt, msgid, msgid_plural, and its msgstr (one per plural form)."""

    context: str | None = None
    id: str | None = None
    plural: str | None = None
    strings: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        """What `msgfmt` / `pybabel compile` keeps: not fuzzy, and every form written."""
        return not self.fuzzy and bool(self.strings) and all(self.strings.values())


def read_po(text: str) -> Iterator[Entry]:
    """The entries of a .po/.pot file's text, in order; the header is the entry with msgid ""."""
    entry = Entry()
    current: str | None = None  # the field the next continuation line belongs to

    def fresh() -> Iterator[Entry]:
        nonlocal entry
        if entry.id is not None:
            yield entry
        entry = Entry()

    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith('"'):
            if current is not None:
                _append(entry, current, _unquote(line))
            continue
        if line.startswith("#"):
            if entry.strings:  # a comment after a msgstr starts the next entry
                yield from fresh()
            current = None
            if line.startswith("#,") and "fuzzy" in (flag.strip() for flag in line[2:].split(",")):
                entry.fuzzy = True
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and entry.strings:  # no comment, no blank line between entries
            yield from fresh()
        current = keyword
        _append(entry, keyword, _unquote(rest), new=True)
    yield from fresh()


def _append(entry: Entry, keyword: str, text: str, new: bool = False) -> None:
    if keyword == "msgctxt":
        entry.context = text if new else (entry.context or "") + text
    elif keyword == "msgid":
        entry.id = text if new else (entry.id or "") + text
    elif keyword == "msgid_plural":
        entry.plural = text if new else (entry.plural or "") + text
    elif keyword == "msgstr" or keyword.startswith("msgstr["):
        index = int(keyword[7:-1]) if keyword != "msgstr" else 0
        entry.strings[index] = (text if new else entry.strings.get(index, "") + text)
    else:
        raise ValueError(f"not a .po line: {keyword} {text}")


def header(entries: list[Entry]) -> dict[str, str]:
    """The header entry's fields ("Plural-Forms" -> "nplurals=2; plural=(n != 1);")."""
    for entry in entries:
        if entry.id == "" and entry.context is None:
            lines = entry.strings.get(0, "").splitlines()
            return {name.strip(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return {}


class PoTranslations(gettext.NullTranslations):
    """The translations of one .po file, answering like `gettext.GNUTranslations` of its .mo."""

    def __init__(self, text: str) -> None:
        super().__init__()
        entries = list(read_po(text))
        plural = _PLURAL.search(header(entries).get("Plural-Forms", ""))
        self.plural: Callable[[int], int] = gettext.c2py(plural["expr"]) if plural else (lambda n: int(n != 1))
        self._one: dict[tuple[str | None, str], str] = {}
        self._many: dict[tuple[str | None, str], tuple[str, ...]] = {}
        for entry in entries:
            if not entry.id or not entry.translated:
                continue
            if entry.plural is None:
                self._one[entry.context, entry.id] = entry.strings[0]
            else:
                self._many[entry.context, entry.id] = tuple(entry.strings[i] for i in sorted(entry.strings))

    def gettext(self, message: str) -> str:
        return self._one.get((None, message), message)

    def pgettext(self, context: str, message: str) -> str:
        return self._one.get((context, message), message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.npgettext(None, msgid1, msgid2, n)  # type: ignore[arg-type]

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._many.get((context, msgid1))
        if forms is None:
            return msgid1 if n == 1 else msgid2
        index = self.plural(n)
        return forms[index] if index < len(forms) else forms[-1]


def load(locale: str, domain: str) -> PoTranslations:
    """auditor/locale/<locale>/LC_MESSAGES/<domain>.po, from the installed package."""
    po = resources.files("auditor").joinpath("locale", locale, "LC_MESSAGES", f"{domain}.po")
    return PoTranslations(po.read_text("utf-8"))
