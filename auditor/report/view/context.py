"""What every part of the report view shares: the render context (locale, cloud, catalog and the
labels of one rendering), the text limits, and the severity order and colours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from msgspec import UNSET

from auditor import i18n
from auditor.data.finding_facts import Subject
from auditor.data.model import Cloud, Locale
from auditor.data.remediation_json import RemediationJson
from auditor.formats.report_json import named_products
from auditor.formats.report_model import Amount, ConfigProblem, ReportDocument, ReportFinding, Summary
from auditor.guidance.details import waiver_label
from auditor.i18n.said import localize
from auditor.reference import product_names
from auditor.render.text import clean
from auditor.report.view.states import FindingState, actions_state
from auditor.report.wording_api import Wording

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {name: i for i, name in enumerate(SEVERITIES)}  # an unknown severity ranks after all (9)

# background, foreground — contrast >= 4.5:1 for the white text
SEVERITY_COLOURS = {
    "critical": ("#7a0019", "#ffffff"),
    "high": ("#c2255c", "#ffffff"),
    "medium": ("#b35900", "#ffffff"),
    "low": ("#1c5d99", "#ffffff"),
}
UNKNOWN_SEVERITY_COLOURS = ("#495057", "#ffffff")

NAME_LIMIT = 200
TEXT_LIMIT = 600
LIST_CAP = 20
TABLE_CAP = 50


class RenderContext:
    """Locale, cloud and catalog for one rendering, with the per-rule lookups cached."""

    def __init__(
        self,
        document: ReportDocument,
        locale: Locale,
        cloud: Cloud,
        wording: Wording,
        states: Mapping[str, FindingState] | None = None,
    ) -> None:
        self.document = document
        # each finding's state in the plan (auditor.report.view.states); None: no plan was compiled
        self.states = states
        self.locale = locale
        self.cloud = cloud
        self.wording = wording
        self.known = frozenset(wording.ALL_RULE_IDS)
        self.names = named_products((row.sku, row.name) for row in document.skus)
        self.twins = shared_names(document.findings)
        self.currency = _summary_currency(document)
        self._titles: dict[str, str] = {}
        self.t = i18n.translations(locale)
        t = self.t
        self.severity_labels = {
            "critical": t.pgettext("severity_critical", "Critical"),
            "high": t.pgettext("severity_high", "High"),
            "medium": t.pgettext("severity_medium", "Medium"),
            "low": t.pgettext("severity_low", "Low"),
        }
        self.subject_labels = {
            "user": t.pgettext("subject_user", "User"),
            "sku": t.pgettext("subject_sku", "Product"),
            "subscription": t.pgettext("subject_subscription", "Subscription"),
            "waiver": t.pgettext("subject_waiver", "Waiver"),
            "group": t.pgettext("subject_group", "Group"),
        }

    def product_name(self, part: str) -> str:
        """A part number (SPE_E3) as the report names the product ("Microsoft 365 E3")."""
        return product_label(part, self.names) or part

    def list_more(self, more: int) -> str:
        """The line under a capped list; empty when nothing was left out."""
        if more <= 0:
            return ""
        return self.t.npgettext(
            "list_more", "…and {n} more, listed in report.json.", "…and {n} more, listed in report.json.", more
        )

    def state_of(self, finding: ReportFinding, remediation: RemediationJson) -> FindingState | None:
        """What the plan does about the finding; where no plan was compiled (a merged report), what
        the finding's own actions say."""
        if self.states is not None:
            return self.states.get(finding.id)
        return actions_state(remediation, self.locale)

    def num(self, value: object) -> str:
        return i18n.format_number(value, self.locale) if isinstance(value, int | float) else clean(value)

    def money(self, amount: object, currency: str | None) -> str:
        if not isinstance(amount, int | float) or isinstance(amount, bool):
            return self.t.pgettext("no_price", "not priced")
        return i18n.format_money(amount, currency, self.locale)

    def cost(self, cost: Amount | None) -> str:
        """A summary's amount (auditor.formats.report_model.Amount), "not priced" when it is null."""
        return self.money(None, None) if cost is None else self.money(cost.amount, cost.currency)

    def severity_label(self, severity: str) -> str:
        return self.severity_labels.get(severity) or clean(severity)

    def title(self, rule: str) -> str:
        if rule not in self._titles:
            self._titles[rule] = clean(self.wording.title(rule, self.locale) if rule in self.known else rule)
        return self._titles[rule]

    def describe(self, rule: str) -> str:
        return clean(self.wording.describe(rule, self.locale), 2000) if rule in self.known else ""

    def message(self, finding: ReportFinding) -> str:
        rule = finding.rule
        if rule not in self.known:
            return clean(finding.message, TEXT_LIMIT)
        text = self.wording.message(rule, finding, locale=self.locale, names=self.names)
        return clean(text, TEXT_LIMIT)

    def row_note(self, finding: ReportFinding) -> str:
        """What a user's row says where the report shows no steps for it; empty for most rules."""
        subject = finding.subject
        rule = finding.rule
        if subject.type != "user" or rule not in self.known:
            return ""
        text = self.wording.row_note(rule, finding, locale=self.locale, names=self.names)
        return clean(text, TEXT_LIMIT)

    def remediation(self, finding: ReportFinding) -> RemediationJson:
        rule = finding.rule
        if rule not in self.known:
            return finding.remediation or {}  # as the report carries it
        return self.wording.remediation(rule, finding, cloud=self.cloud, locale=self.locale, names=self.names)


