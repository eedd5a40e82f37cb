"""Hygiene of accounts: licenses on disabled, inactive and guest accounts, and on shared mailboxes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ...guidance.clouds import Variant
from ...guidance.examples import E3, E5, USER
from ...guidance.facts import Facts, iso_date, number
from ...guidance.library import (
    Message,
    ValueFormatter,
    base_values,
    keep_data,
    removal,
)
from ...guidance.remediation import (
    Remediation,
    TextRef,
    resting_on,
)
from ...guidance.texts.declare import Steps, Text
from ...model import (
    RESOURCE_PURPOSES,
    Severity,
    User,
)
from ...policy.model import HygieneCheck
from ...sign_ins import dormant, last_attempt, last_sign_in
from ...snapshot import MAILBOX_SETTINGS
from ...usage_reports import ACTIVE_USERS, MAILBOXES
from ..base import Context, parse_when
from .base import DATA_KEPT_DOC, HygieneRule, UserHygieneRule, check_schema, mailbox_extra, unverified


def mailbox_note(f: Facts) -> tuple[str, ...]:
    """A sentence added after the message of a disabled or inactive account whose mailbox purpose
    the auditor could not read: it may be a shared mailbox, which these rules would otherwise skip."""
    return ("message.shared_mailbox_unknown",) if f.text("shared_mailbox") == "unknown" else ()


def mailbox_unknown(f: Facts) -> list[TextRef]:
    """The auditor could not read whether the account is a shared mailbox: say so, and what to check."""
    return [TextRef("steps.mailbox.unknown")] if f.text("shared_mailbox") == "unknown" else []


class _UnusedAccount(UserHygieneRule):
    """Disabled and inactive accounts: the fix confirms the account is no longer needed, keeps its
    data, then removes the licenses; both say when the account may be a shared mailbox."""

    confirm: ClassVar[str]  # the step that confirms the account is no longer needed

    def notes(self, f: Facts) -> tuple[str, ...]:
        return (*mailbox_note(f), *super().notes(f))

    def remediation(self, f: Facts, v: Variant, w: ValueFormatter) -> Remediation:
        remedy = removal(f, v, w, list(f.skus), intro=[*mailbox_unknown(f), TextRef(self.confirm), *keep_data(f)])
        return resting_on(remedy, *self.rests_on(f))

    def rests_on(self, f: Facts) -> tuple[dict[str, Any], ...]:
        """The facts about the account each call needs still true when it runs (apply checks them)."""
        return ()

    def own_facts(self, user: User, ctx: Context) -> dict[str, Any]:
        return mailbox_usage(user, ctx)


class DisabledUserLicensed(_UnusedAccount):
    """A disabled (blocked sign-in) account still holds licenses. Shared, room and equipment
    mailboxes, whose sign-in is blocked by design, are left to `shared-mailbox-licensed`.

    `data_kept` declares what keeps the accounts' data once the licenses go (also on inactive_users
    and guest_users); `grace_days` how long after the disable time the licenses may stay.

    Example:
        hygiene:
          disabled_users:
            severity: high
            grace_days: 14
            data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, expires: 2027-06-30}
    """

    texts = (
        Text("rule.disabled-user-licensed.title", "Disabled user holds licenses"),
        Text("rule.disabled-user-licensed.describe", "The account is blocked from signing in but still takes up a "
             "paid license."),
        Text("rule.disabled-user-licensed.message", "{user} is blocked from signing in but still holds {sku}.",
             "{user} is blocked from signing in but still holds {sku}."),
        Text("steps.disabled.confirm", "Confirm that {user} is meant to stay blocked, for example because the "
             "person has left."),
        Text("message.disabled_before_audit_log", "No entry of the directory audit log, which reaches back {count} "
             "day, disabled the account: it was disabled at least {count} day ago.",
             "No entry of the directory audit log, which reaches back {count} days, disabled the account: it was "
             "disabled at least {count} days ago."),
    )

    id = "disabled-user-licensed"
    reclaimable = True
    default_severity = Severity.HIGH
    fires_when = (
        "a disabled account holds licenses; shared, room and equipment mailboxes are left to "
        "`shared-mailbox-licensed` (when their purpose could not be read, the finding says so)"
    )
    details_doc = (
        "`shared_mailbox`: `\"unknown\"` only when the account's mailbox purpose could not be read (a "
        "`mailboxSettings` gap, Graph's answer for this account was an error, or the account was not a candidate "
        "when the tenant was read) or was `others`/`unknownFutureValue`: it may be a shared mailbox; "
        + DATA_KEPT_DOC + "; when the check sets `grace_days`: `grace_days`, `disabled_at` (when the account was "
        "disabled; null when not known), `disabled_from` (`employeeLeaveDateTime` or `directoryAudit`, where it was "
        "read; `auditSpan`: no entry of the directory audit disabled it, so it was disabled before the log's start, "
        "`disabled_at`, `audit_span_days` days before the end of what was read) or `disable_unknown` "
        "(`audit_not_read`: the directory audit was not read; `not_in_audit`: no entry of the audit disabled it, or "
        "one enabled it again since, and the log's span is not known); `mailbox_bytes` and `mailbox_archive` "
        "when the mailbox usage report lists the account"
    )
    example_finding = (USER, ["SPE_E5"], {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}})
    key = "disabled_users"
    fragment = check_schema(False, data_kept=True, grace_days=True)

    reads = frozenset({"accountEnabled", "mailboxSettings"})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        return None if user.account_enabled else mailbox_extra(user, ctx)

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return "account is disabled but still holds licenses" + unverified(details)

    def message(self, f: Facts, w: ValueFormatter) -> Message:
        key, values = super().message(f, w)
        days = f.details.get("audit_span_days")
        if f.text("disabled_from") == "auditSpan" and isinstance(days, int):
            values = {**values, "count": number(days, w.word("unknown"))}  # the note below says how far the log reaches
        return key, values

    def notes(self, f: Facts) -> tuple[str, ...]:
        spanned = f.text("disabled_from") == "auditSpan" and isinstance(f.details.get("audit_span_days"), int)
        return (*super().notes(f), *(("message.disabled_before_audit_log",) if spanned else ()))

    def rests_on(self, f: Facts) -> tuple[dict[str, Any], ...]:
        return ({"account_enabled": False},)  # a leaver re-enabled since the audit keeps everything

    confirm = "steps.disabled.confirm"


class InactiveUserLicensed(_UnusedAccount):
    """An enabled, licensed account has not signed in successfully for `days` days.

    Needs signInActivity (Entra ID P1 and AuditLog.Read.All). Failed sign-in attempts do not count
    as activity where Graph returns lastSuccessfulSignInDateTime. Accounts created within the
    window, and accounts that never signed in whose licenses were assigned or changed
    (licenseAssignmentStates.lastUpdatedDateTime) within it, are not counted: they have not had the
    time to be inactive. An account whose last successful sign-in is older than the window stays
    inactive when its licenses changed since (a group license edit stamps every member). Shared, room and
    equipment mailboxes (nobody signs in to them) are left to `shared-mailbox-licensed`.

    Example:
        hygiene:
          inactive_users: {days: 90, severity: medium}
    """

    texts = (
        Text("rule.inactive-user-licensed.title", "Inactive user holds licenses"),
        Text("rule.inactive-user-licensed.describe", "The account has not been used for a long time but still "
             "takes up a paid license."),
        Text("rule.inactive-user-licensed.message", "{user} holds {sku} but has not signed in for at least "
             "{count} day (last sign-in: {last_sign_in}).",
             "{user} holds {sku} but has not signed in for at least {count} days (last sign-in: {last_sign_in})."),
        Text("rule.inactive-user-licensed.message.never", "{user} holds {sku} but has never signed in (limit: "
             "{count} day).",
             "{user} holds {sku} but has never signed in (limit: {count} days)."),
        Text("rule.inactive-user-licensed.message.attempts", "{user} holds {sku} but has not signed in "
             "successfully for at least {count} day (last successful sign-in: {last_sign_in}); sign-in attempts "
             "went on until {last_attempt}, so check its sign-in logs.",
             "{user} holds {sku} but has not signed in successfully for at least {count} days (last successful "
             "sign-in: {last_sign_in}); sign-in attempts went on until {last_attempt}, so check its sign-in logs."),
        Text("rule.inactive-user-licensed.message.never.attempts", "{user} holds {sku} but has never signed in "
             "successfully (limit: {count} day); sign-in attempts were made until {last_attempt}, so check its "
             "sign-in logs.",
             "{user} holds {sku} but has never signed in successfully (limit: {count} days); sign-in attempts "
             "were made until {last_attempt}, so check its sign-in logs."),
        Text("steps.inactive.confirm", "Confirm with the manager of {user} that the account is no longer needed; "
             "if it is, record a waiver instead."),
    )

    id = "inactive-user-licensed"
    reclaimable = True
    default_severity = Severity.MEDIUM
    fires_when = (
        "an enabled account has not signed in successfully for `days` days (`lastSuccessfulSignInDateTime`; failed "
        "attempts are not activity; `0001-01-01` means never); accounts created within the window are spared, and "
        "so are accounts licensed within it that never signed in (a license change does not hide an account "
        "dormant before it); shared, room and equipment mailboxes too; needs signInActivity"
    )
    details_doc = (
        "`days`, `last_sign_in` (last successful sign-in, ISO or null = never), `last_attempt` (only when sign-in "
        "attempts came after it: failed ones), `shared_mailbox` (as for disabled-user-licensed), `mail_use` (the "
        "active-user usage report: `read`, and when read `since` (the window's first day), `exchange` and "
        "`onedrive` (last activity dates or null): an enabled account's mailbox or OneDrive is ended only when "
        "neither was used since); " + DATA_KEPT_DOC
    )
    example_finding = (USER, ["SPE_E5"], {"days": 90, "last_sign_in": "2026-01-02T03:04:05Z",
                                          "assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}})
    message_variants = ("", ".never", ".attempts", ".never.attempts")
    key = "inactive_users"
    fragment = check_schema(True, "Days without any sign-in after which a licensed account counts as inactive.",
                            data_kept=True)
    needs = frozenset({"users", "signInActivity"})

    def window(self, check: HygieneCheck) -> int:
        """Days without a successful sign-in after which an account counts as inactive (the schema
        requires `days` for this rule)."""
        assert check.days is not None, "inactive_users.days is required"
        return check.days

    reads = frozenset({"accountEnabled", "signInActivity", "createdDateTime", "licenseAssignmentStates",
                       "mailboxSettings"})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        cutoff = ctx.as_of - timedelta(days=self.window(check))
        if not user.account_enabled or not dormant(user, cutoff):
            return None
        last = last_sign_in(user)
        created = parse_when(user.created_date_time)
        if created is not None and created >= cutoff:
            return None  # a new account: grace
        # A license change within the window gives grace only to an account that never signed in:
        # it has not had the time to use the license. (One that signed in after the change signed
        # in within the window, and is active.) An account already dormant when its licenses changed
        # stays inactive: a group license edit stamps every member's lastUpdatedDateTime.
        changed = parse_when(user.licenses_updated)
        if last is None and changed is not None and changed >= cutoff:
            return None
        mailbox = mailbox_extra(user, ctx)
        if mailbox is None:
            return None
        details: dict[str, Any] = {"days": self.window(check), "last_sign_in": _iso(last), **mailbox,
                                   "mail_use": mail_use(user, ctx, cutoff)}
        attempt = last_attempt(user)
        if attempt is not None and (last is None or attempt > last):
            details["last_attempt"] = _iso(attempt)  # failed attempts since: worth a look
        return details

    def severity(self, user: User, check: HygieneCheck, ctx: Context) -> Severity | None:
        # Free products cost nothing while unused: worth tidying, not an alarm (unless the policy says so)
        if check.severity is None and all(ctx.is_free(s) for s in user.sku_ids):
            return Severity.LOW
        return check.severity

    def describe(self, user: User, details: dict[str, Any]) -> str:
        if details["last_sign_in"] is None:
            return f"has never signed in (threshold {details['days']} days) but holds licenses" + unverified(details)
        return (f"last signed in {details['last_sign_in'][:10]}, over {details['days']} days ago, but holds licenses"
                + unverified(details))

    def message(self, f: Facts, w: ValueFormatter) -> Message:
        days = number(f.details.get("days"), w.word("unknown"))
        values = {**base_values(f, w), "days": days, "count": days}  # "at least {count} days"
        last = iso_date(f.details.get("last_sign_in"))
        attempt = iso_date(f.details.get("last_attempt"))  # failed attempts after the last success
        suffix = "" if attempt is None else ".attempts"
        if attempt is not None:
            values["last_attempt"] = attempt
        if last is None:
            return self.message_key(".never" + suffix), values
        return self.message_key(suffix), {**values, "last_sign_in": last}

    confirm = "steps.inactive.confirm"

    def rests_on(self, f: Facts) -> tuple[dict[str, Any], ...]:
        # still no successful sign-in within the window, counted back from when the call runs
        days = f.details.get("days")
        return ({"no_sign_in_within_days": days},) if isinstance(days, int) and days > 0 else ()


def mail_use(user: User, ctx: Context, since: datetime) -> dict[str, Any]:
    """What the usage reports say of the account's mailbox and OneDrive use since `since` (the
    policy's window): {"read": True, "since": date, "exchange": last day or None, "onedrive": ...}
    when the active-user report lists the account, else {"read": False}. The plan ends an enabled
    account's mailbox only when neither was used since then (auditor.plan.declared.use_wait)."""
    usage = ctx.index.snapshot.usage_reports
    row = usage.by_upn.get(user.user_principal_name.lower()) if usage is not None else None
    if usage is None or usage.read(ACTIVE_USERS.name) is None or row is None or ACTIVE_USERS.name not in row.reports:
        return {"read": False}
    return {"read": True, "since": since.date().isoformat(), "exchange": row.exchangeLastActivityDate,
            "onedrive": row.oneDriveLastActivityDate}


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when is not None else None


