"""How each finding is worded (this module was `rulebook`: it holds no rule): every rule's texts (the
engine's auditor.rules.RULES, then the cross-tenant auditor.cross_tenant.rules.MERGE_RULES) by id,
rendered per rule, per national cloud and per locale, with documentation links. Each rule's texts
(a class per rule, with the rule's id, in the `_texts` module beside the rule's:
auditor/rules/<topic>/<name>_texts.py) declare its English and build its remediation with the
guidance library (auditor.guidance). This module stands above them and the renderers use it.

    ALL_RULE_IDS                      every rule with guidance: the engine and merge registries
    by_id()                           rule id -> the rule's guidance
    CATALOGS, raw, render, render_one every guidance text (shared and the rules' own) per locale
    title(rule, locale)               short heading for the rule
    describe(rule, locale)            one or two sentences: why the finding matters
    message(rule, *, subject, skus, details, locale, names=None)
                                      one-line finding message
    remediation(rule, *, cloud, locale, subject, skus, details, names=None)
                                      {"summary", "steps", "actions", "alternatives", "role",
                                       "next_steps", "links"}

`actions` are the default fix as Microsoft Graph calls, in the order to run them, each with its
kind, user, group, precondition, seat effect and whether it is ready to run (auditor.guidance.remediation,
docs/report-format.md); `alternatives` are other ways to fix it: [{"label", "actions"}].

`names` maps part numbers to the names people know ("SPE_E3" -> "Microsoft 365 E3": the report's
seat table, which takes the policy catalog's name, else Microsoft's table); texts name products by
it, while Graph calls, CSV and JSON keep the part numbers and skuIds. Without it, part numbers.

`subject`, `skus` and `details` are the finding's fields as in report.json
(docs/report-format.md). Missing or malformed details degrade to placeholders, never to an
exception. All output is plain text (tenant display names included, unescaped): escaping is
the renderers' job. Output is deterministic. An unknown rule id raises KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor.data.model import Cloud, Locale

from .cross_tenant import rules_texts as cross_tenant_texts
from .cross_tenant.rules import MERGE_RULES
from .graph.clouds import ENDPOINTS
from .guidance.cloud_variants import ACTIVE_USERS_URL, VIEW, variant
from .guidance.details import RuleDetails
from .guidance.library import RuleGuidance, ValueFormatter
from .guidance.links import GRAPH, PER_CLOUD, URLS
from .guidance.remediation import Action, TextRef
from .guidance.texts import Catalogs, Value, common
from .guidance.texts.declare import Declared
from .rules import RULES
from .rules.assignments import combination_texts, selection_texts
from .rules.entitlements import entitlement_texts
from .rules.hygiene import accounts_texts, assignment_errors_texts, kinds_texts, overlap_texts, upkeep_texts
from .rules.moves import subscription_move_texts
from .rules.seats import catalog_texts, lifecycle_texts
from .rules.usage import activity_texts
from .rules.waivers import waiver_expired_texts

__all__ = [
    "ALL_RULE_IDS",
    "CATALOGS",
    "by_id",
    "declared",
    "describe",
    "message",
    "raw",
    "remediation",
    "render",
    "render_one",
    "title",
]

# Every texts module: the classes beside their rules, in the `<rule module>_texts.py` of each topic
# folder (auditor/rules/<topic>/, the merge rules' in auditor/cross_tenant/rules_texts.py), each
# module's `GUIDANCE` in any order: the order is the registries' (below), said once, there.
_TEXTS_MODULES = (
    selection_texts,
    combination_texts,
    catalog_texts,
    lifecycle_texts,
    accounts_texts,
    kinds_texts,
    assignment_errors_texts,
    overlap_texts,
    upkeep_texts,
    activity_texts,
    subscription_move_texts,
    entitlement_texts,
    waiver_expired_texts,
    cross_tenant_texts,
)


def _by_rule(modules: tuple[Any, ...], rule_ids: tuple[str, ...]) -> dict[str, RuleGuidance[Any]]:
    """Each rule's texts by the rule's id, in the registries' order (`rule_ids`); a rule without
    texts, or texts of no registered rule or of one rule twice, fail here, at import."""
    found = [guidance for module in modules for guidance in module.GUIDANCE]
    by_id = {guidance.id: guidance for guidance in found}
    unknown = sorted(set(by_id) - set(rule_ids))
    twice = sorted({g.id for g in found if sum(h.id == g.id for h in found) > 1})
    missing = [rule_id for rule_id in rule_ids if rule_id not in by_id]
    if unknown or twice or missing:
        raise LookupError(f"rule texts: for no registered rule {unknown}, twice {twice}, missing {missing}")
    return {rule_id: by_id[rule_id] for rule_id in rule_ids}


_BY_ID: dict[str, RuleGuidance[Any]] = _by_rule(_TEXTS_MODULES, (*(r.id for r in RULES), *(r.id for r in MERGE_RULES)))
# every rule's texts, in the registries' order (engine rules, then merge rules)
GUIDANCE: tuple[RuleGuidance[Any], ...] = tuple(_BY_ID.values())
ALL_RULE_IDS: tuple[str, ...] = tuple(_BY_ID)


def by_id() -> Mapping[str, RuleGuidance[Any]]:
    """Every rule with guidance, engine rules first, then the cross-tenant (merge) rules."""
    return _BY_ID


def declared() -> tuple[Declared, ...]:
    """Every guidance text the code declares: the shared ones, then each rule's own."""
    return (*common.TEXTS, *(text for rule in _BY_ID.values() for text in rule.texts))


CATALOGS = Catalogs(lambda: declared())  # looked up when read, so a test can declare a text of its own


