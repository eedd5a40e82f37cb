"""A vendor's published OpenAPI 3 or swagger 2 subset (this package's <vendor>.json), held against one request
and its answer: what falls outside it is a list of one-line findings (auditor_dev.contracts.check_* record them).

What is checked, of an operation found by its method and path template (under the document's base path):
the query parameters it declares (one it does not declare, a required one missing, a value outside its
schema), the JSON request body against its requestBody (OpenAPI 3) or `in: body` parameter (swagger 2),
and the answer's status and JSON body against the response the document declares for that status. Headers
are not checked (the vendors' documents disagree with their own gateways on them).

Readings of the documents, each a choice made once here:
- An object schema that lists `properties` and says nothing of `additionalProperties` is closed: a key the
  vendor does not publish, in a request or an answer, is outside the contract. (That is how a stand-in and
  a client agreeing on a field the vendor never gave shows: issue 116.)
- OpenAPI 3's `nullable: true` allows null. Swagger 2 has no way to say it; Autotask's answers carry null
  for any field not set, so in a swagger 2 document every property may be null.
- An error status (4xx, 5xx) the operation does not declare is not checked (the vendors document their
  errors unevenly); one it declares is, against the body it declares. An undeclared success status is.
- Autotask's swagger names each entity's properties in PascalCase, where its REST API writes and reads
  camelCase JSON (Autotask's REST API pages: "id", "companyID"), and it gives an entity's model as the
  answer where the API wraps it: {item: {...}} for one, {items: [...], pageDetails} for a query. Both are
  read as the API answers (`_AUTOTASK`), the entity's fields still the swagger's.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, cast
from urllib.parse import quote, urlsplit

import jsonschema
from jsonschema import Draft4Validator

_JSON_MEDIA = re.compile(r"json", re.IGNORECASE)
_METHODS = ("get", "put", "post", "delete", "patch")
_MAX_FINDINGS = 3  # of one body: the first few name the fault, the rest repeat it


@dataclass(frozen=True)
class Quirks:
    """How a vendor's API departs from its own published document, each reading quoted above."""

    case_insensitive_paths: bool = False
    camel_case_properties: bool = False
    wrapped_entities: bool = False
    paging: frozenset[str] = frozenset()  # query parameters of a next page's URL, which the API writes itself


# Autotask: a query's next page is read at the pageDetails.nextPageUrl the API gives, as given (the client
# follows it, never composes it); the stand-in writes its own `page` there.
_AUTOTASK = Quirks(
    case_insensitive_paths=True, camel_case_properties=True, wrapped_entities=True, paging=frozenset({"page"})
)
# Halo: every listing is paged with pageinate, page_size and page_no (its swagger publishes them on GET
# /RecurringInvoice and /Users), and GET /Actions answers an Actions_View of page_no, page_size and record_count,
# though that operation's published parameters leave the three out: they are read as the view says, on every path.
_HALO = Quirks(paging=frozenset({"pageinate", "page_size", "page_no"}))
QUIRKS: dict[str, Quirks] = {"autotask": _AUTOTASK, "halo": _HALO}

# Endpoints a vendor documents outside the OpenAPI kept here: traffic to them is not checked.
EXEMPT: dict[str, tuple[tuple[str, str], ...]] = {
    # Pax8's token endpoint (token-manager.pax8.com/oauth/token) is in its separate Authentication API
    # document, an OAuth2 client-credentials exchange; the stand-in serves it on the same port.
    "pax8": (("POST", "/oauth/token"),),
    "sherweb": (
        # Sherweb's authorization server (api.sherweb.com/auth/oidc/connect/token): OAuth2, documented in
        # Sherweb.Apis.Authorization.OpenAPI.yaml, a form body and not the Service Provider API.
        ("POST", "/auth/oidc/connect/token"),
        # The customer catalog: on Sherweb's developer portal (and read so by CIPP), absent from the Service
        # Provider OpenAPI Sherweb published (beta08): nothing published to hold it to.
        ("GET", "/service-provider/v1/customer-catalogs/*"),
    ),
    "halo": (
        # Halo's authorisation server, outside the API document: GET api/authinfo names it (Halo's own module asks
        # it first: homotechsual/HaloAPI Connect-HaloAPI) and the token is an OAuth2 client-credentials form POSTed
        # to its /token (the stand-in's at /auth, or where authinfo says)
        ("GET", "/api/authinfo"),
        ("POST", "/auth/token"),
        ("POST", "/identity/token"),
    ),
}

