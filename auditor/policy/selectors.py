"""The `match` / `except` selector: its schema fragment and how it is parsed."""

from __future__ import annotations

from typing import TypedDict

from auditor.common.json_value import JsonObject
from auditor.data.attributes import PATTERN
from auditor.data.enums import AccountKind

from .objects import DeclaredKind, Selector

_STRINGS: JsonObject = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "minItems": 1,
    "uniqueItems": True,
}

SELECTOR_SCHEMA: JsonObject = {
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
        "kinds": {
            "type": "array",
            "items": {"enum": [k.value for k in AccountKind]},
            "minItems": 1,
            "uniqueItems": True,
            "description": "What the account is (docs/account-kinds.md): person, guest, shared, room, equipment, "
            "resource (a Teams resource account), teams_rooms, agent, and the kinds the policies declare in "
            "account_kinds (break_glass, service). Shared, room and equipment are known for the accounts whose "
            "mailbox purpose the rules read.",
        },
        "attributes": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": PATTERN},
            "additionalProperties": _STRINGS,
            "description": "User attributes and the values to select, case-insensitive (employeeType, "
            "companyName, jobTitle, department, onPremisesExtensionAttributes/extensionAttribute1..15, "
            "employeeOrgData/costCenter, extension_<app id>_<name>); the collector reads the attributes named.",
        },
    },
}


# Where a policy key takes a selector, its schema says so by reference: the selector is defined once, in the
# policy schema's $defs (auditor.policyset.schema.build_schema), not copied under every key that takes one
SELECTOR_DEF = "selector"
SELECTOR_REF: JsonObject = {"$ref": f"#/$defs/{SELECTOR_DEF}"}


DECLARED_KINDS = (AccountKind.BREAK_GLASS, AccountKind.SERVICE)  # in the order a user declared twice takes

ACCOUNT_KINDS_SCHEMA: JsonObject = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "description": "Accounts the admin declares not to be people (docs/account-kinds.md): the person rules "
    "leave them alone, the report lists them per kind, and match/except select them by `kinds:`. An account "
    "both declare is break_glass.",
    "properties": {
        kind.value: {
            "type": "object",
            "additionalProperties": False,
            "required": ["match"],
            "properties": {"match": SELECTOR_REF},
            "description": description,
        }
        for kind, description in zip(
            DECLARED_KINDS,
            ("Emergency access (break-glass) accounts.", "Service accounts: accounts a program signs in to."),
            strict=True,
        )
    },
}


class SelectorDoc(TypedDict, total=False):
    """A `match:` or `except:` as the policy writes it, once the schema has held it to SELECTOR_SCHEMA."""

    all: bool
    groups: list[str]
    departments: list[str]
    user_types: list[str]
    usage_locations: list[str]
    upn: list[str]
    kinds: list[str]
    attributes: dict[str, list[str]]


class DeclaredDoc(TypedDict):
    match: SelectorDoc


class AccountKindsDoc(TypedDict, total=False):
    """`account_kinds:` as the policy writes it, held to ACCOUNT_KINDS_SCHEMA (the keys: DECLARED_KINDS)."""

    break_glass: DeclaredDoc
    service: DeclaredDoc


def parse_account_kinds(raw: AccountKindsDoc | None) -> tuple[DeclaredKind, ...]:
    """`account_kinds:` (ACCOUNT_KINDS_SCHEMA), break_glass first."""
    declared = raw or AccountKindsDoc()
    entries = {AccountKind.BREAK_GLASS: declared.get("break_glass"), AccountKind.SERVICE: declared.get("service")}
    return tuple(
        DeclaredKind(kind.value, parse_selector(entry["match"]))
        for kind in DECLARED_KINDS
        if (entry := entries[kind]) is not None
    )


def parse_selector(raw: SelectorDoc) -> Selector:
    return Selector(
        all=bool(raw.get("all", False)),
        groups=tuple(raw.get("groups", ())),
        departments=tuple(raw.get("departments", ())),
        user_types=tuple(raw.get("user_types", ())),
        usage_locations=tuple(s.upper() for s in raw.get("usage_locations", ())),
        upn=tuple(raw.get("upn", ())),
        kinds=tuple(raw.get("kinds", ())),
        attributes=tuple(
            (path, tuple(sorted({v.lower() for v in values})))
            for path, values in sorted(raw.get("attributes", {}).items())
        ),
    )