class GuestLicensed(UserHygieneRule):
    """A guest (B2B) account holds licenses.

    Example:
        hygiene:
          guest_users: {severity: medium}
    """

    texts = (
        Text("rule.guest-licensed.title", "Guest holds licenses"),
        Text("rule.guest-licensed.describe", "A guest from outside the organization holds a paid license of this "
             "tenant; guests rarely need one."),
        Text("rule.guest-licensed.message", "The guest {user} holds {sku}.", "The guest {user} holds {sku}."),
        Text("steps.guest.confirm", "Most guest access does not need a license of your tenant: confirm whether "
             "{user} really needs {sku}.",
             "Most guest access does not need a license of your tenant: confirm whether {user} really needs {sku}."),
    )

    id = "guest-licensed"
    reclaimable = True
    default_severity = Severity.MEDIUM
    fires_when = "a guest account holds licenses"
    details_doc = DATA_KEPT_DOC
    example_finding = (USER, ["SPE_E5"], {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}})
    key = "guest_users"
    fragment = check_schema(False, data_kept=True)

    reads = frozenset({"userType"})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        return {} if user.user_type.lower() == "guest" else None

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return "guest account holds licenses"

    def remediation(self, f: Facts, v: Variant, w: ValueFormatter) -> Remediation:
        confirm = TextRef("steps.guest.confirm", w.listing("sku", f.skus, empty="unknown"))
        remedy = removal(f, v, w, list(f.skus), intro=[confirm], remove_block="steps.remove.entra")
        return resting_on(remedy, {"user_type": "Guest"})  # an account made a member since keeps its licenses


