"""The guidance of the rules in auditor/rules/hygiene/accounts.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from typing import ClassVar, TypedDict, TypeVar

from ...data.finding import own_json
from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails, iso_date, number
from ...guidance.examples import E3, E5, USER
from ...guidance.library import (
    Message,
    RuleGuidance,
    ValueFormatter,
    base_values,
    keep_data,
    removal,
    removal_actions,
)
from ...guidance.remediation import Action, Remediation, TextRef, actions_resting_on, resting_on
from ...guidance.texts.declare import Steps, Text
from ...i18n import format_money
from ...reference import product_names
from . import accounts as rules
from .base import MailboxOwn


def mailbox_note(f: RuleDetails[MailboxOwn]) -> tuple[str, ...]:
    """A sentence added after the message of a disabled or inactive account whose mailbox purpose
    the auditor could not read: it may be a shared mailbox, which these rules would otherwise skip."""
    return ("message.shared_mailbox_unknown",) if f.own.shared_mailbox == "unknown" else ()


def mailbox_unknown(f: RuleDetails[MailboxOwn]) -> list[TextRef]:
    """The auditor could not read whether the account is a shared mailbox: say so, and what to check."""
    return [TextRef("steps.mailbox.unknown")] if f.own.shared_mailbox == "unknown" else []


class AccountFacts(TypedDict, total=False):
    """A fact about the account a finding's calls rest on, which apply re-reads and checks right before
    each call (a precondition: auditor.formats.plan_json)."""

    account_enabled: bool
    user_type: str  # Guest | Member
    no_sign_in_within_days: int  # no successful sign-in within so many days, counted back from the call
    person: bool  # the account is still one a person signs in to


# a person's rule's removal rests on the account being a person's still (apply re-reads its kind)
PERSON: AccountFacts = {"person": True}

# the details of a disabled or inactive account's finding
U = TypeVar("U", bound=rules.UnusedAccountDetails)


class _UnusedAccount(RuleGuidance[U]):
    """Disabled and inactive accounts: the fix confirms the account is no longer needed, keeps its
    data, then removes the licenses; both say when the account may be a shared mailbox."""

    confirm: ClassVar[str]  # the step that confirms the account is no longer needed

    def notes(self, f: RuleDetails[U]) -> tuple[str, ...]:
        return (*mailbox_note(f), *super().notes(f))

    def remediation(self, f: RuleDetails[U], v: Variant, w: ValueFormatter) -> Remediation:
        remedy = removal(f, v, w, list(f.skus), intro=[*mailbox_unknown(f), TextRef(self.confirm), *keep_data(f)])
        return resting_on(remedy, *self.rests_on(f))

    def default_actions(self, f: RuleDetails[U], v: Variant, w: ValueFormatter) -> list[Action]:
        return actions_resting_on(removal_actions(f, w, list(f.skus)), *self.rests_on(f))

    def rests_on(self, f: RuleDetails[U]) -> tuple[AccountFacts, ...]:
        """The facts about the account each call needs still true when it runs (apply checks them)."""
        return ()


class DisabledUserLicensed(_UnusedAccount[rules.DisabledUserLicensedDetails]):
    id = rules.DisabledUserLicensed.id
    confirm = "steps.disabled.confirm"
    texts = (
        Text("rule.disabled-user-licensed.title", "Disabled user holds licenses"),
        Text(
            "rule.disabled-user-licensed.describe",
            "The account is blocked from signing in but still takes up a paid license.",
        ),
        Text(
            "rule.disabled-user-licensed.message",
            "{user} is blocked from signing in but still holds {sku}.",
            counted=True,
        ),
        Text(
            "steps.disabled.confirm",
            "Confirm that {user} is meant to stay blocked, for example because the person has left.",
        ),
        Text(
            "message.disabled_before_audit_log",
            "The directory audit log, which reaches back {count} day, has no entry of the account being "
            "disabled: it was disabled at least {count} day ago.",
            "The directory audit log, which reaches back {count} days, has no entry of the account being "
            "disabled: it was disabled at least {count} days ago.",
        ),
    )
    example_finding = (USER, ["SPE_E5"], {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}})

    def note_values(self, f: RuleDetails[rules.DisabledUserLicensedDetails], w: ValueFormatter) -> dict[str, str]:
        """The note's {count}: how far the audit log reaches (the message agrees with its products)."""
        days = f.own.audit_span_days
        if f.own.disabled_from == "auditSpan" and days is not None:
            return {"count": str(days)}
        return {}

    def notes(self, f: RuleDetails[rules.DisabledUserLicensedDetails]) -> tuple[str, ...]:
        spanned = f.own.disabled_from == "auditSpan" and f.own.audit_span_days is not None
        return (*super().notes(f), *(("message.disabled_before_audit_log",) if spanned else ()))

    def rests_on(self, f: RuleDetails[rules.DisabledUserLicensedDetails]) -> tuple[AccountFacts, ...]:
        # a leaver re-enabled since the audit keeps everything; an account that is no person's (a Teams
        # resource account, a Teams Rooms account, an agent user) keeps its licenses
        return ({"account_enabled": False}, PERSON)


