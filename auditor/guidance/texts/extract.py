"""The Babel extractor for Python files (pyproject.toml, [tool.babel]).

With the default keywords it is Babel's own Python extractor: the report labels (`pgettext` /
`npgettext` calls) for auditor/locale/messages.pot. Asked for the keyword `Text`, it gives the
guidance texts declared with `Text(...)` and `Steps(...)` (declare.py) instead, one entry per text
and per step of a block (`<key>.0`, `<key>.1`, …), for auditor/locale/guidance.pot:

    pybabel extract -F pyproject.toml --no-default-keywords -k Text:1c,2 --no-location \\
        -o auditor/locale/guidance.pot auditor   # with the header options of docs/guidance.md

Only literal strings are texts: a declaration built at run time is an error naming its file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

KEYWORD = "Text"  # the keyword that asks for the guidance texts; `Text:1c,2`: msgctxt, then msgid(s)
_DECLARATIONS = frozenset({"Text", "Steps"})


def extract(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
            options: Mapping[str, Any]) -> Iterator[tuple[Any, ...]]:
    if KEYWORD not in keywords:
        yield from extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type]
        return
    name = getattr(fileobj, "name", "<source>")
    for lineno, key, english, plural, comments in declared_in(fileobj.read().decode("utf-8"), name):
        yield lineno, KEYWORD, (key, english if plural is None else (english, plural)), comments


def declared_in(source: str, filename: str) -> Iterator[tuple[int, str, str, str | None, list[str]]]:
    """(line, key, English, plural or None, translator comments) of every text declared in `source`."""
    calls = sorted(((node, node.func.id) for node in ast.walk(ast.parse(source, filename))
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in _DECLARATIONS), key=lambda found: (found[0].lineno, found[0].col_offset))
    for call, kind in calls:
        where = f"{filename}:{call.lineno}"
        args = [_literal(arg, where) for arg in call.args]
        if call.keywords or len(args) < 2 or not isinstance(args[0], str):
            raise ValueError(f"{where}: {kind}(key, English, ...) takes literal strings only")
        key = args[0]
        if kind == "Text":
            if len(args) > 3 or not all(isinstance(a, str) for a in args):
                raise ValueError(f"{where}: Text(key, English[, plural]) takes literal strings only")
            yield call.lineno, key, str(args[1]), str(args[2]) if len(args) == 3 else None, []
            continue
        steps = args[1:]
        for index, step in enumerate(steps):
            one, other = step if isinstance(step, tuple) else (step, None)
            yield call.lineno, f"{key}.{index}", one, other, [f"step {index + 1} of {len(steps)}"]


def _literal(node: ast.expr, where: str) -> str | tuple[str, str]:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        raise ValueError(f"{where}: a guidance text must be a literal string") from None
    if isinstance(value, str) or (isinstance(value, tuple) and len(value) == 2
                                  and all(isinstance(v, str) for v in value)):
        return value
    raise ValueError(f"{where}: a step is a string or (singular, plural)")
