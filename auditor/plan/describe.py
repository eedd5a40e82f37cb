"""What a change does, in words built from the call itself: its kind (which fixes its method and
path), the user and group ids in its path and the products and country in its body.

A report's action carries a description, but that text is whatever report.json says: a crafted
report could show "removes Power BI Pro from Jane" over a call that adds someone to another
group. The plan and apply therefore never show it; they show `describe(...)`, which can only say
what the call does. Names stand in for ids where the plan knows them (a product's name from
Microsoft's product table by the skuId the call sends, a user's or group's name from the finding
that asks for the change, and only when that finding names the same id); else the id itself is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor import i18n
from auditor.data.model import Locale
from auditor.evaluation.records import record
from auditor.formats.change_model import Body
from auditor.formats.report_model import ReportDocument, ReportFinding, SeatRow
from auditor.reference import product_names
from auditor.rules.assignments.selection import SkuRequiredMissingDetails
from auditor.rules.usage.copilot_seats import CopilotSeatIdleDetails


def products_of(skus: Sequence[SeatRow]) -> dict[str, str]:
    """skuId (lower case) -> what a person reads for the product the call changes: Microsoft's name
    for that skuId in the shipped product table ("Microsoft 365 E5"), never a name report.json
    gives (a crafted row could call Exchange "Visio Plan 2"). A product the table does not know
    shows what the call sends: its part number and skuId, "CONTOSO_ADDON (0f1e…)"."""
    names = product_names()
    out: dict[str, str] = {}
    for row in skus:
        sku_id = row.sku_id.lower()
        out.setdefault(sku_id, names.product(sku_id) or f"{row.sku} ({sku_id})")
    return out


def user_name(findings: Sequence[ReportFinding], user: str) -> str:
    """The user's name as the findings that ask for a change on `user` give it; "" when none of
    them is about that very id, or when they disagree."""
    names = set()
    for finding in findings:
        subject = finding.subject
        seat = record(finding, CopilotSeatIdleDetails)
        if subject.id.lower() == user.lower():
            display, upn = subject.display_name or "", subject.upn or ""
        elif seat is not None and seat.candidate_id and seat.candidate_id.lower() == user.lower():
            # the user an idle seat moves to, named by the finding's details
            display = seat.candidate_name if isinstance(seat.candidate_name, str) else ""
            upn = seat.candidate
        else:
            continue
        names.add(f"{display} ({upn})" if display and upn and display != upn else display or upn)
    names.discard("")
    return names.pop() if len(names) == 1 else ""


def group_name(findings: Sequence[ReportFinding], group: str) -> str:
    """The group's name as the findings' details pair it with `group` (`assigned_by_group` with
    `assigned_by_group_ids`, `replace_group`, `licensing_group`, `group_membership`); "" when they do
    not, or disagree."""
    names = {name for finding in findings for gid, name in _group_pairs(finding) if gid == group.lower()}
    names.discard("")
    return names.pop() if len(names) == 1 else ""


def _group_pairs(finding: ReportFinding) -> set[tuple[str, str]]:
    """(group id in lower case, name) for each group the finding's details name."""
    holding, fix = finding.holding, finding.fix
    pairs: set[tuple[str, str]] = set()
    for part, ids in holding.assigned_by_group_ids.items():
        labels = holding.assigned_by_group.get(part)
        if labels is not None and len(ids) == len(labels):
            pairs.update((i.lower(), n) for i, n in zip(ids, labels, strict=True))
    # the policy's licensing groups, and the group a fix gives instead
    for ref in [*fix.licensing_group.values(), fix.replace_group]:
        if ref is not None and ref.name is not None:
            pairs.add(((ref.id or "").lower(), ref.name))
    # the groups the user is in, or joins, for a product (sku-required-missing's group_membership)
    required = record(finding, SkuRequiredMissingDetails)
    memberships = required.group_membership if required is not None and required.group_membership else []
    for entry in memberships:
        if "name" in entry:
            pairs.add((entry.get("id", "").lower(), entry["name"]))
    return pairs


def shared_group_names(findings: Iterable[ReportFinding]) -> frozenset[str]:
    """The group names the findings give to more than one group id (Entra ID names are not unique)."""
    ids: dict[str, set[str]] = {}
    for finding in findings:
        for gid, name in _group_pairs(finding):
            ids.setdefault(name, set()).add(gid)
    return frozenset(name for name, found in ids.items() if len(found) > 1)


