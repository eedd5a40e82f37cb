"""A quick check that a policy document is valid against the policy schema, so a valid policy is
loaded without importing jsonschema (with its dependencies, most of a small audit's start-up).

`certifier(schema)` compiles the schema into a function that answers True only when it is sure the
document is valid; anything else (an invalid document, a value it does not judge) answers False,
and load.py then asks jsonschema, whose errors the messages are made of. So the quick check can
never change a message or let an invalid policy through unless it answers True wrongly: each
keyword below follows jsonschema's Draft 2020-12 semantics (a keyword applies only to its own
instance type), and a keyword it does not know makes the whole schema uncertifiable (always False).
tests/core/test_policy_certify.py compares it with jsonschema on many valid and broken policies.

Internally each compiled check answers True (valid), False (invalid) or None (not sure); `oneOf`
and `if` need the False to pick their branch.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable
from typing import Any

Check = Callable[[Any], bool | None]

# Keywords that never make an instance invalid.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples",
                          "deprecated", "readOnly", "writeOnly"})


class _Unsupported(Exception):
    """The schema uses a keyword (or a form of one) this module does not judge."""


def _is_type(name: str, value: Any) -> bool | None:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        return None if isinstance(value, float) else False  # 1.0 is an integer to jsonschema: let it say
    if name == "number":
        return not isinstance(value, bool) and isinstance(value, numbers.Number)
    raise _Unsupported(f"type {name!r}")


def _every(verdicts: Iterable[bool | None]) -> bool | None:
    """Three-valued "and": False as soon as one is False, else None when one is unsure, else True."""
    sure = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            sure = False
    return True if sure else None


def _all(checks: list[Check]) -> Check:
    return lambda value: _every(c(value) for c in checks)


def _compile(schema: Any) -> Check:
    if schema is True:
        return lambda value: True
    if schema is False:
        return lambda value: False
    if not isinstance(schema, dict):
        raise _Unsupported("a schema that is not an object or a boolean")
    checks: list[Check] = []
    for key, arg in schema.items():
        if key in _ANNOTATIONS or key in ("then", "else"):
            continue
        make = _KEYWORDS.get(key)
        if make is None:
            raise _Unsupported(key)
        checks.append(make(arg, schema))
    return _all(checks)


def _type(arg: Any, schema: dict[str, Any]) -> Check:
    names = [arg] if isinstance(arg, str) else list(arg)
    for name in names:
        _is_type(name, None)  # an unknown type name raises now, not at check time

    def check(value: Any) -> bool | None:
        sure = True
        for name in names:
            verdict = _is_type(name, value)
            if verdict:
                return True
            if verdict is None:
                sure = False
        return False if sure else None
    return check


def _properties(arg: dict[str, Any], schema: dict[str, Any]) -> Check:
    compiled = {name: _compile(sub) for name, sub in arg.items()}

    def check(value: Any) -> bool | None:
        if not isinstance(value, dict):
            return True
        return _every(sub(value[name]) for name, sub in compiled.items() if name in value)
    return check


def _additional_properties(arg: Any, schema: dict[str, Any]) -> Check:
    if "patternProperties" in schema:
        raise _Unsupported("patternProperties")
    known = frozenset(schema.get("properties", {}))
    sub = _compile(arg)

    def check(value: Any) -> bool | None:
        if not isinstance(value, dict):
            return True
        return _every(sub(value[name]) for name in value if name not in known)
    return check


def _required(arg: list[str], schema: dict[str, Any]) -> Check:
    names = list(arg)
    return lambda value: not isinstance(value, dict) or all(n in value for n in names)


def _items(arg: Any, schema: dict[str, Any]) -> Check:
    if "prefixItems" in schema:
        raise _Unsupported("prefixItems")
    sub = _compile(arg)

    def check(value: Any) -> bool | None:
        return _every(map(sub, value)) if isinstance(value, list) else True
    return check


def _unique_items(arg: bool, schema: dict[str, Any]) -> Check:
    if not arg:
        return lambda value: True

    def check(value: Any) -> bool | None:
        if not isinstance(value, list):
            return True
        if all(type(item) is str for item in value):
            return len(set(value)) == len(value)
        return None  # jsonschema's own equality (1 == 1.0, True != 1): let it judge
    return check


def _min_items(arg: int, schema: dict[str, Any]) -> Check:
    return lambda value: not isinstance(value, list) or len(value) >= arg


def _min_length(arg: int, schema: dict[str, Any]) -> Check:
    return lambda value: not isinstance(value, str) or len(value) >= arg


def _min_properties(arg: int, schema: dict[str, Any]) -> Check:
    return lambda value: not isinstance(value, dict) or len(value) >= arg


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Number)


def _minimum(arg: Any, schema: dict[str, Any]) -> Check:
    return lambda value: not _number(value) or not value < arg  # as jsonschema words it (NaN passes)


def _maximum(arg: Any, schema: dict[str, Any]) -> Check:
    return lambda value: not _number(value) or not value > arg


def _pattern(arg: str, schema: dict[str, Any]) -> Check:
    # compiled (and cached by re) when a string first meets it: most patterns never do in one policy
    def check(value: Any) -> bool | None:
        if not isinstance(value, str):
            return True
        try:
            return re.search(arg, value) is not None
        except re.error:
            return None
    return check


def _equal(expected: Any, value: Any) -> bool | None:
    """jsonschema's equality for enum and const (True is not 1, 1 is 1.0); None for lists and
    mappings, which it compares item by item."""
    if expected is value:
        return True
    if isinstance(expected, str) or isinstance(value, str):
        return bool(expected == value)
    if isinstance(expected, list | dict) or isinstance(value, list | dict):
        return None
    if isinstance(expected, bool) or isinstance(value, bool):
        return False  # two booleans that are equal are the same object
    return bool(expected == value)


def _enum(arg: list[Any], schema: dict[str, Any]) -> Check:
    options = list(arg)

    def check(value: Any) -> bool | None:
        sure = True
        for option in options:
            verdict = _equal(option, value)
            if verdict:
                return True
            if verdict is None:
                sure = False
        return False if sure else None
    return check


def _const(arg: Any, schema: dict[str, Any]) -> Check:
    return lambda value: _equal(arg, value)


def _property_names(arg: Any, schema: dict[str, Any]) -> Check:
    sub = _compile(arg)

    def check(value: Any) -> bool | None:
        return _every(map(sub, value)) if isinstance(value, dict) else True
    return check


def _one_of(arg: list[Any], schema: dict[str, Any]) -> Check:
    subs = [_compile(s) for s in arg]

    def check(value: Any) -> bool | None:
        verdicts = [s(value) for s in subs]
        if None in verdicts:
            return None
        return verdicts.count(True) == 1
    return check


def _if(arg: Any, schema: dict[str, Any]) -> Check:
    condition = _compile(arg)
    then = _compile(schema.get("then", True))
    otherwise = _compile(schema.get("else", True))

    def check(value: Any) -> bool | None:
        verdict = condition(value)
        if verdict is None:
            return None
        return then(value) if verdict else otherwise(value)
    return check


_KEYWORDS: dict[str, Callable[[Any, dict[str, Any]], Check]] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional_properties,
    "required": _required,
    "items": _items,
    "uniqueItems": _unique_items,
    "minItems": _min_items,
    "minLength": _min_length,
    "minProperties": _min_properties,
    "minimum": _minimum,
    "maximum": _maximum,
    "pattern": _pattern,
    "enum": _enum,
    "const": _const,
    "propertyNames": _property_names,
    "oneOf": _one_of,
    "if": _if,
}


def certifier(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """A function answering True only for documents `schema` certainly accepts (see the module doc);
    one that always answers False when the schema uses a keyword this module does not judge."""
    if schema.get("$schema", "https://json-schema.org/draft/2020-12/schema") != \
            "https://json-schema.org/draft/2020-12/schema":
        return lambda value: False
    try:
        check = _compile(schema)
    except _Unsupported:
        return lambda value: False
    return lambda value: check(value) is True
