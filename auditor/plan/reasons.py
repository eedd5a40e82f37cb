"""Why a finding's change waits for a person, in the words plan.md and the report say it.

Each reason code of a skipped change (auditor.data.blocked, auditor.plan.compile, crosscheck, declared,
holds) has its sentence here, in the report's language; `skip_reason` is the one entry point the
plan's Markdown and the report's views use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor import i18n, wording
from auditor.common import shapes
from auditor.data.blocked import (
    AFTER_GROUP,
    ARCHIVE,
    CAUSE_FIRST,
    CHOOSE_VALUE,
    CONFLICT,
    DATA_LOST,
    GROUP_DYNAMIC,
    GROUP_KEEPS,
    GROUP_KIND_UNKNOWN,
    GROUP_MAIL,
    GROUP_SYNCED,
    KIND_UNCONFIRMED,
    LICENSING_GROUP,
    LOOKUP,
    MAILBOX_TOO_LARGE,
    ONEDRIVE_TOO_LARGE,
    PLACEHOLDER,
    PLANS_UNKNOWN,
    SEATS_NEEDED,
    SEATS_TO_BUY,
    STORAGE_UNKNOWN,
    TOGETHER_LOST,
    USAGE_UNKNOWN,
    WHOLE_GROUP,
)
from auditor.data.finding_facts import Storage
from auditor.plan.compile import (
    CONTRADICTION,
    DATA_TOGETHER,
    MALFORMED,
    NO_ACTION,
    NOT_READY,
    STOPPED,
    WAIVED,
    WAIVER_LAPSED,
    Skipped,
)
from auditor.plan.crosscheck import GROUP_GIVES, LEAVER, NOT_ALLOWED, REPLACEMENT_WAITS
from auditor.plan.declared import (
    CONVERT_FIRST,
    DISABLE_AUDIT_NOT_READ,
    DISABLE_TIME_UNKNOWN,
    GRACE_PERIOD,
    MAILBOX_USED,
    USE_NOT_SHOWN,
)
from auditor.plan.holds import NOT_ON_HOLD
from auditor.render.text import clean
from auditor.rules.assignments import SkuCombinationForbidden
from auditor.rules.entitlements.entitlement import EntitlementShort
from auditor.rules.hygiene.accounts import SharedMailboxLicensed
from auditor.rules.hygiene.assignment_errors import GroupLicenseErrors
from auditor.rules.hygiene.upkeep import SubscriptionExpiring, UsageLocationMissing
from auditor.rules.seats import (
    LicenseSuspended,
    SeatsInGrace,
    SkuNotApproved,
    SpareSeatsOverLimit,
    SpareSeatsUnderMinimum,
)
from auditor.rules.waivers.waiver_expired import WaiverExpired


def _data_kind(t: i18n.Translations, kind: str) -> str:
    names = {
        "mailbox": t.pgettext("data_kind_mailbox", "mailbox"),
        "archive": t.pgettext("data_kind_archive", "archive mailbox"),
        "files": t.pgettext("data_kind_files", "OneDrive files"),
        "unknown": t.pgettext("data_kind_unknown", "not known: the report does not say what the products hold"),
    }
    return names.get(kind) or clean(kind, 40)


# The next step of the findings whose actions are only a lookup, or none, or a call with an id or a value to
# fill in: a decision about a subscription or the policy (approve, renew, buy), not something to look
# up. Keyed by rule id; the rules below are the ones whose remediation has no runnable change.
NEXT_STEP_RULES = frozenset(
    {
        LicenseSuspended.id,
        SeatsInGrace.id,
        SubscriptionExpiring.id,
        SpareSeatsUnderMinimum.id,
        SpareSeatsOverLimit.id,
        EntitlementShort.id,
        SkuNotApproved.id,
        GroupLicenseErrors.id,
        SkuCombinationForbidden.id,
        WaiverExpired.id,
        SharedMailboxLicensed.id,
        UsageLocationMissing.id,
    }
)  # the rules _next_steps words


def _next_steps(t: i18n.Translations) -> dict[str, str]:
    return {
        LicenseSuspended.id: t.pgettext(
            "plan_next_suspended",
            "next step is commercial: reactivate or renew the subscription, or move its users to another product",
        ),
        SeatsInGrace.id: t.pgettext(
            "plan_next_grace",
            "next step is commercial: renew the subscription before its "
            "grace period ends, or move its users to another product",
        ),
        SubscriptionExpiring.id: t.pgettext(
            "plan_next_expiring", "next step is commercial: renew the subscription, or move its users before it ends"
        ),
        SpareSeatsUnderMinimum.id: t.pgettext("plan_next_buy", "next step is commercial: free licenses or buy more"),
        SpareSeatsOverLimit.id: t.pgettext(
            "plan_next_reduce",
            "next step is commercial: remove the unused "
            "licenses from the subscription, or assign them to users who need them",
        ),
        EntitlementShort.id: t.pgettext(
            "plan_next_entitlement_short",
            "next step is commercial: buy the licenses the plan's bill lists, or narrow the scope of the "
            "features that need them",
        ),
        SkuNotApproved.id: t.pgettext(
            "plan_next_approve",
            "next step is a decision: approve the product in the policy, or move its users to an approved product",
        ),
        GroupLicenseErrors.id: t.pgettext(
            "plan_next_group_errors", "next step: fix each member's license error, then reprocess the group"
        ),
        SkuCombinationForbidden.id: t.pgettext(
            "plan_next_combination",
            "next step is a decision: choose the product the user keeps, or name it in the policy (exclusive "
            "with keep and remove), then plan again",
        ),
        WaiverExpired.id: t.pgettext(
            "plan_next_waiver",
            "next step is the waiver owner's: renew the waiver in the "
            "policy with a new expiry date, or remove it and let the finding be fixed",
        ),
        SharedMailboxLicensed.id: t.pgettext(
            "plan_next_shared",
            "next step: check in the Exchange admin center and "
            "in Microsoft Purview that no hold covers the mailbox, then remove its "
            "license (a shared mailbox under 50 GB without an archive needs none)",
        ),
        UsageLocationMissing.id: t.pgettext(
            "plan_next_usage_location",
            "next step: choose the country where the "
            "user works and set it as the user's usage location; the auditor cannot know the country, "
            "so it sets none itself",
        ),
    }


def said_by_the_fix(s: Skipped) -> bool:
    """Whether the fix the report shows above the finding's row says why it waits, in full: a rule's next
    step in short ("next step is commercial: renew the subscription ..." under "To keep it: ... renew
    it"), or the data the smaller product cannot hold (its "Not yet: the mailbox ... holds 8.4 GB" step).
    Not the next steps that name a way the fix does not (narrow the features' scope; name the product to
    keep in the policy)."""
    if s.reason in (MAILBOX_TOO_LARGE, ONEDRIVE_TOO_LARGE, ARCHIVE, STORAGE_UNKNOWN):
        return True
    said_less = (EntitlementShort.id, SkuCombinationForbidden.id)
    return s.reason in (LOOKUP, NO_ACTION, PLACEHOLDER, CHOOSE_VALUE) and s.rule in NEXT_STEP_RULES - {*said_less}


def _storage_reason(t: i18n.Translations, reason: str, storage: Storage) -> str:
    """Why the user's data does not fit the smaller plan (or is not known to), with both sizes."""

    def size(value: int | None) -> str:
        return "?" if value is None else i18n.format_size(value, t.locale)

    if reason == MAILBOX_TOO_LARGE:
        return t.pgettext(
            "plan_reason_mailbox_too_large",
            "the mailbox holds {size}, and {plan} holds only {quota}: reduce the mailbox first, or "
            "keep the current product",
            size=size(storage.mailbox_bytes),
            quota=size(storage.mailbox_limit_bytes),
            plan=clean(storage.mailbox_plan or "", 200),
        )
    if reason == ONEDRIVE_TOO_LARGE:
        return t.pgettext(
            "plan_reason_onedrive_too_large",
            "OneDrive holds {size}, and {plan} holds only {quota}: reduce the files first, or keep the current product",
            size=size(storage.onedrive_bytes),
            quota=size(storage.onedrive_limit_bytes),
            plan=clean(storage.onedrive_plan or "", 200),
        )
    if reason == ARCHIVE:
        return t.pgettext(
            "plan_reason_archive",
            "the mailbox has an archive, and {plan} gives none: keep a product with an archive",
            plan=clean(storage.archive_plan or "", 200),
        )
    return t.pgettext(
        "plan_reason_storage_unknown",
        "how much the mailbox and OneDrive hold is not known ({reason}): once the usage reports can "
        "be read, audit and plan again",
        reason=clean(storage.unknown or "", 300),
    )


def skip_reason(t: i18n.Translations, s: Skipped) -> str:
    """Why a skipped finding needs a person, in words (the report shows it too: auditor.report.view.states)."""
    rules = s.other_rules if len(s.other_rules) == len(s.others) else ("",) * len(s.others)
    others = [_other_finding(t, fid, rule) for fid, rule in zip(s.others, rules, strict=True)]
    storage = shapes.convert(s.storage, Storage) if s.storage is not None else None  # as the finding's fix read it
    return _reason(t, s.reason, others, s.data, s.rule, s.waiver, s.not_before or s.used_on, storage)


def _other_finding(t: i18n.Translations, finding: str, rule: str) -> str:
    """Another finding as a person knows it: by its rule's title (its id is in plan.json's `with`);
    the id only for a rule this version does not know."""
    if rule not in wording.ALL_RULE_IDS:
        return clean(finding, 64)
    return t.pgettext("plan_other_finding", "the finding “{title}”", title=wording.title(rule, t.locale))


def _reason(
    t: i18n.Translations,
    reason: str,
    others: Sequence[str],
    data: Sequence[str] = (),
    rule: str = "",
    waiver: Mapping[str, str] | None = None,
    not_before: str = "",  # or mailbox_used's day
    storage: Storage | None = None,
) -> str:
    """Why a finding needs a person, in words: never the reason's key (docs/plan-and-apply.md lists them)."""
    if reason in (MAILBOX_TOO_LARGE, ONEDRIVE_TOO_LARGE, ARCHIVE, STORAGE_UNKNOWN):
        return _storage_reason(t, reason, storage or Storage())
    if reason in (LOOKUP, NO_ACTION, PLACEHOLDER, CHOOSE_VALUE):
        step = _next_steps(t).get(rule)
        if step:
            return step
    return (
        _timed_reason(t, reason, waiver, not_before)
        or _linked_reason(t, reason, others, data)
        or _plain_reason(t, reason)
    )


def _plain_reason(t: i18n.Translations, reason: str) -> str:
    """The reasons said without a value; a newer report's unknown one as "not ready", never its key."""
    texts = {
        PLACEHOLDER: t.pgettext("plan_reason_placeholder", "an object id is not known"),
        CHOOSE_VALUE: t.pgettext("plan_reason_choose_value", "a value must be chosen"),
        DATA_LOST: t.pgettext("plan_reason_data_lost", "the removal would end the user's data"),
        PLANS_UNKNOWN: t.pgettext("plan_reason_plans_unknown", "the product's service plans are not known"),
        LOOKUP: t.pgettext("plan_reason_lookup", "someone must look something up first"),
        TOGETHER_LOST: t.pgettext("plan_reason_together_lost", "it belongs with a step that is not ready"),
        NOT_ON_HOLD: t.pgettext(
            "plan_reason_not_on_hold",
            "the policy declares the mailbox kept by a litigation "
            "hold, but the Exchange export shows no litigation hold on it: turn the hold on (or "
            "correct the declaration), export again, then plan again",
        ),
        USE_NOT_SHOWN: t.pgettext(
            "plan_reason_use_not_shown",
            "the account is enabled, and the usage reports do not show whether its mailbox and "
            "OneDrive were used within the policy's days (the active-user report does not list the "
            "account, or could not be read): a declaration alone is not enough to delete its data",
        ),
        CAUSE_FIRST: t.pgettext(
            "plan_reason_cause_first",
            "the assignment is applied only in part: first fix the conflict that stopped the rest "
            "(see the finding), then reprocess and audit again",
        ),
        AFTER_GROUP: t.pgettext(
            "plan_reason_after_group",
            "the direct assignment may be removed only once the "
            "group's license is active for the user: check that first",
        ),
        GROUP_KEEPS: t.pgettext(
            "plan_reason_group_keeps", "a group gives both products: its licenses must change first"
        ),
        LICENSING_GROUP: t.pgettext(
            "plan_reason_licensing_group",
            "the policy's licensing group cannot be joined "
            "as it stands: the step says why and where the policy names it",
        ),
        GROUP_DYNAMIC: t.pgettext(
            "plan_reason_group_dynamic",
            "the group is dynamic: change its membership rule (quoted in the step) or the user's "
            "attributes, then audit again",
        ),
        GROUP_SYNCED: t.pgettext(
            "plan_reason_group_synced",
            "the group is synced from on-premises Active "
            "Directory: change its members there, then audit again after the next "
            "synchronization",
        ),
        GROUP_MAIL: t.pgettext(
            "plan_reason_group_mail",
            "the group is a mail-enabled security group or "
            "distribution list: change its members in the Exchange admin center, then audit "
            "again",
        ),
        GROUP_KIND_UNKNOWN: t.pgettext(
            "plan_reason_group_kind_unknown",
            "the snapshot does not show whether the "
            "group is dynamic or synced from on-premises Active Directory: audit a new "
            "collection, which reads it, or check the group and change its members by "
            "hand",
        ),
        USAGE_UNKNOWN: t.pgettext(
            "plan_reason_usage_unknown",
            "the usage reports cannot show whether the product is still used: a person must check that first",
        ),
        SEATS_TO_BUY: t.pgettext(
            "plan_reason_seats_to_buy",
            "the target product has no free seat: the bill's buy action says how many to buy, then plan again",
        ),
        SEATS_NEEDED: t.pgettext(
            "plan_reason_seats_needed",
            "next step: keep the unused licenses: the plan's changes need them, and its bill removes none",
        ),
        CONFLICT: t.pgettext(
            "plan_reason_conflict",
            "a service plan in one of the user's licenses conflicts with one in another of them "
            "(MutuallyExclusiveViolation): resolve that conflict first",
        ),
        WHOLE_GROUP: t.pgettext(
            "plan_reason_whole_group",
            "every member of the group moves: change the group's license instead of each member's",
        ),
        KIND_UNCONFIRMED: t.pgettext(
            "plan_reason_kind_unconfirmed",
            "only the account's department says it is a resource account: a person confirms that first",
        ),
        NO_ACTION: t.pgettext("plan_reason_no_action", "no change to run"),
        NOT_READY: t.pgettext("plan_reason_not_ready", "a step is not ready"),
        MALFORMED: t.pgettext("plan_reason_malformed", "an action in report.json is malformed"),
        STOPPED: t.pgettext("plan_reason_stopped", "after the point where the plan stops"),
        WAIVED: t.pgettext("plan_reason_waived", "a waiver in the policy covers it"),
    }
    return texts.get(reason) or texts[NOT_READY]


def _timed_reason(t: i18n.Translations, reason: str, waiver: Mapping[str, str] | None, not_before: str) -> str | None:
    """The reasons that wait for a date (a waiver's end, grace_days) or for when it is not known."""
    if reason == WAIVER_LAPSED:
        waiver = waiver or {}
        unknown = t.pgettext("plan_waiver_owner_unknown", "not named")
        return t.pgettext(
            "plan_reason_waiver_recently_expired",
            "its waiver expired on {expires}, less than 14 days ago: the waiver's owner, {owner}, "
            "renews it or lets the change go ahead (then plan again)",
            expires=i18n.format_date(waiver.get("expires") or "", t.locale) or unknown,
            owner=clean(waiver.get("owner") or "", 200) or unknown,
        )
    if reason == GRACE_PERIOD:
        return t.pgettext(
            "plan_reason_grace_period",
            "the policy's grace_days after the account was disabled have not passed: not before "
            "{date} (then plan again)",
            date=i18n.format_date(not_before, t.locale) or not_before,
        )
    if reason == MAILBOX_USED:
        return t.pgettext(
            "plan_reason_mailbox_used",
            "the account is enabled and the mailbox was used on {date} (Exchange or OneDrive activity "
            "in the usage reports, within the policy's days): a declaration alone is not enough to delete "
            "its data",
            date=i18n.format_date(not_before, t.locale) or not_before,
        )
    if reason == DISABLE_TIME_UNKNOWN:
        return t.pgettext(
            "plan_reason_disable_time_unknown",
            "the policy sets grace_days, but when the account was disabled is not known: the user "
            "has no leave date (employeeLeaveDateTime) the audit could read, and the directory audit "
            "log has no entry that disabled the account (it keeps entries 30 days, 7 without Microsoft "
            "Entra ID P1 or P2, so an older disable is not there). Set the user's leave date in the "
            "Microsoft Entra admin center (then audit and plan again), or check the date and remove "
            "the licenses by hand",
        )
    if reason == DISABLE_AUDIT_NOT_READ:
        return t.pgettext(
            "plan_reason_disable_audit_not_read",
            "the policy sets grace_days, but when the account was disabled is not known: the user "
            "has no leave date (employeeLeaveDateTime) the audit could read, and the directory audit "
            "log was not read (the app needs AuditLog.Read.All). Grant it or set the user's leave "
            "date (then audit and plan again), or check the date and remove the licenses by hand",
        )
    return None


def _linked_reason(t: i18n.Translations, reason: str, others: Sequence[str], data: Sequence[str]) -> str | None:
    """The reasons that name the other findings a finding waits for or goes with."""
    if reason == REPLACEMENT_WAITS:
        return t.pgettext(
            "plan_reason_replacement_waits",
            "it adds the product that {findings} puts in place of another: both go together once that "
            "replacement is ready, so the user never holds both",
            findings=", ".join(others),
        )
    if reason == NOT_ALLOWED:
        return t.pgettext(
            "plan_reason_not_allowed",
            "{findings} removes this product, so it is not moved to a group",
            findings=", ".join(others),
        )
    if reason == CONVERT_FIRST:
        return t.pgettext(
            "plan_reason_convert_first",
            "the policy declares the mailbox converted to a shared mailbox, but it is still a user "
            "mailbox: convert it first (exchange-steps.ps1), then audit and plan again",
        )
    if reason == GROUP_GIVES:
        return t.pgettext(
            "plan_reason_group_gives",
            "{findings} lets a group give the user this product: once the license the group assigns is "
            "active, audit and plan again for what is left",
            findings=", ".join(others),
        )
    if reason == LEAVER:
        return t.pgettext(
            "plan_reason_leaver",
            "the licenses go with {findings}, so no smaller or added product",
            findings=", ".join(others),
        )
    if reason == CONTRADICTION:
        return t.pgettext("plan_reason_contradiction", "contradicts {findings}", findings=", ".join(others))
    if reason == DATA_TOGETHER:
        return t.pgettext(
            "plan_reason_data_together",
            "with {findings}, its removals would end the user's data ({data}): keep the data first",
            findings=", ".join(others),
            data=", ".join(_data_kind(t, kind) for kind in data),
        )
    return None
