"""Jinja2 environments for the report templates shipped in auditor/render/templates/.

Texts in the templates are gettext calls with the English written out, `{{ pgettext("tenant",
"Tenant") }}` and `{{ npgettext(key, singular, plural, n) }}`, which Jinja2's Babel extractor
(`jinja2.ext.babel_extract`, see [tool.babel] in pyproject.toml) finds for the catalog. They
translate into the locale of the `t` the template is rendered with (the view's
`auditor.i18n.Translations`) and fill in `str.format` placeholders (`{n}`, `{date}`) like the
Python code does. A translation is plain text, escaped like every other printed value (HTML
autoescape, Markdown finalize); Jinja2's own `{% trans %}` blocks, with their %-style
placeholders, are not used.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from jinja2.runtime import Context

from auditor.i18n import Translations
from auditor.render.text import md_escape


def _translations(context: Context) -> Translations:
    t = context.get("t")
    if not isinstance(t, Translations):
        raise TypeError("report templates are rendered with t=<auditor.i18n.Translations>")
    return t


@jinja2.pass_context
def _pgettext(context: Context, msgctxt: str, message: str, /, **values: Any) -> str:
    return _translations(context).pgettext(msgctxt, message, **values)


@jinja2.pass_context
def _npgettext(context: Context, msgctxt: str, singular: str, plural: str, n: int, /, **values: Any) -> str:
    return _translations(context).npgettext(msgctxt, singular, plural, n, **values)


def _with_texts(environment: jinja2.Environment) -> jinja2.Environment:
    environment.globals.update(pgettext=_pgettext, npgettext=_npgettext)
    return environment


def _loader() -> jinja2.BaseLoader:
    return jinja2.PackageLoader("auditor.render", "templates")


@cache
def html_environment() -> jinja2.Environment:
    """Autoescaping HTML; an undefined name fails the render instead of printing blank."""
    return _with_texts(
        jinja2.Environment(
            loader=_loader(),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=False,
            keep_trailing_newline=True,
        )
    )


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
    """Markdown: no autoescape, but every printed value goes through `_md_finalize`; an undefined
    name fails the render."""
    return _with_texts(
        jinja2.Environment(
            loader=_loader(),
            autoescape=False,
            finalize=_md_finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
    )
