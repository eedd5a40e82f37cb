"""The credentials a request to a vendor carries, in every form its answer could give them back, and
their removal from that answer. auditor.billing.untrusted.read_bounded, the one border every vendor
client's request passes (auditor.vendors: a distributor's, a PSA's, Partner Center's), takes them out of each
answer's body before a client reads a byte of it: an answer that echoes the request (a 401 from a
gateway showing what it refused, a proxy's error page) then carries no key into a message, a report, a
journal or an e-mail, whatever a client builds from it later.

    credential_forms(headers, sent, named)  the texts to take out of the answer: each credential
                                        header's value (a header the vendor's client names one, or
                                        one naming a key, a secret, a password or the authorization),
                                        its token after the scheme (Basic, Bearer), a Basic token's
                                        decoded `user:password`, its user and its password (and the
                                        key of a `company+publicKey` user), each secret field of a token
                                        request's form or JSON (client_secret); each also as JSON
                                        escapes it and as a URL encodes it
    scrub(data, forms)                  `data` with each form replaced by REDACTED
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

REDACTED = b"[redacted]"
_SECRET_WORDS = ("key", "secret", "password", "authorization")  # a header or field so named is a credential
MIN_PART = 6  # a part of a credential shorter than this is not taken out alone (it would match ordinary text)


def _is_credential(name: str, named: frozenset[str] = frozenset()) -> bool:
    """Whether a header or field is a credential: one of those a vendor's client `named` (lower case), or
    one whose name says so."""
    lowered = name.lower()
    return lowered in named or any(word in lowered for word in _SECRET_WORDS)


def _basic_parts(token: str) -> list[str]:
    """A Basic token's decoded `user:password`, its user and its password, and the parts of a
    `company+publicKey` user long enough to be a key; [] when it is not base64."""
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return []
    user, _, password = decoded.partition(":")
    parts = [decoded, user, password, *user.split("+", 1)[1:]]
    return [decoded, *(p for p in parts[1:] if len(p) >= MIN_PART)]


def _header_forms(name: str, value: str, named: frozenset[str]) -> list[str]:
    if not _is_credential(name, named) or not value:
        return []
    scheme, _, token = value.partition(" ")
    forms = [value]
    if token and scheme.lower() in ("basic", "bearer"):
        forms.append(token)
        if scheme.lower() == "basic":
            forms += _basic_parts(token)
    return forms


def _escaped(form: str) -> set[bytes]:
    """The form as the answer could carry it: as it is, escaped in a JSON string (with `/` as `\\/` too),
    encoded in a URL or a form."""
    inside = json.dumps(form)[1:-1]
    shown = {form, inside, inside.replace("/", "\\/"), quote(form, safe=""), quote_plus(form)}
    return {s.encode("utf-8") for s in shown}


def credential_forms(
    headers: Mapping[str, str] | None, sent: object = None, named: frozenset[str] = frozenset()
) -> tuple[bytes, ...]:
    """Every form of the credentials a request carries in its `headers` (those whose name says so, and
    those the vendor's client `named`) and in the form or JSON it `sent` (a mapping: a token request's),
    the longest first (so a whole value goes before its parts)."""
    texts: list[str] = []
    for name, value in (headers or {}).items():
        texts += _header_forms(str(name), str(value), named)
    if isinstance(sent, Mapping):
        texts += [str(v) for k, v in sent.items() if _is_credential(str(k)) and v]
    found = {form for text in texts if text for form in _escaped(text)}
    return tuple(sorted(found, key=lambda f: (-len(f), f)))


def scrub(data: bytes, forms: Iterable[bytes]) -> bytes:
    """`data` with every form of a credential replaced by REDACTED."""
    for form in forms:
        if form and form in data:
            data = data.replace(form, REDACTED)
    return data