class SharedMailboxLicensed(UserHygieneRule):
    """A shared, room or equipment mailbox (mailboxSettings.userPurpose) holds licenses. Such a
    mailbox needs one only when it holds more than 50 GB, has an archive or is on a litigation or
    retention hold; the finding asks to check those before the license goes.

    Needs MailboxSettings.Read. The purpose is read for the accounts the disabled and inactive
    rules could flag (licensed and disabled, or without a recent successful sign-in), so a
    shared mailbox that someone signs in to directly is not judged.

    Example:
        hygiene:
          shared_mailboxes: {severity: low}
    """

    texts = (
        Text("rule.shared-mailbox-licensed.title", "Shared mailbox holds licenses"),
        Text("rule.shared-mailbox-licensed.describe", "A shared, room or equipment mailbox takes up a paid "
             "license. Such a mailbox works without one unless it stores more than 50 GB, has an archive or is "
             "under a litigation or retention hold."),
        Text("rule.shared-mailbox-licensed.message", "{user} is a shared mailbox but holds {sku}; it needs a "
             "license only above 50 GB, with an archive or on hold.",
             "{user} is a shared mailbox but holds {sku}; it needs a license only above 50 GB, with an archive or "
             "on hold."),
        Text("rule.shared-mailbox-licensed.message.room", "{user} is a room mailbox but holds {sku}; it needs a "
             "license only above 50 GB, with an archive or on hold.",
             "{user} is a room mailbox but holds {sku}; it needs a license only above 50 GB, with an archive or "
             "on hold."),
        Text("rule.shared-mailbox-licensed.message.equipment", "{user} is an equipment mailbox but holds {sku}; "
             "it needs a license only above 50 GB, with an archive or on hold.",
             "{user} is an equipment mailbox but holds {sku}; it needs a license only above 50 GB, with an "
             "archive or on hold."),
        Text("rule.shared-mailbox-licensed.message.keeps_size", "{user} is a shared, room or equipment mailbox "
             "that stores {size}, more than the 50 GB such a mailbox may hold without a license: it keeps {sku}.",
             "{user} is a shared, room or equipment mailbox that stores {size}, more than the 50 GB such a mailbox "
             "may hold without a license: it keeps {sku}."),
        Text("rule.shared-mailbox-licensed.message.keeps_archive", "{user} is a shared, room or equipment mailbox "
             "with an archive, which needs a license: it keeps {sku}.",
             "{user} is a shared, room or equipment mailbox with an archive, which needs a license: it keeps {sku}."),
        Text("summary.shared_keeps", "Nothing to remove: the mailbox usage report shows that this mailbox needs its "
             "license."),
        Text("steps.shared.keeps", "Keep the license of {user}. Look again only if the mailbox shrinks below 50 GB "
             "and its archive is turned off; then the auditor proposes the removal."),
        Text("next.shared_keeps", "Nothing else to do: each audit reads the mailbox usage report again."),
        Text("summary.shared_mailbox", "A shared, room or equipment mailbox needs no license unless it stores "
             "more than 50 GB, has an archive or is on hold: check these first."),
        Steps("steps.shared.check",
              "In the Exchange admin center, go to Recipients > Mailboxes and select {user}.",
              "Look at how much the mailbox stores and whether its archive is turned on: above 50 GB, or with an "
              "archive, it keeps its license.",
              "In the Exchange admin center, check whether litigation hold is turned on for the mailbox of {user} "
              "(a setting of the mailbox); then, in the Microsoft Purview portal, check whether an eDiscovery "
              "hold or a retention policy covers it: a mailbox on hold keeps its license.",
              "Only if none of this applies, remove the license as described below; the mailbox keeps working "
              "without it."),
    )

    graph_calls = False

    id = "shared-mailbox-licensed"
    default_severity = Severity.LOW
    fires_when = (
        "a shared, room or equipment mailbox (`mailboxSettings.userPurpose`) holds licenses; it needs one only above "
        "50 GB, with an archive or on a litigation/retention hold, which the fix says to check first (so it offers no "
        "ready-to-run Graph call: the admin removes the license after the checks). Judges the "
        "accounts whose purpose is read (disabled or inactive ones); needs MailboxSettings.Read"
    )
    details_doc = (
        "`mailbox_purpose`: `shared`, `room` or `equipment` (Graph's `mailboxSettings.userPurpose`, lower case); "
        "`storage_used_bytes` and `has_archive` when the snapshot holds the mailbox usage report (a policy with "
        "`shared_mailboxes` reads it); `keeps_license`: `over_50_gb` or `archive` when the report shows the mailbox "
        "needs its license: the finding says so, proposes no removal and has no `monthly_cost`"
    )
    example_finding = (USER, ["SPE_E3", "SPE_E5"], {
        "mailbox_purpose": "shared", "assigned_by_group": {"SPE_E3": ["All Office Staff", "Mailbox Owners"],
                                                          "SPE_E5": []},
        "group_kinds": {}, "assigned_by_group_ids": {"SPE_E3": ["g-1", "g-2"]},
        "sku_ids": {"SPE_E3": E3, "SPE_E5": E5}})
    message_variants = ("", ".room", ".equipment", ".keeps_size", ".keeps_archive")
    key = "shared_mailboxes"
    fragment = check_schema(False)
    # A shared, room or equipment mailbox keeps its mail without a license (up to 50 GB, no archive,
    # no hold: what the fix says to check first), so its removal is not a data loss to flag.
    removes = False
    needs = frozenset({"users", MAILBOX_SETTINGS})
    reads = frozenset({"mailboxSettings"})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        purpose = user.mailbox_purpose
        return {"mailbox_purpose": purpose.lower()} if purpose and _resource(purpose) else None

    def own_facts(self, user: User, ctx: Context) -> dict[str, Any]:
        return mailbox_size(user, ctx)  # the mailbox usage report's row is each mailbox's own

    def saves(self, details: dict[str, Any]) -> bool:
        return "keeps_license" not in details  # a mailbox that needs its license frees nothing

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return f"{details['mailbox_purpose']} mailbox holds licenses"

    def message(self, f: Facts, w: ValueFormatter) -> Message:
        keeps = f.text("keeps_license")
        if keeps == "over_50_gb":
            return self.message_key(".keeps_size"), base_values(f, w) | {"size": w.size(f.details.get(
                "storage_used_bytes"))}
        if keeps == "archive":
            return self.message_key(".keeps_archive"), base_values(f, w)
        purpose = (f.text("mailbox_purpose") or "").lower()
        return self.message_key(f".{purpose}" if f".{purpose}" in self.message_variants[1:3] else ""), base_values(
            f, w)

    def remediation(self, f: Facts, v: Variant, w: ValueFormatter) -> Remediation:
        """A shared, room or equipment mailbox works without a license unless it is large, archived or
        on hold: the checks come first, then the usual removal (per product, per group). No
        ready-to-run Graph call: one would skip the checks, and could take away the archive add-on
        (or the license a hold needs) the mailbox depends on; the admin removes after checking.
        A mailbox the usage report shows over 50 GB or archived keeps its license: no removal."""
        if f.text("keeps_license"):
            return Remediation(TextRef("summary.shared_keeps"), [TextRef("steps.shared.keeps", {"user": f.label()})],
                        "role.assign", [TextRef("next.shared_keeps")], ["shared_mailbox"])
        return removal(f, v, w, list(f.skus), intro=[TextRef("steps.shared.check")],
                       lead=TextRef("summary.shared_mailbox"), more_links=["shared_mailbox"], calls=False)


