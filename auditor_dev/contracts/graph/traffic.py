"""Every request to the Graph emulator and every answer it gives, held against Graph's published
v1.0 metadata (the subset kept in v1.0.xml): the path, the query options' properties, a write's
body and an answer's objects. What falls outside it is recorded with auditor_dev.contracts.record
("graph", where, message), and the test that caused it fails (tests/conftest.py).

Some of what Graph serves is documented outside its metadata; EXEMPT lists it, each with the page
that documents it, so no path goes unchecked without a reason written here."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .. import record
from .model import Model, Ref, kept
from .paths import Kind, Target, Unresolved, resolve
from .values import DEEP, annotation, problems, structured

CONTRACT = "graph"

# Paths served beside v1.0 that its metadata does not describe, and why each goes unchecked.
EXEMPT: tuple[tuple[str, str], ...] = (
    # Graph's beta endpoint: its metadata (clean_beta_metadata/cleanMetadata.xml) is not kept here; the
    # emulator serves from it only what auditor_dev/emulator/copilot_credits.py, copilot_credit_use.py and
    # license_insight.py quote from their beta reference pages (Copilot Credits balance and usage reports,
    # azureADPremiumLicenseInsight).
    ("/beta/", "beta endpoint, not in the v1.0 metadata"),
    # A usage report's pre-authenticated download (a 302 Location) is a storage URL, not Graph:
    # learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail ("Response": 302 to a URL).
    ("/download/", "a report's download URL, not Graph"),
)

# Navigation properties Graph answers expanded though the request asks no $expand, by type, each with
# the page that shows it: a lifecycle workflow's processing result names its user
# (learn.microsoft.com/graph/api/identitygovernance-workflow-list-userprocessingresults, the example's "subject").
AUTO_EXPANDED: dict[str, frozenset[str]] = {
    "microsoft.graph.identityGovernance.userProcessingResult": frozenset({"subject"}),
}

# Function parameters Graph takes beyond the metadata's, each with where it is read: the Copilot usage report's
# `version` ('v1' or 'v2', the latter with the prompt counts). NOT confirmed by a Microsoft reference page:
# the pages read here (learn.microsoft.com/graph/api/reportroot-getmicrosoft365copilotusageuserdetail, beta,
# and .../microsoft-365/copilot/extensibility/api/admin-settings/reports/copilotreportroot-
# getmicrosoft365copilotusageuserdetail as far as the stored copies go) list `period` only; the parameter is
# named in Microsoft's Tech Community (techcommunity.microsoft.com/discussions/microsoft365copilot/
# copilot-api-for-usage/4544320: "v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='ALL',
# version='v2')"). Not in v1.0's metadata at the kept commit. Issue 116 asks the lead whether to keep sending it.
EXTRA_PARAMETERS: dict[str, frozenset[str]] = {
    "getMicrosoft365CopilotUsageUserDetail": frozenset({"version"}),
}

# System query options (OData 4.01 part 2 §5.1; learn.microsoft.com/graph/query-parameters).
_OPTIONS = frozenset(
    {"$select", "$filter", "$orderby", "$top", "$skip", "$count", "$expand", "$search", "$skiptoken", "$format"}
)
_ERROR_KEYS = frozenset({"code", "message", "innerError", "innererror", "details", "target"})
_FILTER_TOKEN = re.compile(
    r"'(?:[^']|'')*'"  # a string literal
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # a GUID literal
    r"|\d[\w:.+-]*"  # a number or a date/time literal
    r"|(?P<path>[A-Za-z_][\w.]*(?:/\$?[A-Za-z_][\w.]*)*)(?P<call>\s*\()?(?P<lambda>\s*:)?"
    r"|."
)
_KEYWORDS = frozenset(
    {"eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "in", "has", "add", "sub", "mul", "div", "mod"}
    | {"true", "false", "null", "asc", "desc"}
)


def exempt(path: str) -> bool:
    return any(path.startswith(prefix) for prefix, _ in EXEMPT)


def check_request(method: str, path: str, query: str, body: bytes) -> None:
    """Record each way the request `method` `path` (with /v1.0) `?query` with `body` leaves the metadata."""
    if exempt(path):
        return
    where = f"{method} {path}"
    for message in request_problems(kept(), method, path, query, body):
        record(CONTRACT, where, message)


def check_answer(method: str, path: str, query: str, status: int, doc: Any, sent: bytes = b"") -> None:
    """Record each way the JSON answer `doc` (status `status`) to `method` `path` leaves the metadata;
    `sent`: the request's body (a $batch's inner requests say what each inner answer is)."""
    if exempt(path):
        return
    where = f"answer {status} to {method} {path}"
    for message in answer_problems(kept(), method, path, query, status, doc, sent):
        record(CONTRACT, where, message)


def _relative(path: str) -> str | None:
    if path == "/v1.0" or path.startswith("/v1.0/"):
        return path[len("/v1.0") :]
    return None


def request_problems(model: Model, method: str, path: str, query: str, body: bytes) -> Iterator[str]:
    rel = _relative(path)
    if rel is None:
        yield "not under /v1.0"
        return
    try:
        target = resolve(model, rel, EXTRA_PARAMETERS)
    except Unresolved as exc:
        yield f"path not in Graph's v1.0 metadata: {exc}"
        return
    yield from _query_problems(model, target, query)
    if method in ("POST", "PATCH", "PUT") and body:
        try:
            doc = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            yield "body is not JSON"
            return
        yield from _body_problems(model, method, target, doc)


def _element(model: Model, target: Target) -> str | None:
    ref = target.ref
    return ref.name if ref is not None and ref.name in model.types else None


def _query_problems(model: Model, target: Target, query: str) -> Iterator[str]:
    element = _element(model, target)
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in _OPTIONS:
            yield f"query option {key!r} is not one Graph takes"
        elif key in ("$top", "$skip") and not value.isdigit():
            yield f"{key}={value!r} is not a non-negative integer"
        elif key == "$count" and value not in ("true", "false"):
            yield f"$count={value!r} is neither true nor false"
        elif element is not None:
            yield from _properties_named(model, element, key, value)


def _properties_named(model: Model, element: str, key: str, value: str) -> Iterator[str]:
    """What $select, $expand, $filter or $orderby names that `element` does not have."""
    if key == "$select":
        for name in value.split(","):
            if not _member(model, element, name.strip()):
                yield f"$select: {element} has no property {name.strip()!r}"
    elif key == "$expand":
        for name in value.split(","):
            if name.strip() not in model.navigations(element):
                yield f"$expand: {element} has no navigation property {name.strip()!r} (kept)"
    elif key in ("$filter", "$orderby"):
        for name in _filter_paths(value):
            if not _path_exists(model, element, name):
                yield f"{key}: {element} has no property {name!r}"


def _member(model: Model, element: str, name: str) -> bool:
    return name in model.properties(element) or name in model.navigations(element)


def _filter_paths(expression: str) -> Iterator[str]:
    """The property paths a $filter or $orderby expression names, lambda variables' paths given as
    "collection/member" of the collection they range over."""
    ranges: dict[str, str] = {}
    pending_collection: str | None = None
    for match in _FILTER_TOKEN.finditer(expression):
        path = match.group("path")
        if path is None or path.lower() in _KEYWORDS:
            continue
        if match.group("lambda"):
            if pending_collection is not None:
                ranges[path] = pending_collection
            continue
        if match.group("call"):
            head, _, function = path.rpartition("/")
            if function in ("any", "all") and head:
                pending_collection = head
                yield head
            continue  # a built-in function (startswith, contains, ...)
        first, _, rest = path.partition("/")
        if first in ranges:
            if rest:
                yield f"{ranges[first]}/{rest}"
            continue
        yield path


def _path_exists(model: Model, element: str, path: str) -> bool:
    current: Ref | None = Ref(element)
    for segment in path.split("/"):
        if segment == "$count" and current is not None and current.collection:
            current = Ref("Edm.Int32")  # a collection's count (OData 4.01 part 2, §5.1.1.13)
            continue
        if current is None or current.name not in model.types:
            return False
        if segment in model.types and model.derives(segment, current.name):
            current = Ref(segment, current.collection)
            continue
        current = model.properties(current.name).get(segment) or model.navigations(current.name).get(segment)
    return current is not None


def _body_problems(model: Model, method: str, target: Target, doc: Any) -> Iterator[str]:
    if target.kind is Kind.BATCH:
        yield from _batch_requests(model, doc)
    elif target.kind is Kind.OPERATION and target.operation is not None and target.operation.action:
        yield from _parameters(model, target.operation.parameters, doc)
    elif target.kind is Kind.REF:
        if not isinstance(doc, dict) or set(doc) != {"@odata.id"} or not isinstance(doc["@odata.id"], str):
            yield 'a $ref body is {"@odata.id": "<url>"}'
    elif target.kind is Kind.RESOURCE and target.ref is not None and target.ref.name in model.types:
        if method == "POST" and not target.entity_set:
            yield "POST to what is no collection"
        yield from structured(model, target.ref.name, doc, "body", DEEP)
    else:
        yield f"{method} takes no body here"


def _parameters(model: Model, parameters: Mapping[str, Ref], doc: Any) -> Iterator[str]:
    if not isinstance(doc, dict):
        yield "an action's body is a JSON object of its parameters"
        return
    # Graph binds action parameters case-insensitively: user: sendMail declares "Message" and
    # "SaveToSentItems", and its reference page (learn.microsoft.com/graph/api/user-sendmail) sends
    # "message" and "saveToSentItems".
    declared = {name.lower(): (name, ref) for name, ref in parameters.items()}
    for key, value in doc.items():
        if key.lower() not in declared:
            yield f"the action has no parameter {key!r}"
            continue
        name, ref = declared[key.lower()]
        yield from problems(model, ref, value, f"body.{name}", DEEP)
    given = {k.lower() for k in doc}
    for lowered, (name, ref) in declared.items():
        if not ref.nullable and lowered not in given:
            yield f"the action's parameter {name!r} (not nullable) is missing"


def _batch_requests(model: Model, doc: Any) -> Iterator[str]:
    requests = doc.get("requests") if isinstance(doc, dict) else None
    if not isinstance(requests, list):
        yield 'a $batch body is {"requests": [...]}'
        return
    for item in requests:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            yield "a $batch request needs an id, a method and a url"
            continue
        unknown = set(item) - {"id", "method", "url", "headers", "body", "dependsOn"}
        if unknown:
            yield f"a $batch request has no member {sorted(unknown)[0]!r}"
        parts = urlsplit(item["url"])
        inner = item.get("body")
        data = json.dumps(inner).encode() if inner is not None else b""
        method = str(item.get("method", "GET")).upper()
        for message in request_problems(model, method, "/v1.0/" + parts.path.lstrip("/"), parts.query, data):
            yield f"$batch {item.get('id')} {method} {parts.path}: {message}"


def answer_problems(
    model: Model, method: str, path: str, query: str, status: int, doc: Any, sent: bytes = b""
) -> Iterator[str]:
    if doc is None or isinstance(doc, str) or 300 <= status < 400:
        return  # no body, a text/plain $count, or a redirect
    if status >= 400:
        yield from _error_problems(doc)
        return
    rel = _relative(path)
    if rel is None:
        return
    try:
        target = resolve(model, rel, EXTRA_PARAMETERS)
    except Unresolved:
        return  # the request was recorded already
    expanded = frozenset(
        name.strip() for key, value in parse_qsl(query) if key == "$expand" for name in value.split(",")
    ) | AUTO_EXPANDED.get(target.ref.name if target.ref is not None else "", frozenset())
    if target.kind is Kind.BATCH:
        yield from _batch_answers(model, doc, sent)
        return
    if target.kind in (Kind.COUNT, Kind.REF):
        return
    ref = target.ref
    if ref is None:
        yield "an answer where the operation returns nothing"
        return
    if method == "POST" and target.kind is Kind.RESOURCE and target.entity_set:
        ref = Ref(ref.name, False)  # the entity a POST to a collection created
    yield from _document(model, ref, target.kind, doc, expanded)


def _document(model: Model, ref: Ref, kind: Kind, doc: Any, expanded: frozenset[str]) -> Iterator[str]:
    if ref.collection or kind is Kind.VALUE or ref.name not in model.types:
        if not isinstance(doc, dict) or "value" not in doc:
            yield 'a collection or value answer is {"value": ...}'
            return
        for key in doc:
            if key != "value" and not annotation(key):
                yield f"the answer has a member {key!r} beside value"
        items = doc["value"]
        if ref.collection and ref.name in model.types and isinstance(items, list):
            for n, item in enumerate(items):
                yield from structured(model, ref.name, item, f"value[{n}]", expanded)
        else:
            yield from problems(model, ref, items, "value")
        return
    yield from structured(model, ref.name, doc, "answer", expanded)


def _error_problems(doc: Any) -> Iterator[str]:
    # Graph's error document: learn.microsoft.com/graph/errors ("Error resource type")
    error = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(error, dict) or set(doc) != {"error"}:
        yield 'an error answer is {"error": {...}}'
        return
    if not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str):
        yield "an error has a string code and message"
    unknown = set(error) - _ERROR_KEYS
    if unknown:
        yield f"an error has no member {sorted(unknown)[0]!r}"


def _batch_answers(model: Model, doc: Any, sent: bytes) -> Iterator[str]:
    responses = doc.get("responses") if isinstance(doc, dict) else None
    if not isinstance(responses, list):
        yield 'a $batch answer is {"responses": [...]}'
        return
    try:
        requests = {str(r.get("id")): r for r in json.loads(sent).get("requests", []) if isinstance(r, dict)}
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        requests = {}
    for item in responses:
        if not isinstance(item, dict) or not isinstance(item.get("status"), int) or "id" not in item:
            yield "a $batch response has an id and an integer status"
            continue
        unknown = set(item) - {"id", "status", "headers", "body"}
        if unknown:
            yield f"a $batch response has no member {sorted(unknown)[0]!r}"
        request = requests.get(str(item["id"]))
        if request is None or not isinstance(request.get("url"), str):
            continue
        parts = urlsplit(request["url"])
        inner_path = "/v1.0/" + parts.path.lstrip("/")
        method = str(request.get("method", "GET")).upper()
        for message in answer_problems(model, method, inner_path, parts.query, item["status"], item.get("body")):
            yield f"$batch {item['id']} {method} {parts.path}: {message}"
