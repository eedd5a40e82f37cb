"""Remediation in report.json: each distinct text stored once, each finding refers to it.

Since report.json schema 3 the document holds `remediations`, a map from a key to a remediation
template, and each finding's `remediation` is `{"ref": key}` (or null). A template is the
remediation object itself (summary, steps, actions, alternatives, role, next_steps, links) in which
every string (keys included) is a format string: `{user}` stands for the finding's user as the texts name them,
`{user_ref}` for the segment that names the user in a Graph path, and `{{` / `}}` for a literal
brace. Tens of thousands of findings of one rule then share a handful of templates (the texts
differ only in the user they name), which keeps the report of a million users small.

    user      = subject.display_name + " (" + subject.upn + ")" when both are present and differ,
                else upn, display_name or id; for other subjects: "<sku> (<id>)" for a
                subscription, else sku, display_name or id
    user_ref  = subject.id, else subject.upn, else the literal "{user-id}" (the calls are not ready)

Keys are the first 16 hex digits of the SHA-256 of the template's canonical JSON (sorted keys), so
one text has one key in every report, and tables of several reports merge without clashes.

`remediation_of(document, finding)` gives a finding's remediation as written in schema 1 and 2
(the template filled in) from a report of any schema; everything that reads report.json (renderers,
--baseline, merge, the plan compiler) reads remediation through it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

SCHEMA_VERSION = 4  # report.json: 3 = remediation texts shared (`remediations` + `{"ref"}`); 4 = `shared`
USER = "{user}"
USER_REF = "{user_ref}"
USER_ID_PLACEHOLDER = "{user-id}"  # a path segment for a user the report has no id or UPN for
_TOKEN = re.compile(r"\{\{|\}\}|\{user\}|\{user_ref\}")
_UNSEEN: Any = object()  # Reader: a template not prepared yet


@dataclass(frozen=True, slots=True)
class Template:
    """A remediation whose strings are format strings (module docstring), with its key."""

    key: str
    body: Any


def _text(value: Any) -> str | None:
    if type(value) is str:
        return value or None
    if value is None or isinstance(value, Mapping | list | tuple):
        return None
    return str(value) or None


def subject_label(subject: Mapping[str, Any]) -> str:
    """How the texts name a finding's subject (`{user}`)."""
    get = subject.get
    kind, name = _text(get("type")) or "user", _text(get("display_name"))
    if kind == "user":
        upn = _text(get("upn"))
        if name and upn and name != upn:
            return f"{name} ({upn})"
        return upn or name or _text(get("id")) or "?"
    sid, sku = _text(get("id")), _text(get("sku"))
    if kind == "subscription" and sku and sid:
        return f"{sku} ({sid})"
    return sku or name or sid or "?"


def subject_ref(subject: Mapping[str, Any]) -> str:
    """The path segment that names the user in Graph (`{user_ref}`): object id, else UPN."""
    return _text(subject.get("id")) or _text(subject.get("upn")) or USER_ID_PLACEHOLDER


def escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def to_template(value: Any, replace: Mapping[str, str] | None = None) -> Any:
    """`value` (a JSON-like remediation) with every string escaped, then each key of `replace`
    (a sentinel that holds no brace) turned into its placeholder."""
    if isinstance(value, str):
        text = escape(value)
        for sentinel, placeholder in (replace or {}).items():
            if sentinel in text:
                text = text.replace(sentinel, placeholder)
        return text
    if isinstance(value, list | tuple):
        return [to_template(v, replace) for v in value]
    if isinstance(value, Mapping):
        return {to_template(k, replace): to_template(v, replace) for k, v in value.items()}
    return value


def key_of(body: Any) -> str:
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def template(body: Any) -> Template:
    return Template(key_of(body), body)


def literal(remediation: Any) -> Template:
    """A template that gives `remediation` back as it is (a carried remediation of an older report)."""
    return template(to_template(remediation))


def fill(body: Any, subject: Mapping[str, Any]) -> Any:
    """The template `body` with the subject's label and path segment in place of the placeholders."""
    values = {"{{": "{", "}}": "}", USER: subject_label(subject), USER_REF: subject_ref(subject)}
    return _fill(body, values)


def _fill(value: Any, values: dict[str, str]) -> Any:
    if type(value) is str:
        return _TOKEN.sub(lambda m: values[m.group(0)], value) if ("{" in value or "}" in value) else value
    if type(value) is list:
        return [_fill(v, values) for v in value]
    if type(value) is dict:
        return {_fill(k, values): _fill(v, values) for k, v in value.items()}
    return value


