"""The Babel extractor for Python files (pyproject.toml, [tool.babel]).

With the default keywords it is Babel's own Python extractor: the report labels (`pgettext` /
`npgettext` calls) for auditor/locale/messages.pot. Asked for the keyword `Text`, it gives the
guidance texts declared with `Text(...)` and `Steps(...)` (declare.py) instead, one entry per text
and per step of a block (`<key>.0`, `<key>.1`, …), for auditor/locale/guidance.pot:

    pybabel extract -F pyproject.toml --no-default-keywords -k Text:1c,2 --no-location \\
        -o auditor/locale/guidance.pot auditor   # with the header options of docs/guidance.md

Only literal strings are texts: a declaration built at run time is an error naming its file and line.

Both domains carry the translator notes of auditor/locale/notes.csv (domain, key, note) as extracted
comments (`#.` in the .pot): what "plan", "hold", "policy" or "subscription" means in that text. A
guidance text may declare its note instead (`Text(key, english, note="TRANSLATORS: ...")`), so a new
rule's note is in its texts module; a text with a note in both places is an error.
The Jinja templates go through `extract_jinja`, Jinja's own extractor with the same notes.
"""

from __future__ import annotations

import ast
import csv
from collections.abc import Collection, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import IO, Any

from babel.messages.extract import extract_python

KEYWORD = "Text"  # the keyword that asks for the guidance texts; `Text:1c,2`: msgctxt, then msgid(s)
_DECLARATIONS = frozenset({"Text", "Steps"})


NOTES = Path(__file__).parents[2] / "locale" / "notes.csv"


@cache
def notes() -> dict[tuple[str, str], str]:
    """(domain, key) -> the translator note of that text (auditor/locale/notes.csv)."""
    with NOTES.open(encoding="utf-8", newline="") as fp:
        return {(row["domain"], row["key"]): row["note"] for row in csv.DictReader(fp)}


def _noted(found: Iterator[tuple[Any, ...]], domain: str) -> Iterator[tuple[Any, ...]]:
    """Babel's (line, function, messages, comments), with the note of a text keyed by its msgctxt."""
    for lineno, funcname, messages, comments in found:
        key = messages[0] if isinstance(messages, tuple | list) and funcname in {"pgettext", "npgettext"} else None
        note = notes().get((domain, str(key)))
        yield lineno, funcname, messages, [*comments, note] if note else comments


def extract(
    fileobj: IO[bytes], keywords: Mapping[str, object], comment_tags: Collection[str], options: Mapping[str, object]
) -> Iterator[tuple[Any, ...]]:
    if KEYWORD not in keywords:
        found = extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type]
        yield from _noted(found, "messages")
        return
    name = getattr(fileobj, "name", "<source>")
    for lineno, key, english, plural, comments in declared_in(fileobj.read().decode("utf-8"), name):
        note = notes().get(("guidance", key))
        if note and comments and comments[0].startswith("TRANSLATORS:"):
            raise ValueError(f"{name}:{lineno}: {key} has a note in its declaration and in {NOTES.name}")
        yield (
            lineno,
            KEYWORD,
            (key, english if plural is None else (english, plural)),
            ([*comments, note] if note else comments),
        )


def extract_jinja(
    fileobj: IO[bytes], keywords: Mapping[str, object], comment_tags: Collection[str], options: Mapping[str, object]
) -> Iterator[tuple[Any, ...]]:
    from jinja2.ext import babel_extract  # jinja2's extractor: only for pybabel extract

    yield from _noted(babel_extract(fileobj, keywords, comment_tags, options), "messages")  # type: ignore[arg-type]


def declared_in(source: str, filename: str) -> Iterator[tuple[int, str, str, str | None, list[str]]]:
    """(line, key, English, plural or None, translator comments) of every text declared in `source`."""
    calls = sorted(
        (
            (node, node.func.id)
            for node in ast.walk(ast.parse(source, filename))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _DECLARATIONS
        ),
        key=lambda found: (found[0].lineno, found[0].col_offset),
    )
    for call, kind in calls:
        where = f"{filename}:{call.lineno}"
        args = [_literal(arg, where) for arg in call.args]
        counted, note = _keywords(call, kind, where)
        if len(args) < 2 or not isinstance(args[0], str):
            raise ValueError(f"{where}: {kind}(key, English, ...) takes literal strings only")
        key = args[0]
        if kind == "Text":
            if len(args) > 3 - counted or not all(isinstance(a, str) for a in args):
                raise ValueError(f"{where}: Text(key, English[, plural]) takes literal strings only")
            plural = str(args[1]) if counted else str(args[2]) if len(args) == 3 else None
            yield call.lineno, key, str(args[1]), plural, [note] if note else []
            continue
        steps = args[1:]
        for index, step in enumerate(steps):
            one, other = step if isinstance(step, tuple) else (step, None)
            yield call.lineno, f"{key}.{index}", one, other, [f"step {index + 1} of {len(steps)}"]


def _keywords(call: ast.Call, kind: str, where: str) -> tuple[bool, str | None]:
    """Whether a `Text` says `counted=True` (its plural is its English), and its `note=`, a literal
    starting "TRANSLATORS: "; no other keyword is read."""
    counted, note = False, None
    for keyword in call.keywords:
        value = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
        if kind == "Text" and keyword.arg == "counted" and value is True:
            counted = True
        elif kind == "Text" and keyword.arg == "note" and isinstance(value, str) and value.startswith("TRANSLATORS: "):
            note = value
        else:
            raise ValueError(
                f'{where}: {kind}(...) takes no keyword but `counted=True` and `note="TRANSLATORS: ..."` on a Text'
            )
    return counted, note


def _literal(node: ast.expr, where: str) -> str | tuple[str, str]:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        raise ValueError(f"{where}: a guidance text must be a literal string") from None
    if isinstance(value, str) or (
        isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)
    ):
        return value
    raise ValueError(f"{where}: a step is a string or (singular, plural)")