class InactiveUserLicensed(_UnusedAccount[rules.InactiveUserLicensedDetails]):
    id = rules.InactiveUserLicensed.id
    confirm = "steps.inactive.confirm"
    texts = (
        Text("rule.inactive-user-licensed.title", "Inactive user holds licenses"),
        Text(
            "rule.inactive-user-licensed.describe",
            "The account has not been used for a long time but still takes up a paid license.",
        ),
        Text(
            "rule.inactive-user-licensed.message",
            "{user} holds {sku} but has not signed in for at least {count} day (last sign-in: {last_sign_in}).",
            "{user} holds {sku} but has not signed in for at least {count} days (last sign-in: {last_sign_in}).",
        ),
        Text(
            "rule.inactive-user-licensed.message.never",
            "{user} holds {sku} but has never signed in (limit: {count} day).",
            "{user} holds {sku} but has never signed in (limit: {count} days).",
        ),
        Text(
            "rule.inactive-user-licensed.message.attempts",
            "{user} holds {sku} but has not signed in "
            "successfully for at least {count} day (last successful sign-in: {last_sign_in}); sign-in attempts "
            "went on until {last_attempt}, so check its sign-in logs.",
            "{user} holds {sku} but has not signed in successfully for at least {count} days (last successful "
            "sign-in: {last_sign_in}); sign-in attempts went on until {last_attempt}, so check its sign-in logs.",
        ),
        Text(
            "rule.inactive-user-licensed.message.never.attempts",
            "{user} holds {sku} but has never signed in "
            "successfully (limit: {count} day); sign-in attempts were made until {last_attempt}, so check its "
            "sign-in logs.",
            "{user} holds {sku} but has never signed in successfully (limit: {count} days); sign-in attempts "
            "were made until {last_attempt}, so check its sign-in logs.",
        ),
        Text(
            "steps.inactive.confirm",
            "Confirm with the manager of {user} that the account is no longer needed; "
            "if it is still needed, record a waiver instead.",
        ),
    )
    example_finding = (
        USER,
        ["SPE_E5"],
        {
            "days": 90,
            "last_sign_in": "2026-01-02T03:04:05Z",
            "assigned_by_group": {"SPE_E5": []},
            "sku_ids": {"SPE_E5": E5},
        },
    )

    def message(self, f: RuleDetails[rules.InactiveUserLicensedDetails], w: ValueFormatter) -> Message:
        days = number(f.own.days, w.word("unknown"))
        values = {**base_values(f, w), "days": days, "count": days}  # "at least {count} days"
        last = iso_date(f.own.last_sign_in)
        attempt = iso_date(f.own.last_attempt)  # failed attempts after the last success
        suffix = "" if attempt is None else ".attempts"
        if attempt is not None:
            values["last_attempt"] = attempt
        if last is None:
            return self.message_key(".never" + suffix), values
        return self.message_key(suffix), {**values, "last_sign_in": last}

    def rests_on(self, f: RuleDetails[rules.InactiveUserLicensedDetails]) -> tuple[AccountFacts, ...]:
        # still no successful sign-in within the window, counted back from when the call runs
        days = f.own.days
        return ({"no_sign_in_within_days": days}, PERSON) if days is not None and days > 0 else (PERSON,)


