"""Making untrusted tenant text safe to show: control characters, length, Markdown syntax.

HTML escaping is Jinja2's autoescape; this module covers what autoescape does not: invisible
control and bidirectional-override characters (which can make a name read as something else),
absurdly long values, and Markdown, where escaping is the renderer's job.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"[\t\r\n\v\f\u2028\u2029]+")  # line and paragraph separators too
_CONTROLS = re.compile("[\u0000-\u001f\u007f-\u009f]")  # category Cc is exactly these

ELLIPSIS = "…"


def _visible(char: str) -> str:
    """By Unicode category, not by ranges (a list of ranges misses some: U+061C, the tag characters
    U+E0000-E007F): a control (Cc) goes; a format character (Cf: bidi marks, zero-width and tag
    characters) or a lone surrogate (Cs) shows as U+FFFD; a line or paragraph separator (Zl, Zp)
    is a space."""
    category = unicodedata.category(char)
    if category == "Cc":
        return ""
    if category in ("Cf", "Cs"):
        return "\ufffd"
    if category in ("Zl", "Zp"):
        return " "
    return char


def clean(value: object, limit: int = 300) -> str:
    """One line of visible text, at most `limit` characters (cut with an ellipsis)."""
    text = "" if value is None else str(value)
    if len(text) <= limit and text.isprintable():  # the common case; isprintable() is False for Cc/Cf
        return text
    text = _CONTROLS.sub("", _WHITESPACE.sub(" ", text))
    # each character left is one shown: no more is looked at than can be shown (a field of 128 KiB
    # stays cheap)
    text = "".join(map(_visible, text[: limit + 1]))
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + ELLIPSIS
    return text


# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all that can
# mean anything (rather than guessing which matter in which position) rules out emphasis, links,
# images, autolinks (no bare "://" or "www." survives), table pipes, headings and list markers.
# Left alone: "&" (turned into an entity first, whose ";" must stay), ",", ";" and "'".
_MD_PUNCT = re.compile(r"""([!"#$%()*+\-./:=?@\[\\\]^_`{|}~])""")


def md_escape(value: object, limit: int = 300) -> str:
    """Text for a Markdown paragraph or table cell, shown literally whatever it contains.

    "&", "<" and ">" become character references so no HTML tag or entity survives; the rest of
    the ASCII punctuation is backslash-escaped.
    """
    text = clean(value, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_PUNCT.sub(r"\\\1", text)
    # GFM links e-mail addresses after parsing, across escapes; an empty comment after "@"
    # splits the text so no mailto: link forms (the comment renders as nothing).
    return text.replace("\\@", "\\@<!-- -->")


_SAFE_URL = re.compile(r"^https://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%!$&'*+,;=:@/?#-]*)?\Z")


def safe_url(url: object) -> str | None:
    """The URL when it is a plain https link (no quotes, spaces, parentheses), else None."""
    if isinstance(url, str) and _SAFE_URL.match(url) and "(" not in url and ")" not in url:
        return url
    return None
