"""What is wrong with a value that msgspec refused: its first misfit, named by the field's path.

msgspec says only in the text of its error where a value does not fit a type (it gives no path or
kind as data), and that text is no interface. So when msgspec refuses a value, `problem` walks the
value along the type's description (msgspec.inspect.type_info) and names the first part that does
not fit, in the product's words: "licenseAssignmentStates[0].skuId: empty". It checks what the
wire types of auditor.snapshot.format declare: kinds, required fields, non-empty strings and
non-negative integers.
"""

from __future__ import annotations

from typing import Any

from msgspec import inspect

# How a message names a kind of JSON value.
_EXPECTED: dict[type[inspect.Type], str] = {
    inspect.StrType: "a string",
    inspect.BoolType: "true/false",
    inspect.IntType: "an integer",
    inspect.FloatType: "a number",
    inspect.NoneType: "null",
    inspect.ListType: "a list",
    inspect.VarTupleType: "a list",
    inspect.StructType: "an object",
    inspect.DictType: "an object",
}


def _got(value: Any) -> str:
    if value is None:
        return "null"
    for kind, text in (
        (bool, "true/false"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (list, "a list"),
        (dict, "an object"),
    ):
        if isinstance(value, kind):
            return text
    return type(value).__name__


def _fits(value: Any, t: inspect.Type) -> bool:
    """Whether `value` is of the JSON kind of `t` (what is inside it is checked apart)."""
    if isinstance(t, inspect.AnyType):
        return True
    if isinstance(t, inspect.NoneType):
        return value is None
    if isinstance(t, inspect.BoolType):
        return isinstance(value, bool)
    if isinstance(t, inspect.IntType):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(t, inspect.FloatType):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(t, inspect.StrType):
        return isinstance(value, str)
    if isinstance(t, (inspect.ListType, inspect.VarTupleType)):
        return isinstance(value, list)
    return isinstance(value, dict) and isinstance(t, (inspect.StructType, inspect.DictType))


def problem(value: Any, of: Any, path: str = "") -> tuple[str, str] | None:
    """(the path of the first part of `value` that does not fit the type `of`, what is wrong with
    it), or None when it all fits. A required value given as null is "missing", as is an absent one."""
    return _check(value, inspect.type_info(of), path)


def _check(value: Any, t: inspect.Type, path: str) -> tuple[str, str] | None:
    kinds = t.types if isinstance(t, inspect.UnionType) else (t,)  # type_info leaves msgspec.UNSET out
    for kind in kinds:
        if _fits(value, kind):
            return _inside(value, kind, path)
    if value is None:
        return path, "missing"
    expected = " or ".join(dict.fromkeys(_EXPECTED.get(type(k), str(k)) for k in kinds))
    return path, f"expected {expected}, got {_got(value)}"


def _inside(value: Any, t: inspect.Type, path: str) -> tuple[str, str] | None:
    if isinstance(t, inspect.StrType) and t.min_length and len(value) < t.min_length:
        return path, "empty"
    if isinstance(t, inspect.IntType) and t.ge is not None and value < t.ge:
        return path, f"{value} is negative" if t.ge == 0 else f"{value} is below {t.ge}"
    if isinstance(t, (inspect.ListType, inspect.VarTupleType)):
        for i, item in enumerate(value):
            found = _check(item, t.item_type, f"{path}[{i}]")
            if found:
                return found
    if isinstance(t, inspect.StructType):
        for field in t.fields:
            where = f"{path}.{field.encode_name}" if path else field.encode_name
            if field.encode_name not in value:
                if field.required:
                    return where, "missing"
                continue
            found = _check(value[field.encode_name], field.type, where)
            if found:
                return found
    return None