class GuestLicensed(RuleGuidance[rules.GuestLicensedDetails]):
    id = rules.GuestLicensed.id
    texts = (
        Text("rule.guest-licensed.title", "Guest holds licenses"),
        Text(
            "rule.guest-licensed.describe",
            "A guest from outside the organization holds a paid license of this tenant; guests rarely need one.",
        ),
        Text("rule.guest-licensed.message", "The guest {user} holds {sku}.", counted=True),
        Text(
            "steps.guest.confirm",
            "Most guest access does not need a license of your tenant: confirm whether {user} really needs {sku}.",
            counted=True,
        ),
    )
    example_finding = (USER, ["SPE_E5"], {"assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}})

    def remediation(self, f: RuleDetails[rules.GuestLicensedDetails], v: Variant, w: ValueFormatter) -> Remediation:
        confirm = TextRef("steps.guest.confirm", w.listing("sku", f.skus, empty="unknown"))
        remedy = removal(f, v, w, list(f.skus), intro=[confirm], remove_block="steps.remove.entra")
        return resting_on(remedy, {"user_type": "Guest"})  # an account made a member since keeps its licenses


class SharedMailboxLicensed(RuleGuidance[rules.SharedMailboxLicensedDetails]):
    id = rules.SharedMailboxLicensed.id
    texts = (
        Text("rule.shared-mailbox-licensed.title", "Shared mailbox holds licenses"),
        Text(
            "rule.shared-mailbox-licensed.describe",
            "A shared, room or equipment mailbox takes up a paid "
            "license. Such a mailbox works without one unless it stores more than 50 GB, has an archive or is "
            "under a litigation or retention hold.",
        ),
        Text(
            "rule.shared-mailbox-licensed.message",
            "{user} is a shared mailbox but holds {sku}; it needs a "
            "license only above 50 GB, with an archive or on hold.",
            counted=True,
        ),
        Text(
            "rule.shared-mailbox-licensed.message.room",
            "{user} is a room mailbox but holds {sku}; it needs a "
            "license only above 50 GB, with an archive or on hold.",
            counted=True,
        ),
        Text(
            "rule.shared-mailbox-licensed.message.equipment",
            "{user} is an equipment mailbox but holds {sku}; "
            "it needs a license only above 50 GB, with an archive or on hold.",
            counted=True,
        ),
        Text(
            "rule.shared-mailbox-licensed.message.keeps_size",
            "{user} is a shared, room or equipment mailbox "
            "that stores {size}, more than the 50 GB such a mailbox may hold without a license: it keeps "
            "{sku}.",
            counted=True,
        ),
        Text(
            "rule.shared-mailbox-licensed.message.keeps_archive",
            "{user} is a shared, room or equipment mailbox with an archive, which needs a license: it keeps {sku}.",
            counted=True,
        ),
        Text(
            "message.teams_rooms",
            "If a Teams Rooms device uses the room, it takes {basic} or {pro} instead.",
        ),
        Text(
            "summary.shared_keeps",
            "Nothing to remove: the mailbox usage report shows that the mailbox of {user} needs its license.",
        ),
        Text(
            "steps.shared.keeps",
            "Keep the license of this mailbox. Look again only if the mailbox shrinks below 50 GB "
            "and its archive is turned off; then the auditor proposes the removal.",
        ),
        Text("next.shared_keeps", "Nothing else to do: each audit reads the mailbox usage report again."),
        Text(
            "summary.shared_mailbox",
            "A shared, room or equipment mailbox needs no license unless it stores "
            "more than 50 GB, has an archive or is on hold: check these first.",
        ),
        Steps(
            "steps.shared.check",
            "In the Exchange admin center, go to Recipients > Mailboxes and select {user}.",
            "Look at how much the mailbox stores and whether its archive is turned on: above 50 GB, or with an "
            "archive, it keeps its license.",
            "In the Exchange admin center, check whether litigation hold is turned on for the mailbox of {user} "
            "(a setting of the mailbox); then, in the Microsoft Purview portal, check whether an eDiscovery "
            "hold or a retention policy covers it: a mailbox on hold keeps its license.",
            "Only if none of this applies, remove the license as described below; the mailbox keeps working "
            "without it.",
        ),
    )
    graph_calls = False
    example_finding = (
        USER,
        ["SPE_E3", "SPE_E5"],
        {
            "mailbox_purpose": "shared",
            "assigned_by_group": {"SPE_E3": ["All Office Staff", "Mailbox Owners"], "SPE_E5": []},
            "group_kinds": {},
            "assigned_by_group_ids": {"SPE_E3": ["g-1", "g-2"]},
            "sku_ids": {"SPE_E3": E3, "SPE_E5": E5},
        },
    )

    def notes(self, f: RuleDetails[rules.SharedMailboxLicensedDetails]) -> tuple[str, ...]:
        """A room's Teams Rooms licenses, named after the message (a mailbox that keeps its license: none)."""
        rooms = f.own.teams_rooms and not f.own.keeps_license
        return (*super().notes(f), *(("message.teams_rooms",) if rooms else ()))

    def note_values(self, f: RuleDetails[rules.SharedMailboxLicensedDetails], w: ValueFormatter) -> dict[str, str]:
        """{basic} and {pro}: each Teams Rooms product by name, with its price a month where the policy has one."""
        out: dict[str, str] = {}
        rooms = sorted(f.own.teams_rooms.items())
        for key, (part, price) in zip(("basic", "pro"), rooms, strict=False):
            named = w.product(part)
            if named == part:  # a product the tenant does not hold yet: Microsoft's name for it
                named = product_names().product(None, part) or part
            if price is not None:
                named = f"{named} ({format_money(price['monthly'], price['currency'], w.locale)})"
            out[key] = named
        return out

    def message(self, f: RuleDetails[rules.SharedMailboxLicensedDetails], w: ValueFormatter) -> Message:
        keeps = f.own.keeps_license
        if keeps == "over_50_gb":
            return self.message_key(".keeps_size"), base_values(f, w) | {"size": w.size(f.own.storage_used_bytes)}
        if keeps == "archive":
            return self.message_key(".keeps_archive"), base_values(f, w)
        purpose = f.own.mailbox_purpose.lower()
        return self.message_key(f".{purpose}" if purpose in ("room", "equipment") else ""), base_values(f, w)

    def remediation(
        self, f: RuleDetails[rules.SharedMailboxLicensedDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        """The checks, then the usual removal (per product, per group), with no Graph call: one would
        skip the checks and could take the archive add-on or a hold's license. A mailbox the usage
        report shows over 50 GB or archived keeps its license: no removal."""
        if f.own.keeps_license:
            return Remediation(
                TextRef("summary.shared_keeps"),
                [TextRef("steps.shared.keeps", {"user": f.label()})],
                "role.assign",
                [TextRef("next.shared_keeps")],
                ["shared_mailbox"],
            )
        return removal(
            f,
            v,
            w,
            list(f.skus),
            intro=[TextRef("steps.shared.check")],
            lead=TextRef("summary.shared_mailbox"),
            more_links=["shared_mailbox"],
            calls=False,
        )


class SharedMailboxUnlicensed(RuleGuidance[rules.SharedMailboxUnlicensedDetails]):
    id = rules.SharedMailboxUnlicensed.id
    texts = (
        Text("rule.shared-mailbox-unlicensed.title", "Shared mailbox needs a license"),
        Text(
            "rule.shared-mailbox-unlicensed.describe",
            "A shared mailbox that stores more than 50 GB needs an Exchange Online (Plan 2) license, and one "
            "with an archive Exchange Online (Plan 2) or Exchange Online (Plan 1) with the Exchange Online "
            "Archiving add-on; this one holds none.",
        ),
        Text(
            "rule.shared-mailbox-unlicensed.message",
            "{user} is a shared mailbox that stores {size}, more than the 50 GB such a mailbox may hold without "
            "a license, and holds none: it needs {target}.",
        ),
        Text(
            "rule.shared-mailbox-unlicensed.message.archive",
            "{user} is a shared mailbox with an archive and holds no license: it needs {target}.",
        ),
        Text("summary.shared_needs", "Assign {target} to {user}, or bring the mailbox under 50 GB without an archive."),
        Text(
            "steps.shared.needs",
            "In the Microsoft 365 admin center, assign {target} to {user} (Users > Active users > Licenses and apps).",
        ),
        Text(
            "rule.shared-mailbox-unlicensed.message.archive_addon",
            "{user} is a shared mailbox with an archive and holds no license: it needs {target} with the "
            "add-on {addon}.",
        ),
        Text(
            "summary.shared_needs_addon",
            "Assign {target} and the add-on {addon} to {user}, or bring the mailbox under 50 GB without an archive.",
        ),
        Text(
            "steps.shared.needs_addon",
            "In the Microsoft 365 admin center, assign {target} and the add-on {addon} to {user} (Users > Active "
            "users > Licenses and apps).",
        ),
    )
    graph_calls = False
    example_finding = (
        USER,
        ["EXCHANGEENTERPRISE"],
        dict(
            own_json(
                rules.SharedMailboxUnlicensedDetails(
                    mailbox_purpose="shared",
                    storage_used_bytes=64 * 1024**3,
                    has_archive=False,
                    needs="over_50_gb",
                    license_with=rules.LicenseWith(
                        sku="EXCHANGEENTERPRISE", name="Exchange Online (Plan 2)", monthly=7.2
                    ),
                    litigation_hold="not_judged",
                )
            )
        ),
    )

    def values(self, f: RuleDetails[rules.SharedMailboxUnlicensedDetails], w: ValueFormatter) -> dict[str, str]:
        return base_values(f, w) | _targets(f.own, w) | {"size": w.size(f.own.storage_used_bytes)}

    def message(self, f: RuleDetails[rules.SharedMailboxUnlicensedDetails], w: ValueFormatter) -> Message:
        archive = f.own.needs == "archive"
        suffix = (".archive_addon" if f.own.addon else ".archive") if archive else ""
        return self.message_key(suffix), self.values(f, w)

    def remediation(
        self, f: RuleDetails[rules.SharedMailboxUnlicensedDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        """Assign the product in the admin center (no Graph call: a person chooses the seat and the
        mailbox's usage location)."""
        values = self.values(f, w)
        pair = "_addon" if f.own.addon else ""  # Plan 1's product and Exchange Online Archiving
        return Remediation(
            TextRef(f"summary.shared_needs{pair}", values),
            [TextRef(f"steps.shared.needs{pair}", values)],
            "role.assign",
            [TextRef("next.rerun")],
            ["assign_licenses", "shared_mailbox"],
        )


def _targets(own: rules.SharedMailboxUnlicensedDetails, w: ValueFormatter) -> dict[str, str]:
    """{"target", "addon"}: the products the finding proposes as people read them (Microsoft's name, else
    the policy's); "Exchange Online (Plan 2)" when the policy prices none, "" when there is no add-on."""
    product, addon = own.license_with, own.addon
    return {
        "target": _named(product, w) if product else "Exchange Online (Plan 2)",
        "addon": _named(addon, w) if addon else "",
    }


def _named(product: rules.LicenseWith, w: ValueFormatter) -> str:
    named = w.product(product["sku"])
    return named if named != product["sku"] else product["name"]
