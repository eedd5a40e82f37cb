"""How each finding is worded (this module was `rulebook`: it holds no rule): every rule's texts (the
engine's auditor.rules.RULES, then the cross-tenant auditor.cross_tenant.rules.MERGE_RULES) by id,
rendered per rule, per national cloud and per locale, with documentation links. Each rule's texts
(a class of the rule's name, with its id, in the `_texts` module beside the rule's:
auditor/rules/<topic>/<name>_texts.py) declare its English and build its remediation with the
guidance library (auditor.guidance). This module stands above them and the renderers use it.

    ALL_RULE_IDS                      every rule with guidance: the engine and merge registries
    by_id()                           rule id -> the rule's guidance
    CATALOGS, raw, render, render_one every guidance text (shared and the rules' own) per locale
    title(rule, locale)               short heading for the rule
    describe(rule, locale)            one or two sentences: why the finding matters
    message(rule, finding, *, locale, names=None)
                                      one-line finding message
    remediation(rule, finding, *, cloud, locale, names=None)
                                      {"summary", "steps", "actions", "alternatives", "role",
                                       "next_steps", "links"}

`actions` are the default fix as Microsoft Graph calls, in the order to run them, each with its
kind, user, group, precondition, seat effect and whether it is ready to run (auditor.guidance.remediation,
docs/report-format.md); `alternatives` are other ways to fix it: [{"label", "actions"}].

`names` maps part numbers to the names people know ("SPE_E3" -> "Microsoft 365 E3": the report's
seat table, which takes the policy catalog's name, else Microsoft's table); texts name products by
it, while Graph calls, CSV and JSON keep the part numbers and skuIds. Without it, part numbers.

`finding` is the finding as report.json holds it (docs/report-format.md, ReportFinding; one made by
hand: auditor.formats.report_model.finding_of), its holding and fix split once for all its texts.
Missing details degrade to placeholders, never to an exception.
All output is plain text (tenant display names included, unescaped): escaping is the renderers' job.
Output is deterministic. An unknown rule id raises KeyError.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.data.model import Cloud, Locale
from auditor.data.remediation_json import ActionJson, LinkJson, RemediationJson
from auditor.formats.report_model import ReportFinding

from .cross_tenant.rules import MERGE_RULES
from .evaluation.records import record_type
from .graph.clouds import ENDPOINTS
from .guidance.cloud_variants import ACTIVE_USERS_URL, VIEW, variant
from .guidance.details import RuleDetails
from .guidance.library import RuleGuidance, ValueFormatter
from .guidance.links import GRAPH, PER_CLOUD, URLS
from .guidance.remediation import Action, TextRef
from .guidance.texts import Catalogs, Value, common
from .guidance.texts.declare import Declared
from .rules import RULES

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
    "row_note",
    "title",
]


def texts_of(rule: Any) -> RuleGuidance[Any]:
    """A rule's texts, found from the rule's own declaration: the class of the rule's name in the
    `_texts` module beside the rule's (auditor.rules.<topic>.<name> -> auditor.rules.<topic>.<name>_texts,
    auditor.cross_tenant.rules -> auditor.cross_tenant.rules_texts), so no list of texts modules or
    classes is kept by hand. A rule without texts there, or texts of another id, fail at import."""
    module, name = f"{type(rule).__module__}_texts", type(rule).__name__
    try:
        found = getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise
        raise LookupError(f"rule texts: {rule.id} has no texts module {module}") from error
    except AttributeError as error:
        raise LookupError(f"rule texts: {rule.id} has no class {name} in {module}") from error
    texts: RuleGuidance[Any] = found()
    if texts.id != rule.id:
        raise LookupError(f"rule texts: {module}.{name} says {texts.id!r}, its rule {rule.id!r}")
    return texts


def _by_rule(rules: Sequence[Any]) -> dict[str, RuleGuidance[Any]]:
    """Each rule's texts by the rule's id, in the registries' order (`rules`: the engine's RULES,
    then MERGE_RULES); one id twice fails here, at import."""
    twice = sorted({r.id for r in rules if sum(s.id == r.id for s in rules) > 1})
    if twice:
        raise LookupError(f"rule texts: rule ids twice {twice}")
    return {rule.id: texts_of(rule) for rule in rules}


_BY_ID: dict[str, RuleGuidance[Any]] = _by_rule((*RULES, *MERGE_RULES))
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


def _words(locale: Locale, names: Mapping[str, str] | None) -> ValueFormatter:
    """The values' writer of `locale`, naming another rule by its title (a waiver's rule)."""
    return ValueFormatter(locale, names, lambda rule: title(rule, locale) if rule in _BY_ID else rule)


def message(rule: str, finding: ReportFinding, *, locale: Locale, names: Mapping[str, str] | None = None) -> str:
    """The finding's one-line message."""
    found = _rule(rule)
    finding_details = RuleDetails[Any](finding, record_type(rule))
    key, values = found.message(finding_details, _words(locale, names))
    text = render_one(locale, key, values)
    note_values = {**values, **found.note_values(finding_details, _words(locale, names))}
    return " ".join([text, *(render_one(locale, note, note_values) for note in found.notes(finding_details))])


def row_note(rule: str, finding: ReportFinding, *, locale: Locale, names: Mapping[str, str] | None = None) -> str:
    """What the report's row of a user says where it shows no steps for the finding
    (RuleGuidance.row_note); empty for most rules."""
    guidance = _rule(rule)
    found = guidance.row_note(RuleDetails[Any](finding, record_type(rule)), _words(locale, names))
    return render_one(locale, *found) if found is not None else ""


def remediation(
    rule: str, finding: ReportFinding, *, cloud: Cloud, locale: Locale, names: Mapping[str, str] | None = None
) -> RemediationJson:
    return _remediation(rule, cloud, locale, RuleDetails[Any](finding, record_type(rule)), names)


def actions(
    rule: str, finding: ReportFinding, *, cloud: Cloud, locale: Locale, names: Mapping[str, str] | None = None
) -> RemediationJson:
    """remediation()'s "actions" alone, each with an empty description: what a plan that describes
    no change reads (the report header's). The rules with the most findings build these calls
    without their steps' texts (RuleGuidance.default_actions)."""
    guidance = _rule(rule)
    found = RuleDetails[Any](finding, record_type(rule))
    calls = guidance.default_actions(found, variant(cloud), _words(locale, names))
    objects = directory_objects(cloud)
    return {"actions": [a.json("", objects) for a in calls]}


def directory_objects(cloud: Cloud) -> str:
    """https://<the cloud's Graph>/v1.0/directoryObjects/: what a member add's @odata.id names (a
    cloud without Graph of its own, Germany since 2021, is read through worldwide Graph)."""
    return f"{ENDPOINTS.get(cloud, ENDPOINTS[Cloud.WORLDWIDE]).graph_v1}/directoryObjects/"


def _remediation(
    rule: str, cloud: Cloud, locale: Locale, finding_details: RuleDetails[Any], names: Mapping[str, str] | None
) -> RemediationJson:
    words = _words(locale, names)
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

    def actions(items: Sequence[Action]) -> list[ActionJson]:
        return [a.json(" ".join(lines(a.description)), directory_objects(cloud)) for a in items]

    links: list[LinkJson] = []
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
