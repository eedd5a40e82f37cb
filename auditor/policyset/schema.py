"""The policy JSON Schema, assembled from the fragments the rules and selectors carry.

`license-auditor schema` prints it; policies/license-policy.schema.json is the committed copy
(a test fails when they drift).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence

from auditor.common.json_value import JsonObject, JsonValue
from auditor.cross_tenant.rules import CROSS_TENANT_SCHEMA, MERGE_RULES
from auditor.data.attributes import PATTERN as ATTRIBUTE_PATTERN
from auditor.data.model import Locale
from auditor.policy.objects import PSA_QUANTITY_RULES
from auditor.policy.selectors import ACCOUNT_KINDS_SCHEMA, SELECTOR_DEF, SELECTOR_REF, SELECTOR_SCHEMA
from auditor.rules import RULES
from auditor.rules.base import SEVERITY_SCHEMA, SKU_REF_SCHEMA
from auditor.rules.entitlements.entitlement import entitlements_section
from auditor.rules.moves.subscription_move import moves_section
from auditor.rules.usage.section import usage_section
from auditor.rules.waivers.waiver_expired import WaiverExpired

API_VERSION = "license-auditor/v1"
SCHEMA_ID = "https://license-auditor.dev/schema/v1/license-policy.schema.json"
MAX_PRICE = 1_000_000_000  # price.monthly, per seat

_NAME = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD"}


COST_ALLOCATION_SCHEMA: JsonObject = {
    "type": "object",
    "additionalProperties": False,
    "description": "Report unused and reclaimable spend by department, company (companyName) and country, "
    "and by `attribute` when given. The users' companyName, country and attribute are read only "
    "when a policy has this section.",
    "properties": {
        "attribute": {
            "type": "string",
            "pattern": ATTRIBUTE_PATTERN,
            "description": "a user attribute path such as employeeOrgData/costCenter, "
            "onPremisesExtensionAttributes/extensionAttribute1 or extension_<app id>_<name>",
        },
    },
}


def _section_fragments(section: str) -> JsonObject:
    return {r.key: r.fragment for r in RULES if r.section == section and r.key and r.fragment is not None}


def build_schema() -> JsonObject:
    # every rule a waiver may name, but waiver-expired: a waiver cannot hide that a waiver expired
    waivable = sorted({r.id for r in RULES if r.id != WaiverExpired.id} | {r.id for r in MERGE_RULES})
    assignment: JsonObject = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "match"],
        "properties": {
            "name": {**_NAME, "description": "Unique within the policy; findings cite it."},
            "description": {"type": "string"},
            "match": SELECTOR_REF,
            "except": SELECTOR_REF,
            "severity": {**SEVERITY_SCHEMA, "description": "Overrides the severity of this entry's findings."},
            **_section_fragments("assignments"),
        },
    }
    catalog_entry: JsonObject = {
        "type": "object",
        "additionalProperties": False,
        "required": ["sku"],
        "properties": {
            "sku": SKU_REF_SCHEMA,
            "name": {"type": "string", "description": "Friendly product name for reports."},
            "free": {"type": "boolean", "description": "Never counted as unused spend."},
            "alert": {
                "type": "boolean",
                "description": "false: findings about this product alone stay out of the exit code, the "
                "notification and the digest's lists; the reports still show them.",
            },
            "licensing_group": {
                "type": "string",
                "pattern": r"\S",
                "description": "a group's display name or object id (the group that gives this "
                "product to whoever should have it)",
            },
            "price": {
                "type": "object",
                "additionalProperties": False,
                "required": ["monthly", "currency"],
                "properties": {
                    # the audit sums prices over seats and users and formats them as money: the
                    # maximum is above any seat's monthly price in any currency, and far below
                    # where a sum over ten million seats would lose its cents
                    "monthly": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": MAX_PRICE,
                        "description": "Price per seat per month (0 to 1,000,000,000).",
                    },
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"},
                },
            },
            **_section_fragments("catalog"),
        },
    }
    waiver: JsonObject = {
        "type": "object",
        "additionalProperties": False,
        "required": ["rule", "subject", "reason", "owner", "expires"],
        "properties": {
            "rule": {"enum": waivable},
            "subject": {
                "type": "string",
                "minLength": 1,
                "description": "UPN, object id, SKU part number or subscription id; * and ? globs allowed.",
            },
            "sku": {**SKU_REF_SCHEMA, "description": "Only findings involving this product."},
            "reason": {"type": "string", "minLength": 1},
            "owner": {"type": "string", "minLength": 1},
            "expires": _DATE,
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "license-auditor policy",
        # what several keys share, defined once and named by {"$ref": "#/$defs/<name>"}: the `match` /
        # `except` selector of the assignments, every hygiene check, the moves and account_kinds
        "$defs": {SELECTOR_DEF: SELECTOR_SCHEMA},
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind", "metadata"],
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"const": "LicensePolicy"},
            "metadata": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": _NAME,
                    "owner": {"type": "string"},
                    "description": {"type": "string"},
                    "locale": {"enum": [loc.value for loc in Locale]},
                },
            },
            "catalog": {"type": "array", "items": catalog_entry},
            "assignments": {"type": "array", "items": assignment},
            "account_kinds": ACCOUNT_KINDS_SCHEMA,
            "hygiene": {"type": "object", "additionalProperties": False, "properties": _section_fragments("hygiene")},
            "waivers": {"type": "array", "items": waiver},
            "cross_tenant": CROSS_TENANT_SCHEMA,
            "cost_allocation": COST_ALLOCATION_SCHEMA,
            "usage": usage_section(),
            "moves": moves_section(),
            "entitlements": entitlements_section(),
            "psa_quantity": _PSA_QUANTITY,
            "severities": {
                "type": "object",
                "description": "Default severity per rule id for this policy.",
                "propertyNames": {"enum": [*(r.id for r in RULES), *(r.id for r in MERGE_RULES)]},
                "additionalProperties": SEVERITY_SCHEMA,
            },
        },
    }


_PSA_RULE: JsonObject = {
    "enum": list(PSA_QUANTITY_RULES),
    "description": "assigned: the seats assigned after the plan; distributor: the seats the distributor bills; "
    "larger: the larger of the two",
}
_PSA_QUANTITY: JsonObject = {
    "type": "object",
    "additionalProperties": False,
    "description": "The quantity apply --psa writes into the customer's agreement in the PSA, per product; a "
    "product with no rule has no psa change planned.",
    "properties": {
        "default": {**_PSA_RULE, "description": "The rule of every product not named under products."},
        "products": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sku", "quantity"],
                "properties": {"sku": SKU_REF_SCHEMA, "quantity": _PSA_RULE},
            },
        },
    },
}


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"


def product_refs(
    schema: JsonObject, value: object, path: tuple[str | int, ...] = (), *, root: JsonObject | None = None
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, product as written) for every value of a policy document that the schema says is a
    product (SKU_REF_SCHEMA: a part number or a skuId), wherever a rule's fragment puts one: a new
    policy key whose fragment names a product is found with no list to extend. A value several
    branches (oneOf, if/then/else) describe comes once per branch; the caller keeps one per path.
    A {"$ref": "#/$defs/<name>"} is followed in `root` (the whole schema; `schema` at the top)."""
    root = schema if root is None else root
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        schema = _object(_object(root.get("$defs")).get(ref.removeprefix("#/$defs/")))
    if isinstance(value, str) and schema.get("pattern") == SKU_REF_SCHEMA["pattern"]:
        yield path, value
        return
    for branch in _branches(schema):
        yield from product_refs(branch, value, path, root=root)
    if isinstance(value, dict):
        for name, item in value.items():
            named = _property_schema(schema, name)
            if named is not None:
                yield from product_refs(named, item, (*path, name), root=root)
    elif isinstance(value, list) and isinstance(items := schema.get("items"), Mapping):
        for n, item in enumerate(value):
            yield from product_refs(items, item, (*path, n), root=root)


def _branches(schema: JsonObject) -> Iterator[JsonObject]:
    """The schemas that describe the same value as `schema`: its oneOf, anyOf and allOf, its then and else."""
    for key in ("oneOf", "anyOf", "allOf"):
        branches = schema.get(key, ())
        if isinstance(branches, Sequence) and not isinstance(branches, str):
            yield from (b for b in branches if isinstance(b, Mapping))
    for key in ("then", "else"):
        below = schema.get(key)
        if isinstance(below, Mapping):
            yield below


def _object(value: JsonValue) -> JsonObject:
    """A schema's object (a $defs table, a definition in it); an empty one for anything else."""
    return value if isinstance(value, Mapping) else {}


def _property_schema(schema: JsonObject, name: str) -> JsonObject | None:
    """The schema of an object's property `name`: its own, a pattern's, or the rest's."""
    own = _object(schema.get("properties")).get(name)
    if own is None:
        own = next((s for p, s in _object(schema.get("patternProperties")).items() if re.search(p, name)), None)
    if own is None:
        own = schema.get("additionalProperties")
    return own if isinstance(own, Mapping) else None
