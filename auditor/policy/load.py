"""Load policy files: YAML -> schema validation with located messages -> typed PolicySet."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from ..errors import PolicyError, PolicyIssue
from ..model import Locale, Severity
from .model import Assignment, CatalogEntry, CrossTenant, HygieneCheck, Policy, PolicySet, Price, SpareSeats, Waiver
from .schema import build_schema
from .selectors import parse_selector
from .yamlsource import Located, read_yaml


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = build_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "document"


def _json_type(value: Any) -> str:
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
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _schema_issues(doc: Located) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    errors = sorted(_validator().iter_errors(doc.data), key=lambda e: (doc.where(tuple(e.absolute_path)), e.message))
    for e in errors:
        path = tuple(e.absolute_path)
        where = _dotted(path)
        v = e.validator
        if v == "additionalProperties" and isinstance(e.instance, dict):
            known = set(e.schema.get("properties", {}))
            for key in sorted(set(e.instance) - known):
                issues.append(doc.issue((*path, key), f"unknown key '{key}' in {where}{_suggest(key, known)}",
                                        key=True))
            continue
        if v == "required":
            missing = str(e.message).split("'")[1] if "'" in e.message else e.message
            issues.append(doc.issue(path, f"{where}: missing required key '{missing}'"))
            continue
        if v == "type":
            want = e.validator_value if isinstance(e.validator_value, str) else "/".join(e.validator_value)
            want = {"object": "mapping", "array": "list"}.get(want, want)
            issues.append(doc.issue(path, f"{where}: expected a {want}, got {_json_type(e.instance)}"))
            continue
        if v == "enum":
            options = [str(o) for o in e.validator_value]
            hint = _suggest(str(e.instance), options) if isinstance(e.instance, str) else ""
            shown = ", ".join(options) if len(options) <= 20 else ", ".join(options[:20]) + ", ..."
            issues.append(doc.issue(path, f"{where}: {e.instance!r} is not one of: {shown}{hint}"))
            continue
        if v == "const":
            issues.append(doc.issue(path, f"{where}: must be {json.dumps(e.validator_value)}, "
                                          f"got {json.dumps(e.instance, default=str)}"))
            continue
        if v == "pattern":
            desc = e.schema.get("description", "")
            if desc.startswith(("a ", "an ")):  # the fragment names what it wants ("a domain name")
                msg = f"{where}: {e.instance!r} is not {desc}"
            elif "GUID" in desc:
                msg = f"{where}: {e.instance!r} is not a SKU part number (e.g. SPE_E3) or skuId GUID"
            elif desc == "YYYY-MM-DD":
                msg = f"{where}: {e.instance!r} is not a date in the form YYYY-MM-DD"
            else:
                msg = f"{where}: {e.instance!r} does not match the expected format {e.validator_value}"
            issues.append(doc.issue(path, msg))
            continue
        if v == "propertyNames":
            bad = e.instance if isinstance(e.instance, str) else ""
            names = e.schema.get("propertyNames", {}).get("enum", [])
            issues.append(doc.issue(path, f"{where}: unknown rule id {bad!r}{_suggest(bad, names)}"))
            continue
        if v == "oneOf" and path and path[-1] == "group_based_only":
            issues.append(doc.issue(path, f"{where}: expected true, false or a list of SKUs"))
            continue
        issues.append(doc.issue(path, f"{where}: {e.message}"))
    # A propertyNames error reports the offending name as the instance but the mapping as the path;
    # point at the key itself when we can.
    return issues


def _parse_date(doc: Located, path: tuple[str | int, ...], text: str, issues: list[PolicyIssue]) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        issues.append(doc.issue(path, f"{_dotted(path)}: {text!r} is not a valid calendar date"))
        return date.min


def _cross_tenant(doc: Located, raw: dict[str, Any], issues: list[PolicyIssue]) -> CrossTenant:
    domains = {k.lower(): v.lower() for k, v in raw.get("domain_map", {}).items()}
    for source, target in domains.items():
        if target in domains and domains[target] != target:
            issues.append(doc.issue(("cross_tenant", "domain_map"),
                                    f"cross_tenant.domain_map: {source} maps to {target}, which is itself mapped; "
                                    f"map {source} straight to {domains[target]}"))
    return CrossTenant(
        name=raw.get("name"),
        identity=raw.get("identity", "upn"),
        domain_map=tuple(sorted(domains.items())),
        aliases=tuple(sorted((k.lower(), v.lower()) for k, v in raw.get("aliases", {}).items())),
        guests=bool(raw.get("guests", True)),
        tenants=tuple(t.lower() for t in raw.get("tenants", ())),
    )


def _build(doc: Located) -> tuple[Policy | None, list[PolicyIssue]]:
    data: dict[str, Any] = doc.data
    issues: list[PolicyIssue] = []
    meta = data["metadata"]
    catalog = None
    if "catalog" in data:
        entries = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(data["catalog"]):
            key = raw["sku"].lower()
            if key in seen:
                issues.append(doc.issue(("catalog", i, "sku"), f"catalog[{i}].sku: {raw['sku']} is already listed "
                                        f"at catalog[{seen[key]}]"))
            seen[key] = i
            limits = raw.get("spare_seats")
            price = raw.get("price")
            if raw.get("free") and price and price["monthly"] > 0:
                issues.append(doc.issue(("catalog", i, "price"), f"catalog[{i}]: a free product cannot have a price"))
            entries.append(CatalogEntry(
                sku=raw["sku"],
                spare_seats=SpareSeats(limits.get("max"), limits.get("max_percent"), limits.get("min"),
                                       limits.get("renewal_window_days")) if limits else None,
                price=Price(float(price["monthly"]), price["currency"]) if price else None,
                free=bool(raw.get("free", False)),
                line=doc.where(("catalog", i))[0],
                name=raw.get("name") or None,
            ))
            if limits and limits.get("min") is not None and limits.get("max") is not None \
                    and limits["min"] > limits["max"]:
                issues.append(doc.issue(
                    ("catalog", i, "spare_seats"),
                    f"catalog[{i}].spare_seats: min ({limits['min']}) is above max ({limits['max']})"))
        catalog = tuple(entries)
    assignments = []
    names: dict[str, int] = {}
    for i, raw in enumerate(data.get("assignments", ())):
        if raw["name"] in names:
            issues.append(doc.issue(
                ("assignments", i, "name"),
                f"assignments[{i}].name: '{raw['name']}' is already used by assignments[{names[raw['name']]}]"))
        names[raw["name"]] = i
        gbo = raw.get("group_based_only", False)
        assignments.append(Assignment(
            name=raw["name"],
            match=parse_selector(raw["match"]),
            except_=parse_selector(raw["except"]) if "except" in raw else None,
            allowed=tuple(raw["allowed"]) if "allowed" in raw else None,
            forbidden=tuple(raw.get("forbidden", ())),
            required_any=tuple(raw.get("required_any", ())),
            exclusive=tuple(tuple(c) for c in raw.get("exclusive", ())),
            group_based_only=gbo if isinstance(gbo, bool) else tuple(gbo),
            severity=Severity.parse(raw["severity"]) if "severity" in raw else None,
        ))
        allowed = {s.lower() for s in raw.get("allowed", ())}
        for j, req in enumerate(raw.get("required_any", ())):
            if "allowed" in raw and req.lower() not in allowed:
                issues.append(doc.issue(("assignments", i, "required_any", j),
                                        f"assignments[{i}].required_any: {req} is required but not in 'allowed'"))
        for j, req in enumerate(raw.get("forbidden", ())):
            if req.lower() in allowed:
                issues.append(doc.issue(("assignments", i, "forbidden", j),
                                        f"assignments[{i}].forbidden: {req} is both allowed and forbidden"))
    hygiene = {
        key: HygieneCheck(
            severity=Severity.parse(raw["severity"]) if "severity" in raw else None,
            days=raw.get("days"),
            except_=parse_selector(raw["except"]) if "except" in raw else None,
        )
        for key, raw in data.get("hygiene", {}).items()
    }
    waivers = []
    for i, raw in enumerate(data.get("waivers", ())):
        waivers.append(Waiver(
            rule=raw["rule"], subject=raw["subject"], reason=raw["reason"], owner=raw["owner"],
            expires=_parse_date(doc, ("waivers", i, "expires"), raw["expires"], issues),
            sku=raw.get("sku"), line=doc.where(("waivers", i))[0],
        ))
    policy = Policy(
        name=meta["name"],
        file=doc.file,
        owner=meta.get("owner"),
        description=meta.get("description"),
        locale=Locale(meta["locale"]) if "locale" in meta else None,
        catalog=catalog,
        assignments=tuple(assignments),
        hygiene=hygiene,
        waivers=tuple(waivers),
        severities={k: Severity.parse(v) for k, v in data.get("severities", {}).items()},
        cross_tenant=_cross_tenant(doc, data["cross_tenant"], issues) if "cross_tenant" in data else None,
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
    return (policy if not more else None), more, doc


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given, plus *.yaml / *.yml inside directories (sorted, not recursive)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            if not found:
                raise PolicyError([PolicyIssue(str(p), 0, 0, "directory holds no *.yaml policy files")])
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
            issues.append(PolicyIssue(str(path), 0, 0, f"policy name '{policy.name}' is already used by "
                                      f"{by_name[policy.name].file}; policy names must be unique"))
            continue
        for entry in policy.catalog or ():
            if entry.price:
                currencies.setdefault(entry.price.currency, (policy.file, entry.line))
        by_name[policy.name] = policy
        policies.append(policy)
    if len(currencies) > 1:
        (c1, (f1, l1)), (c2, (f2, l2)) = sorted(currencies.items(), key=lambda kv: kv[1])[:2]
        issues.append(PolicyIssue(f2, l2, 1, f"prices use more than one currency ({c1} at {f1}:{l1}, {c2} here); "
                                  "use one currency so costs can be added up"))
    if issues:
        raise PolicyError(issues)
    if not policies:
        raise PolicyError([PolicyIssue("--policies", 0, 0, "no policy files given")])
    return PolicySet(tuple(sorted(policies, key=lambda p: p.name)))
