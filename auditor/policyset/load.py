"""Load policy files: YAML -> schema validation with located messages -> typed PolicySet."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from msgspec.structs import replace

from auditor.common.errors import PolicyError, PolicyIssue
from auditor.common.json_value import JsonObject
from auditor.data.model import Locale, Severity
from auditor.policy.objects import CostAllocation, CrossTenant, Policy, PolicySet, PsaQuantity
from auditor.policy.selectors import parse_account_kinds
from auditor.policy.yamlsource import Located, PolicyNode, dotted, read_yaml
from auditor.policyset.schema import build_schema, product_refs
from auditor.rules.assignments import parse_assignments
from auditor.rules.entitlements.entitlement import parse_entitlements
from auditor.rules.hygiene.base import parse_hygiene
from auditor.rules.moves.subscription_move import parse_moves
from auditor.rules.seats import parse_catalog
from auditor.rules.usage.section import parse_usage
from auditor.rules.waivers.waiver_expired import parse_waivers


@lru_cache(maxsize=1)
def _schema() -> JsonObject:
    return build_schema()


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    """The validator of the schema's own draft (2020-12); its errors become the located messages below."""
    schema = _schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "mapping"


def _suggest(word: str, options: Iterable[str]) -> str:
    import difflib  # for a policy with a mistake only

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _schema_issues(doc: Located) -> list[PolicyIssue]:
    return _issues(doc, _validator().iter_errors(doc.data))


