"""A vendor's OpenAPI read back from the TypeScript openapi-typescript generated from it, where the document
itself cannot be had whole (ConnectWise Manage's cw-api.json: auditor_dev.contracts.cut.KEEP says why).

openapi-typescript writes each schema of `components.schemas`, each path's operations and each operation's
parameters, request body and answers as TypeScript types, the schema's words kept as comments. The reading
back is mechanical, each choice made once here:
- a property without `?` is required; `T | null` is `nullable: true`; `("A" | "B")` is an enum of strings;
- `number` is an integer where its comment gives an integer format ("Format: int32"), else a number;
- `{ [key: string]: T }` is an object of T; `unknown` is any value;
- a comment's format ("Format: date-time") and "Max length: N" are kept as `format` and `maxLength`.
What TypeScript cannot carry (a pattern, a minimum) is not there to check.
"""

from __future__ import annotations

import re
from typing import Any

_REF = re.compile(r'^components\["schemas"\]\["([A-Za-z0-9_.-]+)"\]$')
_MEMBER = re.compile(r'^\s*(?:"([^"]+)"|([A-Za-z_$][\w$]*)|(\d{3}|default))(\?)?:\s*(.*)$', re.S)
_FORMAT = re.compile(r"Format: ([\w-]+)")
_MAX = re.compile(r"Max length: (\d+);")
_OPERATION = re.compile(r'^\s*(get|put|post|delete|patch): operations\["(\w+)"\];')


def _split(text: str, sep: str) -> list[str]:
    """`text` split at `sep` outside brackets and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "([{":
            depth += 1
        elif not quoted and char in ")]}":
            depth -= 1
        elif not quoted and depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _unwrap(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if depth < 0:
            return False
    return depth == 0


def _alternatives(text: str) -> list[str]:
    """The members of a union, a parenthesised union's own flattened in (`("A" | "B") | null`)."""
    out: list[str] = []
    for part in _split(text.strip().lstrip("| ").strip(), "|"):
        inner = _unwrap(part)
        out.extend(_alternatives(inner) if inner != part or len(_split(inner, "|")) > 1 else [part])
    return out


def type_schema(text: str, comment: str = "") -> dict[str, Any]:
    """The JSON schema (OpenAPI 3.0) of one TypeScript type as openapi-typescript writes it."""
    text = _unwrap(text.strip().rstrip(";").strip())
    alternatives = _alternatives(text)
    nullable = "null" in alternatives
    rest = [a for a in alternatives if a != "null"]
    if rest and all(a.startswith('"') and a.endswith('"') for a in rest):
        schema: dict[str, Any] = {"type": "string", "enum": [a[1:-1] for a in rest]}
    elif len(rest) == 1:
        schema = _single(_unwrap(rest[0]), comment)
    elif not rest:
        schema = {}
    else:
        schema = {"anyOf": [_single(_unwrap(a), comment) for a in rest]}
    if nullable:
        schema["nullable"] = True
    return schema


def _single(text: str, comment: str) -> dict[str, Any]:
    if text.endswith("[]"):
        return {"type": "array", "items": type_schema(text[:-2], "")}
    ref = _REF.match(text)
    if ref:
        return {"$ref": f"#/components/schemas/{ref[1]}"}
    if text.startswith("{"):
        inner = text[1:-1].strip().rstrip(";")
        mapped = re.match(r"^\[key: string\]:\s*(.*)$", inner, re.S)
        if mapped:
            value = type_schema(mapped[1])
            return {"type": "object", **({"additionalProperties": value} if value else {})}
        return object_schema(inner)
    if text == "unknown":
        return {}
    fmt = _FORMAT.search(comment)
    schema: dict[str, Any]
    if text == "number":
        schema = {"type": "integer" if fmt and fmt[1].startswith("int") else "number"}
    elif text in ("string", "boolean"):
        schema = {"type": text}
    else:
        raise ValueError(f"a TypeScript type this does not read: {text[:80]!r}")
    if fmt:
        schema["format"] = fmt[1]
    longest = _MAX.search(comment)
    if longest and text == "string":
        schema["maxLength"] = int(longest[1])
    return schema


