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
    # ConnectWise's own OpenAPI (ai-connor/connectwise cw-api.json, 7.5 MB, "version" 2025.8) is more than this
    # workplace's copies of a repository carry, and no registry ships it; what is kept is read back from the
    # TypeScript that openapi-typescript generated from ConnectWise's OpenAPI for the npm package
    # connectwise-rest 1.3.0 (src/ManageTypes.ts, ConnectWise's API version 2022.1), by
    # auditor_dev.contracts.typescript (what the types cannot carry is not checked: its docstring). `commit` is
    # the package's tarball's SHA-1 (the registry's dist.shasum), `committed` its publication.
    # Cut again: npm pack connectwise-rest@1.3.0, then
    # scripts/cut_vendor_schemas.py connectwise --file connectwise=package/src/ManageTypes.ts
    #   --committed 2026-06-05T04:47:54Z
    "connectwise": {
        "repo": "covenanttechnologysolutions/connectwise-rest",
        "package": "npm connectwise-rest@1.3.0",
        "path": "src/ManageTypes.ts",
        "commit": "23ce35240cc4f62f8c2ab746ba65204d79fd3d17",
        "server": "https://na.myconnectwise.net/v4_6_release/apis/3.0",
        # what the client (auditor/vendors/connectwise: client.py, tickets.py) calls, under API_PATH: a
        # company by id, the company's agreements and their additions, open tickets listed by `conditions`
        # (a ticket is found open by `id=N and ... closedFlag=false`, not by GET /service/tickets/{id}), a
        # ticket's notes listed and posted. No board or status is read. An addition by id (GET, PUT, PATCH):
        # kept for the PSA writes (FOR_WRITES), which change an addition's quantity.
        "paths": {
            "/company/companies/{id}": ["get"],
            "/finance/agreements": ["get"],
            "/finance/agreements/{parentId}/additions": ["get"],
            "/finance/agreements/{parentId}/additions/{id}": ["get", "put", "patch"],
            "/service/tickets": ["get", "post"],
            "/service/tickets/{parentId}/notes": ["get", "post"],
        },
    },
    # Halo's published swagger.json is 4.7 MB, more than this workplace's copies of a repository carry, and no
    # registry ships it: halo.json is assembled by hand from the search index's stored copy (at the commit below,
    # read 16,000 characters a call; its x-source says at which offsets and how), not cut by the script. Its
    # operations are whole; its schemas keep the properties this tool's traffic names (a ticket's Faults, some
    # 120,000 characters, its nine). POST /RecurringInvoice (Halo updates a recurring invoice by it) is kept for
    # the PSA writes (FOR_WRITES).
    "halo": {
        "repo": "redanthrax/halopsa-node",
        "path": "swagger.json",
        "commit": "d23ab84a73affa16ba65d11d09dd9bd0c4396eb8",
        "paths": {
            "/Actions": ["get", "post"],
            "/Client/{id}": ["get"],
            "/Tickets": ["get", "post"],
            "/Tickets/{id}": ["get"],
            "/RecurringInvoice": ["get", "post"],
            "/Users": ["get"],
        },
    },
}

# Operations kept ahead of the client that will call them (the PSA writes): the tests that hold a KEEP list
# to its client's calls leave these out.
FOR_WRITES: dict[str, dict[str, list[str]]] = {
    "connectwise": {"/finance/agreements/{parentId}/additions/{id}": ["get", "put", "patch"]},
    "halo": {"/RecurringInvoice": ["post"]},
}

# Readings of a document the vendor's own use overrides, each with its reason; the cut applies them (a key
# path into the document: the schema put there, and why).
READINGS: dict[str, dict[tuple[str, ...], tuple[dict[str, Any], str]]] = {
    "connectwise": {
        ("components", "schemas", "PatchOperation", "properties", "value"): (
            {},
            "ConnectWise's generator renders the .NET object behind a PATCH's value as `type: object`; the value "
            "is the new value of the field at `path`, a number for an addition's int32 `quantity`",
        ),
    },
}


def read_as_used(vendor: str, doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with the vendor's READINGS put in, each noted under x-readings."""
    for keys, (schema, why) in READINGS.get(vendor, {}).items():
        _put(doc, keys, {**schema, "x-reading": why})
    return doc


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