def _chosen_branch(e: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """For a `oneOf` whose branches take values of different types (`exclusive`: a list, or a
    mapping with keep and remove): the errors of the one branch the value's type picks, which say
    what is wrong in it; none when no branch or more than one takes the value's type."""
    fits = [
        i
        for i, branch in enumerate(e.validator_value)
        if isinstance(branch, dict)
        and {"object": "mapping", "array": "list"}.get(branch.get("type", ""), branch.get("type"))
        == _json_type(e.instance)
    ]
    if len(fits) != 1:
        return []
    return [c for c in e.context or () if c.relative_schema_path and c.relative_schema_path[0] == fits[0]]


def _issues(doc: Located, found: Iterable[jsonschema.ValidationError]) -> list[PolicyIssue]:
    """Each schema error in words, at its place in the file; by the JSON-Schema keyword that failed."""
    issues: list[PolicyIssue] = []
    for e in sorted(found, key=lambda e: (doc.where(tuple(e.absolute_path)), e.message)):
        path = tuple(e.absolute_path)
        explain = _EXPLAIN.get(str(e.validator), _as_is)
        issues += explain(doc, e, path, dotted(path))
    return issues


def _as_is(doc: Located, e: jsonschema.ValidationError, path: tuple[Any, ...], where: str) -> list[PolicyIssue]:
    return [doc.issue(path, f"{where}: {e.message}")]


def _unknown_keys(doc: Located, e: jsonschema.ValidationError, path: tuple[Any, ...], where: str) -> list[PolicyIssue]:
    if not isinstance(e.instance, dict):
        return _as_is(doc, e, path, where)
    known = set(e.schema.get("properties", {}))
    return [
        doc.issue((*path, key), f"unknown key '{key}' in {where}{_suggest(key, known)}", key=True)
        for key in sorted(set(e.instance) - known)
    ]


def _missing(doc: Located, e: jsonschema.ValidationError, path: tuple[Any, ...], where: str) -> list[PolicyIssue]:
    missing = str(e.message).split("'")[1] if "'" in e.message else e.message
    return [doc.issue(path, f"{where}: missing required key '{missing}'")]


def _wrong_type(doc: Located, e: jsonschema.ValidationError, path: tuple[Any, ...], where: str) -> list[PolicyIssue]:
    want = e.validator_value if isinstance(e.validator_value, str) else "/".join(e.validator_value)
    want = {"object": "mapping", "array": "list"}.get(want, want)
    article = "an" if want[:1] in ("a", "e", "i", "o", "u") else "a"  # "an integer", "a number"
    return [doc.issue(path, f"{where}: expected {article} {want}, got {_json_type(e.instance)}")]


def _not_one_of(doc: Located, e: jsonschema.ValidationError, path: tuple[Any, ...], where: str) -> list[PolicyIssue]:
    options = [str(o) for o in e.validator_value]
    hint = _suggest(str(e.instance), options) if isinstance(e.instance, str) else ""
    shown = ", ".join(options) if len(options) <= 20 else ", ".join(options[:20]) + ", ..."
    return [doc.issue(path, f"{where}: {e.instance!r} is not one of: {shown}{hint}")]


def _not_const(doc: Located, e: jsonschema.ValidationError, path: tuple[Any, ...], where: str) -> list[PolicyIssue]:
    return [
        doc.issue(path, f"{where}: must be {json.dumps(e.validator_value)}, got {json.dumps(e.instance, default=str)}")
    ]


def _no_match(doc: Located, e: jsonschema.ValidationError, path: tuple[Any, ...], where: str) -> list[PolicyIssue]:
    desc = e.schema.get("description", "")
    if desc.startswith(("a ", "an ")):  # the fragment names what it wants ("a domain name")
        msg = f"{where}: {e.instance!r} is not {desc}"
    elif "GUID" in desc:
        msg = f"{where}: {e.instance!r} is not a SKU part number (e.g. SPE_E3) or skuId GUID"
    elif desc == "YYYY-MM-DD":
        msg = f"{where}: {e.instance!r} is not a date in the form YYYY-MM-DD"
    else:
        msg = f"{where}: {e.instance!r} does not match the expected format {e.validator_value}"
    return [doc.issue(path, msg)]


def _unknown_rule(doc: Located, e: jsonschema.ValidationError, path: tuple[Any, ...], where: str) -> list[PolicyIssue]:
    bad = e.instance if isinstance(e.instance, str) else ""
    names = e.schema.get("propertyNames", {}).get("enum", [])
    return [doc.issue(path, f"{where}: unknown rule id {bad!r}{_suggest(bad, names)}")]


def _no_branch(doc: Located, e: jsonschema.ValidationError, path: tuple[Any, ...], where: str) -> list[PolicyIssue]:
    """oneOf: the errors of the one branch the value's type chose, or what the key accepts."""
    if branch := _chosen_branch(e):
        return _issues(doc, branch)
    if path and path[-1] == "group_based_only":
        return [doc.issue(path, f"{where}: expected true, false or a list of SKUs")]
    if len(path) > 1 and path[-2] == "exclusive":
        return [doc.issue(path, f"{where}: expected a list of two or more SKUs, or {{keep: SKU, remove: [SKUs]}}")]
    return _as_is(doc, e, path, where)


_EXPLAIN = {
    "additionalProperties": _unknown_keys,
    "required": _missing,
    "type": _wrong_type,
    "enum": _not_one_of,
    "const": _not_const,
    "pattern": _no_match,
    "propertyNames": _unknown_rule,
    "oneOf": _no_branch,
}


def _cross_tenant(node: PolicyNode) -> CrossTenant | None:
    """`cross_tenant:` (read by `license-auditor merge`); a mapped domain must not be mapped again."""
    if node.data is None:
        return None
    raw = node.data
    domains = {k.lower(): v.lower() for k, v in raw.get("domain_map", {}).items()}
    domain_map = node.at("domain_map")
    for source, target in domains.items():
        if target in domains and domains[target] != target:
            domain_map.report(
                f"{domain_map.name}: {source} maps to {target}, which is itself mapped; "
                f"map {source} straight to {domains[target]}"
            )
    return CrossTenant(
        name=raw.get("name"),
        identity=raw.get("identity", "upn"),
        domain_map=tuple(sorted(domains.items())),
        aliases=tuple(sorted((k.lower(), v.lower()) for k, v in raw.get("aliases", {}).items())),
        guests=bool(raw.get("guests", True)),
        tenants=tuple(t.lower() for t in raw.get("tenants", ())),
    )


def _psa_quantity(raw: object) -> PsaQuantity | None:
    """`psa_quantity:` (schema-valid): its default rule and each product's own."""
    if not isinstance(raw, dict):
        return None
    products = tuple((str(p["sku"]), str(p["quantity"])) for p in raw.get("products") or ())
    return PsaQuantity(default=raw.get("default"), products=products)


def _build(doc: Located) -> tuple[Policy | None, list[PolicyIssue]]:
    """The typed policy of a schema-valid document. Each rule family parses (and checks) its own
    section: auditor.rules.seats, .assignments, .hygiene and .waivers."""
    issues: list[PolicyIssue] = []
    root = PolicyNode.root(doc, issues)
    meta = root.data["metadata"]
    policy = Policy(
        name=meta["name"],
        file=doc.file,
        owner=meta.get("owner"),
        description=meta.get("description"),
        locale=Locale(meta["locale"]) if "locale" in meta else None,
        catalog=parse_catalog(root.at("catalog")),
        assignments=parse_assignments(root.at("assignments")),
        hygiene=parse_hygiene(root.at("hygiene")),
        waivers=parse_waivers(root.at("waivers")),
        severities={k: Severity.parse(v) for k, v in root.data.get("severities", {}).items()},
        cross_tenant=_cross_tenant(root.at("cross_tenant")),
        cost_allocation=(
            CostAllocation(root.data["cost_allocation"].get("attribute"))
            if isinstance(root.data.get("cost_allocation"), dict)
            else None
        ),
        usage=parse_usage(root.at("usage")),
        moves=parse_moves(root.at("moves")),
        entitlements=parse_entitlements(root.at("entitlements")),
        account_kinds=parse_account_kinds(root.data.get("account_kinds")),
        psa_quantity=_psa_quantity(root.data.get("psa_quantity")),
        products=tuple(dict(product_refs(_schema(), doc.data)).values()),
    )
    return policy, issues


def load_policy_file(path: Path, display: str | None = None) -> tuple[Policy | None, list[PolicyIssue], Located | None]:
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [PolicyIssue(name, 0, 0, f"cannot read policy file: {exc.strerror}")], None
    doc, issues = read_yaml(name, raw)
    if doc is None:
        return None, issues, None
    if not isinstance(doc.data, dict):
        return None, [*issues, doc.issue((), f"expected a mapping at the top level, got {_json_type(doc.data)}")], doc
    issues += _schema_issues(doc)
    if issues:
        return None, issues, doc
    policy, more = _build(doc)
    if policy is not None:  # the bytes judged by: a plan's apply checks the file still holds them
        policy = replace(policy, sha256=hashlib.sha256(raw).hexdigest())
    return (policy if not more else None), more, doc


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given, plus *.yaml / *.yml inside directories (sorted, not recursive)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            if not found:
                raise PolicyError(
                    [
                        PolicyIssue(
                            str(p),
                            0,
                            0,
                            "directory holds no *.yaml policy files: write a first one with `license-auditor init`, "
                            "which reads the tenant as audit does",
                        )
                    ]
                )
            out.extend(found)
        else:
            out.append(p)
    return out


def load_policies(paths: Sequence[str | Path]) -> PolicySet:
    """Load and merge policy files; raises PolicyError listing every problem found."""
    issues: list[PolicyIssue] = []
    policies: list[Policy] = []
    by_name: dict[str, Policy] = {}
    currencies: dict[str, tuple[str, int]] = {}
    for path in expand_paths(paths):
        policy, found, _ = load_policy_file(path)
        issues += found
        if policy is None:
            continue
        if policy.name in by_name:
            issues.append(
                PolicyIssue(
                    str(path),
                    0,
                    0,
                    f"policy name '{policy.name}' is already used by "
                    f"{by_name[policy.name].file}; policy names must be unique",
                )
            )
            continue
        for entry in policy.catalog or ():
            if entry.price:
                currencies.setdefault(entry.price.currency, (policy.file, entry.line))
        by_name[policy.name] = policy
        policies.append(policy)
    if len(currencies) > 1:
        (c1, (f1, l1)), (c2, (f2, l2)) = sorted(currencies.items(), key=lambda kv: kv[1])[:2]
        issues.append(
            PolicyIssue(
                f2,
                l2,
                1,
                f"prices use more than one currency ({c1} at {f1}:{l1}, {c2} here); "
                "use one currency so costs can be added up",
            )
        )
    if issues:
        raise PolicyError(issues)
    if not policies:
        raise PolicyError([PolicyIssue("--policies", 0, 0, "no policy files given")])
    return PolicySet(tuple(sorted(policies, key=lambda p: p.name)))