def describe(
    kind: str,
    body: Body | None,
    user: str,
    group: str | None,
    *,
    locale: Locale = Locale.EN,
    user_label: str = "",
    group_label: str = "",
    products: Mapping[str, str] | None = None,
) -> str:
    """One sentence saying what the call does (see the module docstring), in `locale`.

    `kind`, `body`, `user` and `group` are the change's, as apply's parser reads them (the method
    and path follow from the kind and ids); the labels are names for the ids, "" for none."""
    t = i18n.translations(locale)
    products = products or {}
    who = user_label or t.pgettext("change_user_id", "user {id}", id=user)
    if kind == "add_member":
        return t.pgettext("change_join", "Add {user} to the group {group}", user=who, group=group_label or str(group))
    if kind == "remove_member":
        return t.pgettext(
            "change_leave", "Remove {user} from the group {group}", user=who, group=group_label or str(group)
        )
    if kind == "reprocess":
        return t.pgettext("change_reprocess", "Reprocess the group licenses of {user}", user=who)
    if kind == "set_usage_location":
        country = str((body or {}).get("usageLocation", ""))
        return t.pgettext(
            "change_usage_location", "Set the usage location of {user} to {country}", user=who, country=country
        )
    if kind != "assign_license":
        return f"{kind}: {who}"  # not a kind apply makes (its parser refuses it): shown as it is

    def label(sku: Any) -> str:
        return products.get(str(sku).lower(), str(sku))

    added = []
    for entry in (body or {}).get("addLicenses") or []:
        name = label(entry.get("skuId")) if isinstance(entry, Mapping) else label(entry)
        off = entry.get("disabledPlans") if isinstance(entry, Mapping) else None
        if isinstance(off, list) and off:
            name = t.pgettext(
                "change_plans_off",
                "{product} (service plans turned off: {count})",
                product=name,
                count=i18n.format_number(len(off), locale),
            )
        added.append(name)
    removed = [label(sku) for sku in (body or {}).get("removeLicenses") or []]
    # counted by the products removed (or added): Turkish names one product "{sku} ürününü", several
    # "{sku} ürünlerini"; a text with two lists counts only one of them
    if added and removed:
        return t.npgettext(
            "change_assign_both",
            "Assign {added} to {user} and remove {removed}, in one call",
            "Assign {added} to {user} and remove {removed}, in one call",
            len(removed),
            added=i18n.format_list(added, locale),
            user=who,
            removed=i18n.format_list(removed, locale),
        )
    if added:
        return t.npgettext(
            "change_assign",
            "Assign {products} to {user}",
            "Assign {products} to {user}",
            len(added),
            products=i18n.format_list(added, locale),
            user=who,
        )
    return t.npgettext(
        "change_unassign",
        "Remove {products} from {user}",
        "Remove {products} from {user}",
        len(removed),
        products=i18n.format_list(removed, locale),
        user=who,
    )


class Describer:
    """Describes the changes of one plan: `of(...)` with the names the findings asking for a change give."""

    def __init__(self, findings: Mapping[str, ReportFinding], document: ReportDocument) -> None:
        self.findings = findings  # finding id -> finding
        self.products = products_of(document.skus)
        self.twins = shared_group_names(findings.values())
        try:
            self.locale = Locale(document.locale or "en")
        except ValueError:
            self.locale = Locale.EN

    def of(self, kind: str, body: Body | None, user: str, group: str | None, finding_ids: Sequence[str]) -> str:
        asking = [self.findings[fid] for fid in finding_ids if fid in self.findings]
        return describe(
            kind,
            body,
            user,
            group,
            locale=self.locale,
            user_label=user_name(asking, user),
            group_label=group_label(group_name(asking, group), group, self.twins) if group else "",
            products=self.products,
        )


def group_label(name: str, group: str, twins: frozenset[str] = frozenset()) -> str:
    """ "License - E5": a group's name; with its id beside it, "License - E5 (bbbb…)", where another
    group has the same name (`twins`: a group name is not unique in Entra ID); the id alone when the
    name is not known."""
    return f"{name} ({group})" if name and name in twins else name or group