def ref_of(finding: Mapping[str, Any]) -> str | None:
    """The key a finding's remediation refers to (schema 3), else None."""
    remediation = finding.get("remediation")
    if isinstance(remediation, Mapping) and set(remediation) == {"ref"} and isinstance(remediation["ref"], str):
        return remediation["ref"]
    return None


def table_of(document: Mapping[str, Any]) -> Mapping[str, Any]:
    table = document.get("remediations")
    return table if isinstance(table, Mapping) else {}


def remediation_of(document: Mapping[str, Any], finding: Mapping[str, Any], parts: tuple[str, ...] | None = None
                   ) -> Any:
    """The finding's remediation object as schema 1 and 2 carry it (None when it has none, or its
    ref names no template of the document); an inline object (older schemas) is given as it is.
    `parts`: only these keys of a template are filled in (and given). For many findings of one
    document, `Reader(document).of(finding)` gives the same faster."""
    return Reader(document).of(finding, parts)


class Reader:
    """remediation_of for the findings of one document: each template is prepared once (as JSON
    text with a sentinel per placeholder), then each finding's is two text replacements and a parse."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.table = table_of(document)
        self._prepared: dict[tuple[str, tuple[str, ...] | None], bytes | Template | None] = {}
        token = secrets.token_hex(8)  # tenant text cannot guess it
        self._user, self._ref = f"\x00user-{token}\x00", f"\x00ref-{token}\x00"
        self._json_user, self._json_ref = orjson.dumps(self._user)[1:-1], orjson.dumps(self._ref)[1:-1]
        self._values = {"{{": "{", "}}": "}", USER: self._user, USER_REF: self._ref}

    def of(self, finding: Mapping[str, Any], parts: tuple[str, ...] | None = None) -> Any:
        ref = ref_of(finding)
        if ref is None:
            return finding.get("remediation")
        key = (ref, parts)
        prepared = self._prepared.get(key, _UNSEEN)
        if prepared is _UNSEEN:
            prepared = self._prepared[key] = self._prepare(ref, parts)
        if prepared is None:
            return None
        subject = finding.get("subject")
        subject = subject if isinstance(subject, Mapping) else {}
        if isinstance(prepared, Template):
            return fill(prepared.body, subject)
        text = prepared.replace(self._json_user, orjson.dumps(subject_label(subject))[1:-1])
        return orjson.loads(text.replace(self._json_ref, orjson.dumps(subject_ref(subject))[1:-1]))

    def _prepare(self, ref: str, parts: tuple[str, ...] | None) -> bytes | Template | None:
        """The template as JSON text with the sentinels; as it is when it is not JSON (a document
        built by hand: filled in directly); None when the ref names no template."""
        body = self.table.get(ref)
        if not isinstance(body, Mapping):
            return None
        if parts is not None:
            body = {k: body[k] for k in parts if k in body}
        try:
            return orjson.dumps(_fill(body, self._values))
        except TypeError:
            return Template(ref, body)


def with_templates(findings: list[dict[str, Any]], *documents: Mapping[str, Any]) -> dict[str, Any]:
    """Make `findings` (copies, changed in place) refer to templates: a ref is kept and its
    template looked up in `documents` (the first that has it), an inline remediation (schema 1 or 2)
    becomes a literal template. Returns the templates they refer to, by key."""
    out: dict[str, Any] = {}
    for f in findings:
        ref = ref_of(f)
        if ref is not None:
            for doc in documents:
                body = table_of(doc).get(ref)
                if body is not None:
                    out[ref] = body
                    break
            continue
        remediation = f.get("remediation")
        if isinstance(remediation, Mapping):
            t = literal(remediation)
            out[t.key] = t.body
            f["remediation"] = {"ref": t.key}
    return out


def check_table(document: Mapping[str, Any]) -> str | None:
    """A problem with the document's templates and refs (schema 3), else None."""
    table = document.get("remediations")
    if table is None:
        table = {}
    if not isinstance(table, Mapping) or not all(isinstance(v, Mapping) for v in table.values()):
        return "remediations must be an object of remediation objects"
    for f in document.get("findings") or []:
        if not isinstance(f, Mapping):
            continue
        remediation = f.get("remediation")
        if remediation is None:
            continue
        ref = ref_of(f)
        if ref is None:
            if isinstance(remediation, Mapping) and "ref" not in remediation:
                continue  # inline, as older schemas write it
            return f"finding {f.get('id')!r}: remediation must be null or {{\"ref\": <key of remediations>}}"
        if ref not in table:
            return f"finding {f.get('id')!r}: remediation.ref {ref!r} names no entry of remediations"
    return None


