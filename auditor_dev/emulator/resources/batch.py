"""POST /$batch: JSON batching (https://learn.microsoft.com/graph/json-batching).

At most 20 requests, each answered on its own (status, headers, body), in order. `dependsOn`
names earlier requests; a request whose dependency failed is not run and answers 424 Failed
Dependency. A batch is fully parallel (no dependsOn) or fully sequential (every request after
the first has one), as the documentation asks; a mix is a 400. Responders see every inner request."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ..call import Answer, Call, Emulator
from ..encoding import dumps
from ..errors import GraphError, bad, error_document
from ..hooks import Drop, Reply, Request
from ..log import LoggedRequest
from ..query import parse_query

MAX_BATCH = 20  # requests in one JSON batch


def batch(em: Emulator, call: Call) -> Answer:
    try:
        doc = json.loads(call.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad("Invalid batch payload format.", "BadRequest") from None
    requests = doc.get("requests") if isinstance(doc, dict) else None
    if not isinstance(requests, list) or not requests:
        raise bad("Invalid batch payload format.", "BadRequest")
    if len(requests) > MAX_BATCH:
        raise bad(f"The number of batch requests exceeds the allowed limit of {MAX_BATCH}.", "BadRequest")
    ids: set[str] = set()
    for item in requests:
        rid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(rid, str) or not rid or rid.lower() in ids:  # ids are not case-sensitive
            raise bad("Batch request ids must be unique, non-empty strings.", "BadRequest")
        if not isinstance(item.get("url"), str) or not isinstance(item.get("method"), str):
            raise bad(f"Batch request {rid} needs a method and a url.", "BadRequest")
        depends = item.get("dependsOn")
        if depends is not None:
            if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
                raise bad(f"dependsOn of batch request {rid} must be a list of request ids.", "BadRequest")
            for d in depends:
                if d.lower() not in ids:
                    raise bad(
                        f"Batch request {rid} depends on '{d}', which is not an earlier request of the batch.",
                        "BadRequest",
                    )
        ids.add(rid.lower())
    sequential = [bool(item.get("dependsOn")) for item in requests[1:]]
    if any(sequential) and not all(sequential):
        raise bad("Batch should be either fully sequential or fully parallel.", "BadRequest")
    failed: set[str] = set()
    responses = []
    for item in requests:
        depends = [d.lower() for d in item.get("dependsOn") or []]
        skip = failed.intersection(depends)
        answer = _failed_dependency(em, item) if skip else _one(em, item)
        if not 200 <= answer["status"] < 300:
            failed.add(item["id"].lower())
        responses.append(answer)
    return 200, {"responses": responses}


def _failed_dependency(em: Emulator, item: dict[str, Any]) -> dict[str, Any]:
    # Graph documents the 424 status, not the body; the error code and message are the emulator's.
    url, method = item["url"], item["method"].upper()
    parts = urlsplit(url)
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    doc = error_document("FailedDependency", "The request was not run: a request it depends on failed.")
    em.log(
        LoggedRequest(
            method, unquote(path), dict(parse_qsl(parts.query)), {}, 424, None, True, item.get("body"), at=em.clock()
        )
    )
    return {"id": item["id"], "status": 424, "headers": {"Content-Type": "application/json"}, "body": doc}


def _one(em: Emulator, item: dict[str, Any]) -> dict[str, Any]:
    url, method = item["url"], item["method"].upper()
    parts = urlsplit(url)
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    query_log = dict(parse_qsl(parts.query))
    raw_headers = item.get("headers")
    inner_headers = {str(k).lower(): str(v) for k, v in raw_headers.items()} if isinstance(raw_headers, dict) else {}
    answer = em.respond(Request(method, unquote(path), parts.query, query_log, {}, batch=True))
    headers: dict[str, str] = {"Content-Type": "application/json"}
    doc: Any
    label = answer.label if answer is not None else None
    if isinstance(answer, Reply):
        if isinstance(answer.body, bytes | bytearray) or answer.close_after is not None:
            raise TypeError("inside a $batch a responder answers with a JSON document, not bytes")
        status, doc = answer.status, answer.body
        headers.update(answer.headers)
    elif isinstance(answer, Drop):
        raise TypeError("a responder cannot drop a request inside a $batch")
    else:
        try:
            if unquote(path).strip("/") == "$batch":
                raise bad("A batch cannot contain another batch.", "BadRequest")
            payload = b""
            if "body" in item and item["body"] is not None:
                if "content-type" not in inner_headers:
                    # Graph requires the header with a body; answering this request alone
                    # (not the whole batch) is the emulator's choice.
                    raise bad("A Content-Type header is required when a body is specified.", "BadRequest")
                payload = dumps(item["body"])
            headers.update(em.charge(method, unquote(path), query_log))  # each request of a batch counts
            status, doc = em.handle(method, path, parse_query(parts.query), inner_headers, payload)
        except GraphError as exc:
            status, doc = exc.status, error_document(exc.code, exc.message)
            headers.update(exc.headers)
    em.log(LoggedRequest(method, unquote(path), query_log, {}, status, label, True, item.get("body"), at=em.clock()))
    response: dict[str, Any] = {"id": item["id"], "status": status, "headers": headers}
    if doc is not None:
        response["body"] = doc
    return response
