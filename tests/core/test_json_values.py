"""Issue 98: JSON is typed without Any (auditor/common/json_value.py). A hygiene rule reads a parameter of
its own through HygieneCheck.text, which holds it to the string its fragment declares; the policy schema
assembled from the rules' fragments is JSON throughout, as JsonObject says."""

from __future__ import annotations

import pytest

from auditor.common.json_value import JsonValue
from auditor.policy.objects import HygieneCheck
from auditor.policyset.schema import build_schema


def test_a_rules_own_string_parameter_is_read_as_one() -> None:
    check = HygieneCheck(own={"employee_type": "Contractor", "days": 30})
    assert check.text("employee_type") == "Contractor"
    assert check.text("product") == ""  # an optional one the entry leaves out
    with pytest.raises(TypeError, match="days: int, not the string its fragment declares"):
        check.text("days")


def _json_kinds(value: JsonValue, path: str = "") -> list[str]:
    """The paths under `value` that hold something no JSON value is."""
    if isinstance(value, dict):
        return [
            p
            for k, v in value.items()
            for p in ([f"{path}: key {k!r}"] if not isinstance(k, str) else []) + _json_kinds(v, f"{path}/{k}")
        ]
    if isinstance(value, list | tuple):
        return [p for n, v in enumerate(value) for p in _json_kinds(v, f"{path}/{n}")]
    return [] if value is None or isinstance(value, str | int | float | bool) else [f"{path}: {type(value).__name__}"]


def test_the_schema_is_json_throughout() -> None:
    assert _json_kinds(build_schema()) == []  # a set, a date or an enum member in a fragment would show here