def raw(locale: Locale, key: str) -> Value:
    """The template(s) for `key`; a missing key is a catalog defect, so it raises KeyError."""
    return CATALOGS.raw(locale, key)


def render(locale: Locale, key: str, values: Mapping[str, str]) -> list[str]:
    """`key`'s template(s) filled with `values` (guidance.texts.Catalogs.render): always a list."""
    return CATALOGS.render(locale, key, values)


def render_one(locale: Locale, key: str, values: Mapping[str, str]) -> str:
    return " ".join(render(locale, key, values))


def _rule(rule: str) -> RuleGuidance[Any]:
    found = _BY_ID.get(rule)
    if found is None:
        raise KeyError(f"no guidance for rule {rule!r}")
    return found


def _check(rule: str) -> None:
    _rule(rule)


def title(rule: str, locale: Locale) -> str:
    _check(rule)
    return render_one(locale, f"rule.{rule}.title", {})


def describe(rule: str, locale: Locale) -> str:
    _check(rule)
    return render_one(locale, f"rule.{rule}.describe", {})


def message(
    rule: str,
    *,
    subject: Mapping[str, Any],
    skus: Sequence[str],
    details: Mapping[str, Any],
    locale: Locale,
    names: Mapping[str, str] | None = None,
) -> str:
    found = _rule(rule)
    finding_details = RuleDetails[Any](subject, skus, details)
    key, values = found.message(finding_details, ValueFormatter(locale, names))
    text = render_one(locale, key, values)
    note_values = {**values, **found.note_values(finding_details, ValueFormatter(locale, names))}
    return " ".join([text, *(render_one(locale, note, note_values) for note in found.notes(finding_details))])


def row_note(
    rule: str,
    *,
    subject: Mapping[str, Any],
    skus: Sequence[str],
    details: Mapping[str, Any],
    locale: Locale,
    names: Mapping[str, str] | None = None,
) -> str:
    """What the report's row of a user says where it shows no steps for the finding
    (RuleGuidance.row_note); empty for most rules."""
    found = _rule(rule).row_note(RuleDetails[Any](subject, skus, details), ValueFormatter(locale, names))
    return render_one(locale, *found) if found is not None else ""


def remediation(
    rule: str,
    *,
    cloud: Cloud,
    locale: Locale,
    subject: Mapping[str, Any],
    skus: Sequence[str],
    details: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    return _remediation(rule, cloud, locale, RuleDetails[Any](subject, skus, details), names)


def actions(
    rule: str,
    *,
    cloud: Cloud,
    locale: Locale,
    subject: Mapping[str, Any],
    skus: Sequence[str],
    details: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """remediation()'s "actions" alone, each with an empty description: what a plan that describes
    no change reads (the report header's). The rules with the most findings build these calls
    without their steps' texts (RuleGuidance.default_actions)."""
    found = RuleDetails[Any](subject, skus, details)
    calls = _rule(rule).default_actions(found, variant(cloud), ValueFormatter(locale, names))
    objects = directory_objects(cloud)
    return {"actions": [a.json("", objects) for a in calls]}


def directory_objects(cloud: Cloud) -> str:
    """https://<the cloud's Graph>/v1.0/directoryObjects/: what a member add's @odata.id names (a
    cloud without Graph of its own, Germany since 2021, is read through worldwide Graph)."""
    return f"{ENDPOINTS.get(cloud, ENDPOINTS[Cloud.WORLDWIDE]).graph_v1}/directoryObjects/"


def _remediation(
    rule: str, cloud: Cloud, locale: Locale, finding_details: RuleDetails[Any], names: Mapping[str, str] | None
) -> dict[str, Any]:
    words = ValueFormatter(locale, names)
    var = variant(cloud)
    remedy = _rule(rule).remediation(finding_details, var, words)
    subject = words.subject(finding_details)
    common = {
        "user": subject,
        "subject": subject,
        "sku": words.skus(finding_details.skus),
        "url": ACTIVE_USERS_URL[var],
    }

    catalog = CATALOGS[locale]

    def lines(line: TextRef) -> list[str]:
        # US Government clouds buy through an agreement or a partner: a text that would send the
        # admin to the worldwide Billing pages has a ".gov" variant (guidance/cloud_variants.py)
        key = f"{line.key}.gov" if var.gov and f"{line.key}.gov" in catalog else line.key
        return render(locale, key, {**common, **line.values})

    def actions(items: Sequence[Action]) -> list[dict[str, Any]]:
        return [a.json(" ".join(lines(a.description)), directory_objects(cloud)) for a in items]

    links = []
    for key in remedy.links:
        if key.startswith("graph:"):
            name, url = GRAPH[key.removeprefix("graph:")]
        else:
            name, url = render_one(locale, f"link.{key}", {}), URLS[key]
            if key in PER_CLOUD:
                url = f"{url}?view={VIEW[var]}"
        links.append({"title": name, "url": url})
    # Germany (closed in 2021) and the US Government clouds: what the steps below are worth there
    note = f"steps.cloud.{var.value}"
    cloud_note = lines(TextRef(note, {})) if note in catalog else []
    summaries = remedy.summary if isinstance(remedy.summary, tuple) else (remedy.summary,)
    return {
        "summary": " ".join(text for line in summaries for text in lines(line)),
        "steps": [*cloud_note, *(text for line in remedy.steps for text in lines(line))],
        "actions": actions(remedy.actions),
        "alternatives": [
            {"label": " ".join(lines(alt.label)), "actions": actions(alt.actions)} for alt in remedy.alternatives
        ],
        "role": render_one(locale, remedy.role, {}),
        "next_steps": [text for line in remedy.next_steps for text in lines(line)],
        "links": links,
    }