# A path a vendor's portal documents whose answer the published document gives under another path: it is
# held to that one. Sherweb's subscription details answer {items: [...]} of the subscriptions the
# published GetCustomerSubscriptions gives (its portal; CIPP reads `sku`, `quantity` from both alike).
ANSWERED_AS: dict[str, dict[str, str]] = {
    "sherweb": {"/service-provider/v1/billing/subscriptions/details": "/service-provider/v1/billing/subscriptions"}
}


@dataclass(frozen=True)
class _Operation:
    template: str  # as the document writes it
    pointer: str  # JSON pointer of the operation
    op: Mapping[str, Any]
    query: Mapping[str, Mapping[str, Any]]  # name -> parameter
    body: str | None  # pointer of the request body's schema
    body_required: bool
    responses: Mapping[str, str | None]  # status ("200", "default") -> pointer of its schema, None: no body


def _escape(key: str) -> str:
    return quote(key.replace("~", "~0").replace("/", "~1"), safe="~!$&'()*+,;=:@")


def _camel(name: str) -> str:
    """A PascalCase name as Autotask's JSON writes it: its leading capitals lowered up to the one that begins
    the next word ("Id" id, "CI" ci, "ContractID" contractID), as .NET's camel-case serializer does."""
    chars = list(name)
    for i, char in enumerate(chars):
        if i == 1 and not char.isupper():
            break
        if i > 0 and i + 1 < len(chars) and not chars[i + 1].isupper():
            break
        chars[i] = char.lower()
    return "".join(chars)