def unset_or(value: Any, default: Any) -> Any:
    """A field of the report document, `default` where it is not set (UNSET)."""
    return default if value is UNSET else value


def _summary_currency(document: ReportDocument) -> str | None:
    summary: Summary = document.summary
    return summary.unused_monthly_cost.currency if summary.unused_monthly_cost is not None else None


def _name_key(subject: Subject) -> tuple[str, str] | None:
    """What a group or subscription subject is shown by (its name; a subscription's product)."""
    if subject.type == "group" and subject.display_name:
        return "group", subject.display_name
    if subject.type == "subscription" and subject.sku:
        return "subscription", subject.sku
    return None


def shared_names(findings: list[ReportFinding] | None) -> frozenset[tuple[str, str]]:
    """The groups' and subscriptions' names that more than one of them carries among `findings`
    (a group name is not unique in Entra ID; a product may have several subscriptions): only these
    are shown with their id beside the name."""
    ids: dict[tuple[str, str], set[str]] = {}
    for finding in findings or ():
        subject = finding.subject
        key = _name_key(subject)
        if key is not None:
            ids.setdefault(key, set()).add(subject.id.lower())
    return frozenset(key for key, found in ids.items() if len(found) > 1)


def subject_text(
    subject: Subject,
    names: Mapping[str, str] | None = None,
    twins: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[str, str]:
    """(name, detail) to show for a finding's subject; a product by its name (`names`: the report's
    own names by part number, else Microsoft's product table). A group or subscription is named
    alone, with its id as the detail only where another one shares its name (`twins`)."""
    kind = subject.type
    sid = subject.id
    shown_id = clean(sid, NAME_LIMIT) if _name_key(subject) in twins else ""
    if kind == "user":
        name = subject.display_name or subject.upn or sid
        detail = subject.upn if subject.display_name else ""
        return clean(name, NAME_LIMIT), clean(detail, NAME_LIMIT)
    if kind == "sku":
        return clean(product_label(subject.sku, names) or sid, NAME_LIMIT), ""
    if kind == "subscription":
        return clean(product_label(subject.sku, names) or sid, NAME_LIMIT), shown_id
    if kind == "waiver":
        return clean(waiver_label(sid), NAME_LIMIT), ""
    if kind == "group":
        return clean(subject.display_name or sid, NAME_LIMIT), shown_id
    return clean(sid, NAME_LIMIT), ""


def product_label(part: object, names: Mapping[str, str] | None = None) -> str:
    """What a person reads for a product part number: the report's own name for it (`names`), else
    its name in Microsoft's product table, the part number itself when neither knows it."""
    text = str(part or "")
    if not text:
        return ""
    return (names or {}).get(text) or product_names().product(None, text) or text


def products_text(skus: object) -> str:
    """A finding's products as one line, by name ("Microsoft 365 E3, Visio Plan 2")."""
    if isinstance(skus, list | tuple):
        return clean(", ".join(product_label(s) for s in skus), NAME_LIMIT)
    return ""


def config_problem_lines(ctx: RenderContext, problems: Sequence[ConfigProblem] | None) -> tuple[str, ...]:
    """report.json config_problems, one line each, "file:line: what; what was done instead"."""
    out = []
    for p in problems or []:
        where = clean(f"{p.file}:{p.line or '?'}", 200)
        if p.code == "unknown_product":
            product = clean(unset_or(p.product, None), 80)
            suggestion = unset_or(p.suggestion, None)
            text = (
                ctx.t.pgettext(
                    "config_unknown_product_hint",
                    "the product {product} is known neither to the "
                    "tenant nor to Microsoft's product table (did you mean {suggestion}?); what the "
                    "policy says of it is ignored",
                    product=product,
                    suggestion=clean(suggestion, 80),
                )
                if suggestion
                else ctx.t.pgettext(
                    "config_unknown_product",
                    "the product {product} is known neither to the tenant "
                    "nor to Microsoft's product table; what the policy says of it is ignored",
                    product=product,
                )
            )
        elif p.code == "billing_unmatched" and isinstance(p.rows, int):
            text = ctx.t.npgettext(
                "config_billing_unmatched",
                "{n} billing row names no subscription of the tenant (a typo, a product name instead of the "
                "commerceSubscriptionId, or another tenant's row); it is not used, and not kept in the report",
                "{n} billing rows name no subscription of the tenant, the first on this line (a typo, a product "
                "name instead of the commerceSubscriptionId, or another tenant's rows); they are not used, and not "
                "kept in the report",
                p.rows,
            )
        elif p.code == "billing_currency" and isinstance(p.currency, str) and isinstance(p.policy_currency, str):
            text = ctx.t.pgettext(
                "config_billing_currency",
                "the billing row for {subscription} is priced in {currency}, the policy's prices in "
                "{policy_currency}; the bill takes the policy's price in {policy_currency} for it",
                subscription=clean(unset_or(p.subscription, None), 80),
                currency=clean(p.currency, 8),
                policy_currency=clean(p.policy_currency, 8),
            )
        else:
            # a licensing group's line is the evaluation's warning, which the catalog says in the language
            said = localize(f"{where}: {p.what}; {p.instead}", ctx.t, ctx.product_name)
            out.append(clean(said, 600))
            continue
        out.append(f"{where}: {text}")
    return tuple(out)
