"""Cutting a vendor's published OpenAPI/swagger down to the paths this tool uses (scripts/cut_vendor_schemas.py).

A vendor's whole document is megabytes of endpoints no client here calls; the kept subset is the
operations named in `KEEP` and everything they reach through `$ref`, followed transitively, so each
kept file is self-contained: cut again from itself with its own list, it gives itself (a test holds
every kept file to that). Nothing in a kept operation or schema is changed: the vendor's words stay
the vendor's, and the `x-source` block says where they were read.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

# Per vendor: where its published document is, and the operations kept (path as the document writes it:
# the methods used). The one list of what is kept: the cut script and the tests read it from here.
KEEP: dict[str, dict[str, Any]] = {
    "pax8": {
        "repo": "api-evangelist/pax8",
        "path": "openapi/_original/pax8-partner-endpoints-openapi.json",
        "commit": "36580fb1d803f29772eaaaa11ce9db0732c693c1",
        "paths": {
            "/companies": ["get"],
            "/companies/{companyId}": ["get"],
            "/subscriptions": ["get"],
            "/subscriptions/{subscriptionId}": ["get", "put", "delete"],
            "/subscriptions/{subscriptionId}/history": ["get"],
            "/invoices": ["get"],
            "/invoices/{invoiceId}": ["get"],
            "/invoices/{invoiceId}/items": ["get"],
        },
    },
    "sherweb": {
        # the Service Provider API (beta) as Sherweb last published it: the file is on the repository's
        # beta/service-provider branch (tag v1.0-beta08), the master branch holding the Distributor API only
        "repo": "sherweb/Public-Apis",
        "path": "Sherweb.Apis.ServiceProvider.OpenAPI.json",
        "commit": "e8b51fbc9f22e3c5b8efee04b229b16dbd2ab227",
        # the document names no server: Sherweb's developer portal serves it at api.sherweb.com/service-provider/v1
        "base": "/service-provider/v1",
        "paths": {
            "/customers": ["get"],  # the customer's own record, which binds a tenants entry to it (mappings)
            "/billing/subscriptions": ["get"],
            "/billing/subscriptions/amendments": ["post"],
            "/billing/subscriptions/amendments/{subscriptionsAmendmentId}/status": ["get"],
        },
    },
    "autotask": {
        "repo": "KelvinTegelaar/AutotaskAPI",
        "path": "v1.json",
        "commit": "c105ef74fe7a844c04eab5bbb1c432fd95217250",
        "paths": {
            "/V1.0/ZoneInformation": ["get"],
            "/V1.0/Companies/{id}": ["get"],
            "/V1.0/Currencies/{id}": ["get"],
            "/V1.0/Currencies/query": ["get"],
            "/V1.0/Contracts/query": ["get"],
            "/V1.0/ContractServices/query": ["get"],
            "/V1.0/ContractServiceUnits/query": ["get"],
            "/V1.0/Contacts/query": ["get"],
            "/V1.0/Tickets/query": ["get"],
            "/V1.0/Tickets/{id}": ["get"],
            "/V1.0/Tickets": ["post"],
            "/V1.0/Tickets/entityInformation/fields": ["get"],
            "/V1.0/TicketNotes/query": ["get"],
            "/V1.0/Tickets/{parentId}/Notes": ["post"],
            "/V1.0/ContractServiceAdjustments": ["post"],  # apply --psa: the only write of a service's units
        },
    },
    # Not kept yet: their published documents are over 4 MiB, more than this workplace's copies of a
    # repository carry (ConnectWise's cw-api.json is 7.5 MB, Halo's swagger.json 4.7 MB). The lists are
    # ready for the script to cut them from a full copy (--file connectwise=cw-api.json).
    # The search index's stored copies (read_file pages them 16,000 characters a call; find_string sees only a
    # file's first 100,000 characters, so a schema's offset further in must be found by paging) are
    # cw-api.json at 07fea6cb4478ea021fa829c6ed35c10ab851fa49 (7,562,460 characters, OpenAPI 3.0.1, "version"
    # 2025.8, server https://na.myconnectwise.net/v4_6_release/apis/3.0) and swagger.json at
    # d23ab84a73affa16ba65d11d09dd9bd0c4396eb8 (4,716,202 characters, OpenAPI 3.0.1, server /api).
    "connectwise": {
        "repo": "ai-connor/connectwise",
        "path": "cw-api.json",
        "commit": "a3f48015240291288fc85ef2dc18b066e4ef082a",
        # what the client (auditor/vendors/connectwise: client.py, tickets.py) calls, under API_PATH: a
        # company by id, the company's agreements and their additions, open tickets listed by `conditions`
        # (a ticket is found open by `id=N and ... closedFlag=false`, not by GET /service/tickets/{id}), a
        # ticket's notes listed and posted. No board or status is read.
        "paths": {
            "/company/companies/{id}": ["get"],
            "/finance/agreements": ["get"],
            "/finance/agreements/{id}/additions": ["get"],
            "/service/tickets": ["get", "post"],
            "/service/tickets/{parentId}/notes": ["get", "post"],
        },
    },
    "halo": {
        "repo": "redanthrax/halopsa-node",
        "path": "swagger.json",
        "commit": "c4ff4e61702a8540d7adc126a5880fd092c38e2d",
        "paths": {
            "/Client/{id}": ["get"],
            "/RecurringInvoice": ["get"],
            "/Users": ["get"],
            "/Tickets": ["get", "post"],
            "/Tickets/{id}": ["get"],
            "/Actions": ["get", "post"],
        },
    },
}

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _pointer(ref: str) -> list[str]:
    """A local $ref's JSON pointer as its keys; another document's ref is refused (a subset is self-contained)."""
    if not ref.startswith("#/"):
        raise ValueError(f"$ref {ref!r} is not local to the document")
    return [part.replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/")]


def _get(doc: Mapping[str, Any], keys: Sequence[str]) -> Any:
    node: Any = doc
    for key in keys:
        if not isinstance(node, Mapping) or key not in node:
            raise ValueError(f"$ref #/{'/'.join(keys)} names nothing in the document")
        node = node[key]
    return node


def _put(doc: dict[str, Any], keys: Sequence[str], value: Any) -> None:
    node = doc
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = copy.deepcopy(value)


def cut(doc: Mapping[str, Any], paths: Mapping[str, Sequence[str]], source: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of `doc` for `paths` (path: methods kept), every $ref it reaches copied in, `source` as
    its x-source block. A kept path or method the document lacks is an error: the vendor changed."""
    out: dict[str, Any] = {"x-source": dict(source)}
    for key in ("openapi", "swagger", "info", "servers", "host", "basePath", "schemes", "consumes", "produces"):
        if key in doc:
            out[key] = copy.deepcopy(doc[key])
    kept: dict[str, Any] = {}
    for path, methods in paths.items():
        item = doc.get("paths", {}).get(path)
        if not isinstance(item, Mapping):
            raise ValueError(f"the document has no path {path}")
        kept[path] = {k: copy.deepcopy(v) for k, v in item.items() if k not in METHODS}  # its shared parameters
        for method in methods:
            if method not in item:
                raise ValueError(f"the document has no {method.upper()} {path}")
            kept[path][method] = copy.deepcopy(item[method])
    out["paths"] = kept
    done: set[str] = set()
    todo = list(_refs(kept))
    while todo:
        ref = todo.pop()
        if ref in done:
            continue
        done.add(ref)
        keys = _pointer(ref)
        target = _get(doc, keys)
        _put(out, keys, target)
        todo.extend(_refs(target))
    return out
