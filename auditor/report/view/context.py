"""What every part of the report view shares: the render context (locale, cloud, catalog and the
labels of one rendering), the text limits, and the severity order and colours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor import i18n
from auditor.model import Cloud, Locale
from auditor.report.guidance_api import Guidance, product_names_of
from auditor.report.text import clean

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

    def __init__(self, document: Mapping[str, Any], locale: Locale, cloud: Cloud, guidance: Guidance) -> None:
        self.document = document
        self.locale = locale
        self.cloud = cloud
        self.guidance = guidance
        self.known = frozenset(guidance.ALL_RULE_IDS)
        self.names = product_names_of(document.get("skus"))
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

    def list_more(self, more: int) -> str:
        """The line under a capped list; empty when nothing was left out."""
        if more <= 0:
            return ""
        return self.t.npgettext("list_more", "…and {n} more, listed in report.json.",
                                "…and {n} more, listed in report.json.", more)

    def action_status(self, ready: bool, blocked: object) -> str:
        """"ready to run", or in a few words why a person must finish the call first."""
        if ready:
            return self.t.pgettext("action_ready", "ready to run")
        t = self.t
        reasons = {
            "placeholder": t.pgettext("action_placeholder", "not ready: fill in the missing id first"),
            "choose_value": t.pgettext("action_choose_value", "not ready: choose the value first"),
            "data_lost": t.pgettext("action_data_lost", "not ready: it would end data the user holds; keep the "
                                                        "data first"),
            "plans_unknown": t.pgettext("action_plans_unknown", "not ready: the product's service plans are "
                                                                "unknown, so it may end data"),
            "lookup": t.pgettext("action_lookup", "a lookup to read, not a change"),
            "after_group": t.pgettext("action_after_group", "not ready: only once the group's license is active"),
            "usage_unknown": t.pgettext("action_usage_unknown", "not ready: the usage reports cannot show whether "
                                                                "it is still used; check that first"),
            "group_keeps": t.pgettext("action_group_keeps", "not ready: a group gives both products; change that "
                                                            "group's licenses first"),
            "licensing_group": t.pgettext("action_licensing_group", "not ready: the policy's licensing group cannot "
                                                                    "be joined as it stands; see the step"),
            "group_dynamic": t.pgettext("action_group_dynamic", "not ready: a dynamic group; change its membership "
                                                                "rule instead"),
            "group_synced": t.pgettext("action_group_synced", "not ready: the group is synced from on-premises "
                                                              "Active Directory; change it there"),
            "group_mail": t.pgettext("action_group_mail", "not ready: a mail-enabled group; change it in the "
                                                          "Exchange admin center"),
            "group_kind_unknown": t.pgettext("action_group_kind_unknown", "not ready: the group's type is not "
                                                                          "known; check it first"),
            "mailbox_too_large": t.pgettext("action_mailbox_too_large", "not ready: the mailbox does not fit the "
                                                                        "smaller plan"),
            "onedrive_too_large": t.pgettext("action_onedrive_too_large", "not ready: OneDrive does not fit the "
                                                                          "smaller plan"),
            "archive": t.pgettext("action_archive", "not ready: the mailbox has an archive the smaller plan lacks"),
            "storage_unknown": t.pgettext("action_storage_unknown", "not ready: the mailbox and OneDrive sizes are "
                                                                    "not known"),
            "cause_first": t.pgettext("action_cause_first", "not ready: fix the cause of the error first; a "
                                                            "reprocess before that fails again"),
        }
        return reasons.get(str(blocked), t.pgettext("action_not_ready", "not ready: a person must finish it"))

    def num(self, value: object) -> str:
        return i18n.format_number(value, self.locale) if isinstance(value, int | float) else clean(value)

    def money(self, amount: object, currency: str | None) -> str:
        if not isinstance(amount, int | float) or isinstance(amount, bool):
            return self.t.pgettext("no_price", "not priced")
        return i18n.format_money(amount, currency, self.locale)

    def severity_label(self, severity: str) -> str:
        return self.severity_labels.get(severity) or clean(severity)

    def title(self, rule: str) -> str:
        if rule not in self._titles:
            self._titles[rule] = clean(self.guidance.title(rule, self.locale) if rule in self.known else rule)
        return self._titles[rule]

    def describe(self, rule: str) -> str:
        return clean(self.guidance.describe(rule, self.locale), 2000) if rule in self.known else ""

    def message(self, finding: Mapping[str, Any]) -> str:
        rule = finding["rule"]
        if rule not in self.known:
            return clean(finding.get("message", ""), TEXT_LIMIT)
        text = self.guidance.message(
            rule,
            subject=finding["subject"],
            skus=finding.get("skus", []),
            details=finding.get("details") or {},
            locale=self.locale,
            names=self.names,
        )
        return clean(text, TEXT_LIMIT)

    def remediation(self, finding: Mapping[str, Any]) -> Mapping[str, Any]:
        rule = finding["rule"]
        if rule not in self.known:
            carried = finding.get("remediation")  # as the report carries it
            return carried if isinstance(carried, Mapping) else {}
        return self.guidance.remediation(
            rule,
            cloud=self.cloud,
            locale=self.locale,
            subject=finding["subject"],
            skus=finding.get("skus", []),
            details=finding.get("details") or {},
            names=self.names,
        )


def _summary_currency(document: Mapping[str, Any]) -> str | None:
    cost = (document.get("summary") or {}).get("unused_monthly_cost") or {}
    currency = cost.get("currency") if isinstance(cost, Mapping) else None
    return currency if isinstance(currency, str) else None


def subject_text(subject: Mapping[str, Any]) -> tuple[str, str]:
    """(name, detail) to show for a finding's subject."""
    kind = subject.get("type")
    sid = str(subject.get("id", ""))
    if kind == "user":
        name = subject.get("display_name") or subject.get("upn") or sid
        detail = subject.get("upn") if subject.get("display_name") else ""
        return clean(name, NAME_LIMIT), clean(detail, NAME_LIMIT)
    if kind == "sku":
        return clean(subject.get("sku") or sid, NAME_LIMIT), ""
    if kind == "subscription":
        return clean(subject.get("sku") or sid, NAME_LIMIT), clean(sid, NAME_LIMIT)
    if kind == "group":
        name = subject.get("display_name")
        return clean(name or sid, NAME_LIMIT), clean(sid if name else "", NAME_LIMIT)
    return clean(sid, NAME_LIMIT), ""


def products_text(skus: object) -> str:
    """A finding's products as one line ("SPE_E3, VISIOCLIENT")."""
    if isinstance(skus, list | tuple):
        return clean(", ".join(str(s) for s in skus), NAME_LIMIT)
    return ""