def _members(body: str) -> list[tuple[str, bool, str, str]]:
    """(name, optional, type, comment) of each member of an interface body, in order."""
    out: list[tuple[str, bool, str, str]] = []
    comment, pending = "", ""
    open_comment = False
    for raw in body.splitlines():
        line = raw.strip()
        if not pending and (open_comment or line.startswith("/**")):
            comment = f"{comment} {line}" if open_comment else line
            open_comment = not line.endswith("*/")  # a comment of several lines goes on
            continue
        pending = f"{pending}\n{raw}" if pending else raw
        if _balanced(pending) and pending.rstrip().endswith(";"):
            found = _MEMBER.match(pending)
            if found is None:
                raise ValueError(f"a member this does not read: {pending.strip()[:80]!r}")
            name = found[1] or found[2] or found[3]
            out.append((name, bool(found[4]), found[5], comment))
            comment, pending = "", ""
    return out


def object_schema(body: str) -> dict[str, Any]:
    properties, required = {}, []
    for name, optional, text, comment in _members(body):
        properties[name] = type_schema(text, comment)
        if not optional:
            required.append(name)
    return {"type": "object", **({"required": required} if required else {}), "properties": properties}


def _blocks(text: str, indent: int) -> dict[str, str]:
    """The members of an interface at `indent` spaces whose value is a block: name -> the block's body."""
    pad = " " * indent
    pattern = re.compile(rf'^{pad}(?:"([^"]+)"|(\w+)): \{{\n(.*?)\n{pad}\}};', re.S | re.M)
    return {(m[1] or m[2]): m[3] for m in pattern.finditer(text)}


def _section(text: str, start: str) -> str:
    at = text.index(start)
    end = text.index("\n}\n", at)
    return text[at : end + 2]


def _operation(body: str) -> dict[str, Any]:
    parts = _blocks(body, 4)
    op: dict[str, Any] = {"parameters": []}
    params = _blocks(parts.get("parameters", ""), 6)
    for where in ("path", "query", "header"):
        for name, optional, text, comment in _members(params.get(where, "")):
            schema = type_schema(text, comment)
            op["parameters"].append({"name": name, "in": where, "required": not optional, "schema": schema})
    if "requestBody" in parts:
        content = _blocks(parts["requestBody"], 6).get("content", "")
        op["requestBody"] = {
            "content": {media: {"schema": type_schema(text)} for media, _, text, _ in _members(content)},
            "required": True,
        }
    responses: dict[str, Any] = {}
    for status, _, text, comment in _members(parts.get("responses", "")):
        answer: dict[str, Any] = {"description": comment.strip("/* ").strip()}
        inner = re.search(r"content: \{\n(.*?)\n\s*\};", text, re.S)
        if inner:
            answer["content"] = {media: {"schema": type_schema(t)} for media, _, t, _ in _members(inner[1])}
        responses[status] = answer
    op["responses"] = responses
    return op


def openapi(text: str, server: str) -> dict[str, Any]:
    """The OpenAPI 3 document openapi-typescript's `text` was generated from, as far as its types carry it."""
    operations = _blocks(_section(text, "export interface operations {"), 2)
    paths: dict[str, Any] = {}
    for path, body in _blocks(_section(text, "export interface paths {"), 2).items():
        item = {}
        for line in body.splitlines():
            found = _OPERATION.match(line)
            if found:
                item[found[1]] = {"operationId": found[2], **_operation(operations[found[2]])}
        paths[path] = item
    schemas = {
        name: object_schema(body) for name, body in _blocks(_section(text, "export interface components {"), 4).items()
    }
    version = re.search(r"version=([\d.]+)", text)
    info = {"title": "ConnectWise Manage", "version": version[1] if version else ""}
    return {"openapi": "3.0.1", "info": info, "servers": [{"url": server}], "paths": paths,
            "components": {"schemas": schemas}}  # fmt: skip
