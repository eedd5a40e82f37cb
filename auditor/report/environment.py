"""Jinja2 environments for the report templates shipped in auditor/report/templates/."""

from __future__ import annotations

from functools import cache

import jinja2

from auditor.report.text import md_escape


@cache
def html_environment() -> jinja2.Environment:
    """Autoescaping HTML; an undefined name or label fails the render instead of printing blank."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("auditor.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
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
    return jinja2.Environment(
        loader=jinja2.PackageLoader("auditor.report", "templates"),
        autoescape=False,
        finalize=_md_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
