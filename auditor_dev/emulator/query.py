"""OData query options and paging as Graph answers them: $select, $top, $filter, $count and
$skiptoken, the page size caps, and next links that belong to the query that made them."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote

from auditor.data.attributes import EXTENSION

from .encoding import RawJSON
from .errors import GraphError, bad
from .hooks import EncodedItems

MAX_TOP = 999
SIGN_IN_MAX_TOP = 500  # Graph's page size cap when signInActivity is selected
DEFAULT_TOP = 100
KNOWN_OPTIONS = frozenset(
    ("$select", "$top", "$skip", "$filter", "$count", "$skiptoken", "$orderby", "$search", "$expand")
)
# the expansions the emulator serves (entitlement management's assignments: resources/features.py)
EXPANDABLE = frozenset(("target,accessPackage",))
_SKIPTOKEN_PREFIX = "RFNwdAIAAQAAA"


@dataclass
class Query:
    select: tuple[str, ...] | None
    top: int | None
    filter: str | None
    count: bool
    skiptoken: str | None
    raw: list[tuple[str, str]] = field(default_factory=list)


def unsupported(message: str) -> GraphError:
    return GraphError(400, "Request_UnsupportedQuery", message)


def parse_query(raw_query: str) -> Query:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key.startswith("$") and key not in KNOWN_OPTIONS:
            raise bad(f"Query option '{key}' is not allowed.")
        if key in seen:
            raise bad(f"Query option '{key}' was specified more than once, but it must be specified at most once.")
        seen[key] = value
    if "$search" in seen or "$orderby" in seen or seen.get("$expand", next(iter(EXPANDABLE))) not in EXPANDABLE:
        raise unsupported("The emulator does not implement $search, $orderby or $expand.")
    select = None
    if "$select" in seen:
        select = tuple(s.strip() for s in seen["$select"].split(",") if s.strip())
        if not select:
            raise bad("Syntax error: $select is empty.")
    top = None
    if "$top" in seen:
        try:
            top = int(seen["$top"])
        except ValueError:
            raise bad(f"Invalid page size specified: '{seen['$top']}'.") from None
        if not 1 <= top <= MAX_TOP:
            raise bad(f"Invalid page size specified: '{top}'. Must be between 1 and {MAX_TOP} inclusive.")
    count = False
    if "$count" in seen:
        if seen["$count"] not in ("true", "false"):
            raise bad(f"Invalid value '{seen['$count']}' for $count.")
        count = seen["$count"] == "true"
    return Query(select, top, seen.get("$filter"), count, seen.get("$skiptoken"), pairs)


def no_filter(query: Query) -> None:
    if query.filter is not None:
        raise unsupported("Unsupported query.")


def check_select(select: tuple[str, ...] | None, known: frozenset[str], type_name: str) -> None:
    for name in select or ():
        if name not in known and not (type_name == "user" and EXTENSION.match(name)):
            raise bad(f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")


def project(
    full: dict[str, Any], select: tuple[str, ...] | None, known: frozenset[str], type_name: str
) -> dict[str, Any]:
    if select is None:
        return full
    out = {}
    for name in select:
        if name not in known:
            raise bad(f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")
        out[name] = full.get(name)
    return out


def page(
    base_url: str,
    path: str,
    query: Query,
    items: Sequence[Any] | EncodedItems,
    eventual: bool,
    cap: int,
    render: Callable[[Any], Mapping[str, Any]] | None = None,
) -> tuple[int, Any]:
    """One page of `items` as Graph sends it: `value`, `@odata.count` on the first page of an
    advanced query that asked for it, and `@odata.nextLink` while items remain."""
    top = query.top if query.top is not None else DEFAULT_TOP
    size = min(top, cap)
    fingerprint = _fingerprint(path, query)
    offset = 0
    if query.skiptoken is not None:
        offset = _read_skiptoken(query.skiptoken, fingerprint)
    doc: dict[str, Any] = {"@odata.context": f"$metadata#{path.strip('/')}"}
    if query.count and eventual and offset == 0:
        doc["@odata.count"] = len(items)
    if offset + size < len(items):
        token = _make_skiptoken(fingerprint, offset + size)
        params = [(k, v) for k, v in query.raw if k != "$skiptoken"] + [("$skiptoken", token)]
        doc["@odata.nextLink"] = f"{base_url}{path}?" + "&".join(
            f"{quote(k, safe='$')}={quote(v, safe=',/$')}" for k, v in params
        )
    if not isinstance(items, Sequence):  # EncodedItems
        stop = min(offset + size, len(items))
        doc["value"] = RawJSON(items.json_array(offset, stop) if offset < stop else b"[]")
        return 200, doc
    chunk = items[offset : offset + size]
    doc["value"] = [render(x) for x in chunk] if render is not None else list(chunk)
    return 200, doc


def _fingerprint(path: str, query: Query) -> str:
    return f"{path}|{query.select}|{query.filter}|{query.top}"


def _make_skiptoken(fingerprint: str, offset: int) -> str:
    raw = json.dumps({"f": fingerprint, "o": offset}).encode()
    return _SKIPTOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_skiptoken(token: str, fingerprint: str) -> int:
    try:
        if not token.startswith(_SKIPTOKEN_PREFIX):
            raise ValueError
        payload = token[len(_SKIPTOKEN_PREFIX) :]
        doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if doc["f"] != fingerprint or not isinstance(doc["o"], int):
            raise ValueError
        return int(doc["o"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad(
            "Invalid $skiptoken: the paging token does not belong to this query.", "Directory_ExpiredPageToken"
        ) from None