# --- what findings share (schema 4) --------------------------------------------------------------

# The details a finding shares with every other finding of its rule and policy on users with the
# same license layout: how the products are held, what removing them would end, what leaving each
# group takes. Stored once per distinct block in `shared`.
SHARED_DETAILS = frozenset((
    "assignment", "assigned_by_group", "assigned_by_group_ids", "sku_ids", "data_kinds", "data_lost", "leaving",
    "also_direct",
))


def _block(finding: Mapping[str, Any]) -> dict[str, Any]:
    details = finding.get("details")
    shared = {k: v for k, v in details.items() if k in SHARED_DETAILS} if isinstance(details, Mapping) else {}
    return {"policy": finding.get("policy"), "message": finding.get("message"), "details": shared}


def factor(findings: list[Any]) -> tuple[dict[str, Any], list[Any]]:
    """(the `shared` table, the findings as schema 4 writes them): each finding's `policy`,
    `message` and SHARED_DETAILS go to one block of the table, which the finding names with
    `"shared": key` (where `policy` stood); its `details` keep the rest. Keys are the first 16 hex
    digits of the SHA-256 of the block's canonical JSON. The findings given are not changed."""
    table: dict[str, Any] = {}
    keys: dict[bytes, str] = {}
    out: list[Any] = []
    for f in findings:
        if not isinstance(f, Mapping) or "shared" in f or "policy" not in f \
                or not isinstance(f.get("details"), Mapping):
            out.append(f)  # not a finding this tool wrote: kept whole
            continue
        block = _block(f)
        try:
            content = orjson.dumps(block, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # a value orjson refuses: kept whole (the writer falls back for it)
            out.append(f)
            continue
        key = keys.get(content)
        if key is None:
            key = keys[content] = hashlib.sha256(content).hexdigest()[:16]
            table[key] = block
        own: dict[str, Any] = {}
        for name, value in f.items():
            if name == "policy":
                own["shared"] = key
            elif name == "details" and isinstance(value, Mapping):
                own["details"] = {k: v for k, v in value.items() if k not in SHARED_DETAILS}
            elif name != "message":
                own[name] = value
        out.append(own)
    return table, out


def expand(document: dict[str, Any]) -> str | None:
    """Give each finding of a schema-4 document (read from report.json) its `policy`, `message`
    and shared details back, in place, so every reader sees findings as schema 1-3 wrote them.
    None, or what is wrong (a finding naming a block the table lacks)."""
    table = document.pop("shared", None)
    findings = document.get("findings")
    if not isinstance(findings, list):
        return None
    if table is None:
        named = next((i for i, f in enumerate(findings) if isinstance(f, dict) and "shared" in f), None)
        return None if named is None else f"findings[{named}].shared: the report has no `shared` table"
    if not isinstance(table, Mapping):
        return "shared: must be an object"
    for i, f in enumerate(findings):
        if not isinstance(f, dict) or "shared" not in f:
            continue
        key = f["shared"]
        block = table.get(key) if isinstance(key, str) else None
        if not isinstance(block, Mapping) or not isinstance(block.get("details", {}), Mapping):
            return f"findings[{i}].shared: {str(key)[:40]!r} is not a block of `shared`"
        whole = dict(f)
        f.clear()
        for name, value in whole.items():  # `policy` where `shared` stands, `message` after `skus`
            if name == "shared":
                f["policy"] = block.get("policy")
            elif name == "details":
                # facts are written in key order (Finding.facts): read back whole in that order
                own = value if isinstance(value, Mapping) else {}
                f["details"] = dict(sorted({**block.get("details", {}), **own}.items()))
            else:
                f[name] = value
            if name == "skus":
                f["message"] = block.get("message")
        f.setdefault("message", block.get("message"))
    return None


def loads(data: bytes | str) -> Any:
    """report.json's text as its readers see it: parsed, with what findings share given back to
    each of them (`expand`). ValueError: not JSON, or a finding names a block `shared` lacks."""
    document = orjson.loads(data)
    if isinstance(document, dict):
        problem = expand(document)
        if problem is not None:
            raise ValueError(problem)
    return document