def _resource(purpose: str | None) -> bool:
    return purpose is not None and purpose.lower() in RESOURCE_PURPOSES


SHARED_MAILBOX_LIMIT = 50 * 1024**3  # bytes a shared mailbox may hold without a license (50 GB)


def mailbox_usage(user: User, ctx: Context) -> dict[str, Any]:
    """{"mailbox_bytes", "mailbox_archive"} from the mailbox usage report when it lists the account
    (exchange-steps.ps1 converts no mailbox over 50 GB or with an archive), else {}."""
    size = mailbox_size(user, ctx)
    if not size:
        return {}
    return {"mailbox_bytes": size["storage_used_bytes"], "mailbox_archive": size["has_archive"]}


def mailbox_size(user: User, ctx: Context) -> dict[str, Any]:
    """What the mailbox usage report (getMailboxUsageDetail) says of the account's mailbox:
    {"storage_used_bytes", "has_archive"}, plus "keeps_license" ("over_50_gb" or "archive") when the
    mailbox needs a license; {} when the snapshot has no such report or it does not list the account."""
    usage = ctx.index.snapshot.usage_reports
    if usage is None or usage.read(MAILBOXES.name) is None:
        return {}
    row = usage.by_upn.get(user.user_principal_name.lower())
    if row is None or MAILBOXES.name not in row.reports:
        return {}
    out: dict[str, Any] = {"storage_used_bytes": row.storageUsedInBytes, "has_archive": bool(row.hasArchive)}
    if (row.storageUsedInBytes or 0) > SHARED_MAILBOX_LIMIT:
        out["keeps_license"] = "over_50_gb"
    elif row.hasArchive:
        out["keeps_license"] = "archive"
    return out


RULES: tuple[HygieneRule, ...] = (
    DisabledUserLicensed(),
    InactiveUserLicensed(),
    GuestLicensed(),
    SharedMailboxLicensed(),
)
