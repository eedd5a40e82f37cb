"""The `match` / `except` selector: its schema fragment and how it is parsed."""

from __future__ import annotations

from typing import Any

from .objects import Selector

_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "uniqueItems": True}

SELECTOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Who the entry applies to. Keys are combined with AND; values of one key with OR.",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "all": {"const": True, "description": "Every user in the tenant (only `true` is meaningful)."},
        "groups": {**_STRINGS, "description": "Group display names or object ids; transitive membership."},
        "departments": {**_STRINGS, "description": "Department attribute, case-insensitive."},
        "user_types": {
            "type": "array",
            "items": {"enum": ["Member", "Guest"]},
            "minItems": 1,
            "uniqueItems": True,
            "description": "Member or Guest.",
        },
        "usage_locations": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
            "minItems": 1,
            "uniqueItems": True,
            "description": "Two-letter usage location (ISO 3166-1 alpha-2).",
        },
        "upn": {**_STRINGS, "description": "userPrincipalName glob patterns, case-insensitive (e.g. '*@contoso.com')."},
    },
}


def parse_selector(raw: dict[str, Any]) -> Selector:
    return Selector(
        all=bool(raw.get("all", False)),
        groups=tuple(raw.get("groups", ())),
        departments=tuple(raw.get("departments", ())),
        user_types=tuple(raw.get("user_types", ())),
        usage_locations=tuple(s.upper() for s in raw.get("usage_locations", ())),
        upn=tuple(raw.get("upn", ())),
    )
