"""Jinja2 environments for the report templates shipped in auditor/report/templates/.

Texts in the templates are gettext calls with the English written out, `{{ pgettext("tenant",
"Tenant") }}` and `{{ npgettext(key, singular, plural, n) }}`, which Jinja2's Babel extractor
(`jinja2.ext.babel_extract`, see [tool.babel] in pyproject.toml) finds for the catalog. They
translate into the locale of the `t` the template is rendered with (the view's
`auditor.i18n.Translations`) and fill in `str.format` placeholders (`{n}`, `{date}`) like the
Python code does. A translation is plain text, escaped like every other printed value (HTML
autoescape, Markdown finalize); Jinja2's own `{% trans %}` blocks, with their %-style
placeholders, are not used.

Compiling the templates takes longer than the rest of a small audit, so they ship compiled too:
auditor/report/compiled/ holds each environment's templates as Python modules (Jinja2's
`compile_templates`, loaded by its ModuleLoader) and, in manifest.json, the Jinja2 version and the
SHA-256 of each template source they were compiled from. An environment loads them when that
manifest matches the installed Jinja2 and today's sources; else it compiles the sources in memory
(an edited template shows at once; nothing is written anywhere). `python -m auditor.report.precompile`
writes them anew after a template changes (tests/report/test_precompiled.py fails until then).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.runtime import Context

from auditor.i18n import Translations
from auditor.report.text import md_escape


def _translations(context: Context) -> Translations:
    t = context.get("t")
    if not isinstance(t, Translations):
        raise TypeError("report templates are rendered with t=<auditor.i18n.Translations>")
    return t


@jinja2.pass_context
def _pgettext(context: Context, msgctxt: str, message: str, /, **values: Any) -> str:
    return _translations(context).pgettext(msgctxt, message, **values)


@jinja2.pass_context
def _npgettext(
    context: Context, msgctxt: str, singular: str, plural: str, n: int, /, **values: Any
) -> str:
    return _translations(context).npgettext(msgctxt, singular, plural, n, **values)


def _with_texts(environment: jinja2.Environment) -> jinja2.Environment:
    environment.globals.update(pgettext=_pgettext, npgettext=_npgettext)
    return environment


# Each environment's templates (by file name) and its settings: the compiled templates are
# compiled with these, so the two environments below and auditor/report/precompile.py share them.
SUFFIXES = {"html": ".html.j2", "md": ".md.j2"}
COMPILED = "compiled"
MANIFEST = "manifest.json"


def settings(kind: str) -> dict[str, Any]:
    if kind == "html":
        # Autoescaping HTML; an undefined name fails the render instead of printing blank.
        return {"autoescape": True, "undefined": jinja2.StrictUndefined, "trim_blocks": False,
                "keep_trailing_newline": True}
    return {"autoescape": False, "finalize": _md_finalize, "trim_blocks": True, "lstrip_blocks": True,
            "undefined": jinja2.StrictUndefined, "keep_trailing_newline": True}


def source_loader() -> jinja2.BaseLoader:
    return jinja2.PackageLoader("auditor.report", "templates")


def sources(kind: str) -> dict[str, str]:
    """SHA-256 of each template source of environment `kind`, by template name."""
    folder = resources.files("auditor.report").joinpath("templates")
    return {entry.name: hashlib.sha256(entry.read_bytes()).hexdigest()
            for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(SUFFIXES[kind])}


def _loader(kind: str) -> jinja2.BaseLoader:
    """The compiled templates when they were compiled from today's sources with this Jinja2, else the sources."""
    compiled = resources.files("auditor.report").joinpath(COMPILED)
    try:
        manifest = json.loads(compiled.joinpath(MANIFEST).read_text(encoding="utf-8"))
        fresh = (manifest.get("jinja2") == jinja2.__version__
                 and manifest.get("templates", {}).get(kind) == sources(kind))
    except (OSError, ValueError, AttributeError):
        fresh = False
    folder = compiled.joinpath(kind)
    if fresh and isinstance(folder, Path) and folder.is_dir():
        return jinja2.ModuleLoader(folder)
    return source_loader()


@cache
def html_environment() -> jinja2.Environment:
    """Autoescaping HTML; an undefined name fails the render instead of printing blank."""
    return _with_texts(jinja2.Environment(loader=_loader("html"), **settings("html")))


class MdSafe(str):
    """Markdown the renderer built itself (a link with escaped text); printed as is."""


def _md_finalize(value: object) -> str:
    # Markdown has no autoescape: every printed value is escaped unless it is MdSafe or a number.
    if isinstance(value, MdSafe):
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return md_escape(value, limit=2000)
    return str(value)


@cache
def markdown_environment() -> jinja2.Environment:
    return _with_texts(jinja2.Environment(loader=_loader("md"), **settings("md")))