class Contract:
    """One vendor's kept document, its operations found and their validators compiled once (`load`)."""

    def __init__(self, name: str, doc: Mapping[str, Any]) -> None:
        self.name = name
        self.doc = doc
        self.quirks = QUIRKS.get(name, Quirks())
        self.swagger2 = "swagger" in doc
        self.base = self._base()
        self.schema_root = self._converted()
        self._operations: list[tuple[re.Pattern[str], str, _Operation]] = []
        flags = re.IGNORECASE if self.quirks.case_insensitive_paths else 0
        for template, item in doc.get("paths", {}).items():
            shared = list(item.get("parameters", []))
            pattern = re.escape(self.base + template)
            pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", pattern)
            for method in _METHODS:
                if method in item:
                    operation = self._operation(template, method, item[method], shared)
                    self._operations.append((re.compile(pattern + r"/?\Z", flags), method.upper(), operation))
        # a literal segment wins over a template's ({id} would take "query"): the most literal first
        self._operations.sort(key=lambda o: o[2].template.count("{"))

    def _base(self) -> str:
        source = self.doc.get("x-source", {})
        if source.get("base"):
            return str(source["base"]).rstrip("/")
        if self.swagger2:
            return str(self.doc.get("basePath", "")).rstrip("/")
        servers = self.doc.get("servers") or [{}]
        return urlsplit(str(servers[0].get("url", ""))).path.rstrip("/")

    def _resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            target: Any = self.doc
            for part in str(node["$ref"])[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _operation(self, template: str, method: str, op: Mapping[str, Any], shared: list[Any]) -> _Operation:
        pointer = f"#/paths/{_escape(template)}/{method}"
        query: dict[str, Mapping[str, Any]] = {}
        body, body_required = None, False
        for i, raw in enumerate([*shared, *op.get("parameters", [])]):
            param = self._resolve(raw)
            if param.get("in") == "query":
                query[str(param["name"])] = param
            elif param.get("in") == "body":
                # a shared parameter sits under the path item, an operation's under the operation
                at = i - len(shared)
                where = f"#/paths/{_escape(template)}/parameters/{i}" if at < 0 else f"{pointer}/parameters/{at}"
                body, body_required = f"{where}/schema", bool(param.get("required"))
        request = op.get("requestBody")
        if isinstance(request, Mapping):
            request = self._resolve(request)
            for media in request.get("content", {}):
                if _JSON_MEDIA.search(media) and "schema" in request["content"][media]:
                    body, body_required = (
                        f"{pointer}/requestBody/content/{_escape(media)}/schema",
                        bool(request.get("required")),
                    )
                    break
        responses: dict[str, str | None] = {}
        for status, raw in op.get("responses", {}).items():
            answer = self._resolve(raw)
            responses[str(status)] = None
            if self.swagger2 and "schema" in answer:
                responses[str(status)] = f"{pointer}/responses/{_escape(str(status))}/schema"
            for media, content in (answer.get("content") or {}).items():
                if _JSON_MEDIA.search(media) and "schema" in content:
                    responses[str(status)] = (
                        f"{pointer}/responses/{_escape(str(status))}/content/{_escape(media)}/schema"
                    )
                    break
        return _Operation(template, pointer, op, query, body, body_required, responses)

    # --- the document as JSON Schema ---------------------------------------------------------------

    def _converted(self) -> dict[str, Any]:
        """The document with its schemas read as JSON Schema (the readings in the module's docstring)."""
        converted = cast(dict[str, Any], self._walk(dict(self.doc), False))
        if "definitions" in self.doc:
            converted["definitions"] = {k: self._schema(v) for k, v in self.doc["definitions"].items()}
        return converted

    def _walk(self, node: Any, under_components: bool) -> Any:
        """Only what sits where a schema may is converted: a parameter named "properties" is not an object."""
        if isinstance(node, list):
            return [self._walk(n, under_components) for n in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "schema":
                out[key] = self._schema(value)
            elif under_components and key == "schemas":
                out[key] = {k: self._schema(v) for k, v in value.items()}
            else:
                out[key] = self._walk(value, key == "components")
        return out

    def _schema(self, node: Any, member: bool = False) -> Any:
        """`member`: one of an allOf/anyOf/oneOf, which is not closed (each of its parts lists some keys only)."""
        if isinstance(node, list):
            return [self._schema(n, member) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return {"$ref": node["$ref"]}  # OpenAPI 3.0 ignores a $ref's siblings, as JSON Schema draft 4 does
        skipped = ("example", "examples", "x-example")  # (a property of those names is under "properties")
        out = {
            k: self._schema(v, k in ("allOf", "anyOf", "oneOf"))
            for k, v in node.items()
            if k not in skipped and k != "properties"
        }
        if isinstance(node.get("properties"), dict):
            properties = {str(k): self._schema(v) for k, v in node["properties"].items()}
            if self.quirks.camel_case_properties:
                properties = {_camel(k): v for k, v in properties.items()}
                if isinstance(out.get("required"), list):
                    out["required"] = [_camel(str(r)) for r in out["required"]]
            if self.swagger2:
                properties = {k: {"anyOf": [v, {"type": "null"}]} for k, v in properties.items()}
            out["properties"] = properties
            if not member:
                out.setdefault("additionalProperties", False)
        if out.get("nullable") is True:
            out = {"anyOf": [out, {"type": "null"}]}
        return out

    @functools.lru_cache(maxsize=512)  # noqa: B019  contracts live for the process (load's cache)
    def _validator(self, pointer: str) -> jsonschema.protocols.Validator:
        root = {k: v for k, v in self.schema_root.items() if k in ("components", "definitions", "paths")}
        return cast(jsonschema.protocols.Validator, Draft4Validator({**root, "$ref": pointer}))

    def _errors(self, pointer: str, value: Any, label: str) -> list[str]:
        found = []
        for error in self._validator(pointer).iter_errors(value):
            error = _leaf(error)
            at = "/".join(str(p) for p in error.absolute_path)
            found.append(f"{label}{' at ' + at if at else ''}: {_short(error)}")
            if len(found) >= _MAX_FINDINGS:
                break
        return found

    # --- one exchange --------------------------------------------------------------------------------

    def exempt(self, method: str, path: str) -> bool:
        for verb, pattern in EXEMPT.get(self.name, ()):
            if verb == method and (path == pattern or (pattern.endswith("*") and path.startswith(pattern[:-1]))):
                return True
        return False

    def operation(self, method: str, path: str) -> _Operation | str | None:
        """The operation serving `method path`; None: no path matches; a string: the path's, not the method's."""
        path = ANSWERED_AS.get(self.name, {}).get(path, path)
        methods = []
        for pattern, verb, operation in self._operations:
            if pattern.match(path):
                if verb == method:
                    return operation
                methods.append(verb)
        return ", ".join(sorted(set(methods))) if methods else None

    def check_request(self, method: str, path: str, query: Mapping[str, str], body: Any) -> list[str]:
        found = self.operation(method, path)
        if found is None:
            return ["no such path in the published contract"]
        if isinstance(found, str):
            return [f"the published contract gives this path {found} only, not {method}"]
        return self._query(found, query) + self._body(found, body)

    def _query(self, found: _Operation, query: Mapping[str, str]) -> list[str]:
        problems = [
            f"query parameter {name!r} is not published"
            for name in query
            if name not in found.query and name not in self.quirks.paging
        ]
        for name, param in found.query.items():
            if name not in query:
                if param.get("required"):
                    problems.append(f"required query parameter {name!r} is missing")
                continue
            declared = param.get("schema", param)
            value = _typed(query[name], str(declared.get("type", "string")))
            if value is None:
                problems.append(f"query parameter {name!r} is not a {declared.get('type')}")
                continue
            checked = {k: v for k, v in declared.items() if k in ("type", "enum", "minimum", "maximum")}
            if checked.get("type") not in ("string", "number", "integer", "boolean"):
                checked.pop("type", None)
            problems += [f"query parameter {name!r}: {_short(e)}" for e in Draft4Validator(checked).iter_errors(value)]
        return problems

    def _body(self, found: _Operation, body: Any) -> list[str]:
        if found.body is None:
            return [] if body is None else ["a body where the published contract takes none"]
        if body is None:
            return ["no body where the published contract requires one"] if found.body_required else []
        return self._errors(found.body, body, "request body")

    def check_answer(self, method: str, path: str, status: int, body: Any) -> list[str]:
        found = self.operation(method, path)
        if not isinstance(found, _Operation):
            return []  # the request was recorded already
        declared = found.responses
        key = str(status) if str(status) in declared else f"{status // 100}XX"
        if key not in declared:
            key = "default" if "default" in declared else ""
        if not key:
            if status >= 400:
                return []  # an error the vendor does not document: its shape is not held (module docstring)
            return [f"status {status} is not published (published: {', '.join(declared) or 'none'})"]
        pointer = declared[key]
        if pointer is None:
            return []  # the document gives no schema of this answer's body
        if isinstance(body, bytes):
            try:
                body = json.loads(body)
            except ValueError:
                return ["an answer that is not JSON where the published contract gives a JSON body"]
        if body is None:
            return ["no body where the published contract gives one"]
        if self.quirks.wrapped_entities:
            return self._wrapped(found, pointer, body)
        return self._errors(pointer, body, "answer")

    def _wrapped(self, found: _Operation, pointer: str, body: Any) -> list[str]:
        """Autotask's answer around the entity its swagger gives (module docstring)."""
        if not isinstance(body, dict):
            return ["answer: not an object"]
        if found.template.lower().endswith("/query"):
            rest = set(body) - {"items", "pageDetails"}
            items = body.get("items")
            if rest or not isinstance(items, list) or not isinstance(body.get("pageDetails"), dict):
                return ["answer: not {items: [...], pageDetails: {...}}"]
            problems = []
            for i, item in enumerate(items):
                problems += self._errors(pointer, item, f"answer at items/{i}")
                if len(problems) >= _MAX_FINDINGS:
                    break
            return problems
        if set(body) == {"itemId"}:
            # a created entity: Autotask answers its id ({"itemId": n}), not the entity its swagger names
            return [] if isinstance(body["itemId"], int) else ["answer at itemId: not a whole number"]
        if "item" in body and len(body) == 1:
            return [] if body["item"] is None else self._errors(pointer, body["item"], "answer at item")
        return self._errors(pointer, body, "answer")


def _typed(raw: str, kind: str) -> object:
    if kind in ("number", "integer"):
        try:
            number = float(raw)
        except ValueError:
            return None
        if kind == "integer":
            return int(number) if number.is_integer() else None
        return number
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.lower())
    return raw


def _leaf(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Through a nullable field's anyOf, the fault of the branch that is not null (its path the deeper one)."""
    while error.validator == "anyOf" and error.context:
        named = [e for e in error.context if e.validator_value != "null"]
        if len(named) == len(error.context) or not named:
            break
        error = named[0]
    return error


def _short(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        published = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(str(k) for k in error.instance if k not in published)
        return f"{', '.join(extra)[:160]} not published"
    if error.validator == "anyOf" and error.context:
        named = [e for e in error.context if e.validator_value != "null"]
        if len(named) < len(error.context):  # a nullable field's fault: the branch that is not null names it
            return _short(named[0] if named else error.context[0])
        return "none of the published alternatives: " + "; ".join(_short(e) for e in error.context[:4])
    return str(error.message)[:160]


@functools.cache
def load(name: str) -> Contract:
    """The contract kept as <name>.json in this package, compiled once per process."""
    text = resources.files("auditor_dev.contracts").joinpath(f"{name}.json").read_text(encoding="utf-8")
    return Contract(name, json.loads(text))
