"""What every rule under `hygiene:` shares: the check per policy key, and the loop over licensed users."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import ClassVar, Final, TypeVar, final

import msgspec

from auditor.common.json_value import JsonObject, JsonValue
from auditor.data.finding import Own
from auditor.data.model import NO_MAILBOX, PERSON_PURPOSES, RESOURCE_PURPOSES, Finding, Severity, User

from ...data import finding_facts
from ...data.reads import Requests
from ...policy.objects import DataKept, FilesKept, HygieneCheck, MailboxKept, Policy, Selector
from ...policy.selectors import SELECTOR_REF, parse_selector
from ...policy.yamlsource import PolicyNode
from ...snapshot import MAILBOX_SETTINGS, SIGN_IN_ACTIVITY
from ..base import SEVERITY_SCHEMA, Context, D, Rule

DATA_KEPT_SCHEMA: JsonObject = {
    "type": "object",
    "additionalProperties": False,
    "required": ["accepted_by", "expires"],
    "description": "The admin's declaration of what keeps these accounts' data once their licenses go, who "
    "accepted it and until when; a kind left out is not covered. Expired, it counts as absent.",
    "properties": {
        "mailbox": {
            "enum": [k.value for k in MailboxKept],
            "description": "What keeps the mailbox: a retention policy, a litigation hold, conversion to "
            "a shared mailbox, or nothing because nobody needs it.",
        },
        "files": {
            "enum": [k.value for k in FilesKept],
            "description": "What keeps the OneDrive files: a retention policy, or nothing because nobody needs them.",
        },
        "accepted_by": {
            "type": "string",
            "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
            "description": "an e-mail address (of the person who accepted the declaration)",
        },
        "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD"},
    },
}
GRACE_DAYS_SCHEMA: JsonObject = {
    "type": "integer",
    "minimum": 0,
    "maximum": 3650,
    "description": "Days after an account was disabled before its licenses may go (default 0).",
}
SIGN_IN_FULL_EVERY_SCHEMA: JsonObject = {
    "type": "integer",
    "minimum": 1,
    "maximum": 365,
    "description": "The nightly (audit --baseline previous): nights between full reads of every user's sign-in "
    "activity (default 7); between them only the users without a recent sign-in are read. "
    "audit --sign-in-full-every overrides it; of several policies, the fewest nights count.",
}


# the parameters every hygiene check may take (HygieneCheck's fields, as the policy spells them); any
# other key of an entry is a parameter of its rule's own (check_schema's `own`)
SHARED_PARAMETERS = frozenset({"severity", "days", "except", "data_kept", "grace_days", "sign_in_full_every"})


def check_schema(
    with_days: bool,
    days_doc: str = "",
    *,
    data_kept: bool = False,
    grace_days: bool = False,
    sign_in_full_every: bool = False,
    own: Mapping[str, JsonObject] | None = None,
    own_required: Sequence[str] = (),
) -> JsonObject:
    """A hygiene key's fragment: severity and except; `days` (required) with `with_days`; the
    admin's `data_kept` declaration, `grace_days` and `sign_in_full_every` for the rules that take them;
    and the rule's `own` parameters (name -> JSON-Schema fragment; those in `own_required` required),
    which the schema validates and the rule reads as `check.own[name]` (HygieneCheck.own): a rule with
    a parameter of its own declares it here, in its module, and needs no other family."""
    props: dict[str, JsonValue] = {"severity": SEVERITY_SCHEMA, "except": SELECTOR_REF}
    required: list[str] = []
    if with_days:
        props["days"] = {"type": "integer", "minimum": 1, "maximum": 3650, "description": days_doc}
        required = ["days"]
    if data_kept:
        props["data_kept"] = DATA_KEPT_SCHEMA
    if grace_days:
        props["grace_days"] = GRACE_DAYS_SCHEMA
    if sign_in_full_every:
        props["sign_in_full_every"] = SIGN_IN_FULL_EVERY_SCHEMA
    clash = sorted(set(own or {}) & SHARED_PARAMETERS)
    assert not clash, f"a rule's own parameters cannot be the shared ones: {clash}"
    assert set(own_required) <= set(own or {}), "own_required names parameters of `own`"
    props |= dict(own or {})
    required += own_required
    return {"type": "object", "additionalProperties": False, "properties": props, "required": required}


def parse_check(node: PolicyNode) -> HygieneCheck:
    """One hygiene key's value (the fragment check_schema describes)."""
    raw = node.data
    return HygieneCheck(
        severity=Severity.parse(raw["severity"]) if "severity" in raw else None,
        days=raw.get("days"),
        except_=parse_selector(raw["except"]) if "except" in raw else None,
        data_kept=parse_data_kept(node.at("data_kept")),
        grace_days=raw.get("grace_days"),
        sign_in_full_every=raw.get("sign_in_full_every"),
        own={key: value for key, value in raw.items() if key not in SHARED_PARAMETERS},
    )


def parse_data_kept(node: PolicyNode) -> DataKept | None:
    """A `data_kept` declaration (DATA_KEPT_SCHEMA); one that names no kind of data declares nothing."""
    raw = node.data
    if raw is None:
        return None
    kept = DataKept(
        accepted_by=raw["accepted_by"],
        expires=node.at("expires").date(),
        mailbox=MailboxKept(raw["mailbox"]) if "mailbox" in raw else None,
        files=FilesKept(raw["files"]) if "files" in raw else None,
        line=node.line,
    )
    if kept.mailbox is None and kept.files is None:
        node.report(f"{node.name}: names neither mailbox nor files; say what keeps which data")
    return kept


def parse_hygiene(node: PolicyNode) -> dict[str, HygieneCheck]:
    """The `hygiene:` section: a check per rule key, in the policy's order."""
    return {key: parse_check(node.at(key)) for key in node.data or {}}


class HygieneRule(Rule[D]):
    section = "hygiene"

    @final
    def check_of(self, policy: Policy) -> HygieneCheck | None:
        """The policy's check under this rule's key; None when it does not ask for the rule."""
        return policy.hygiene.get(self.key or "")

    def configured(self, policy: Policy) -> bool:
        return self.check_of(policy) is not None

    @final
    def window(self, check: HygieneCheck) -> int:
        """The check's `days`: for a rule that reads sign-ins, the days without a successful sign-in
        after which an account counts as inactive, the window its sign-ins and usage are judged over
        (the schema of such a rule requires `days`)."""
        assert check.days is not None, f"{self.key}.days is required"
        return check.days

    def requests(self, policy: Policy) -> Requests:
        """The rule's `reads`; for a rule that reads sign-ins, its window (the collector asks the
        mailbox purpose of the accounts dormant that long, and the usage reports over it); with
        `grace_days`, when each account was disabled."""
        check = self.check_of(policy)
        if check is None:
            return Requests()
        days = self.window(check) if SIGN_IN_ACTIVITY in self.reads.parts else None
        more = Requests(
            usage_days=days or 0,
            sign_in_days=days,
            disable_times=bool(check.grace_days),
            sign_in_full_every=check.sign_in_full_every,
        )
        return Requests.of(self.reads).merge(more)

    def selectors(self, policy: Policy) -> list[Selector]:
        check = self.check_of(policy)
        return [check.except_] if check is not None and check.except_ is not None else []

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        check = self.check_of(policy)
        if check is not None:
            yield from self.check(policy, check, ctx)

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError


# A user hygiene rule's details: its record extends DeclaredOwn
H = TypeVar("H", bound="DeclaredOwn")


class UserHygieneRule(HygieneRule[H]):
    """A check on each licensed user: `offends(user, check, ctx)` gives the finding's own details,
    or None. `reads.user` names the Graph user properties it reads; the index asks it once per
    profile when they are all properties users share (auditor.policy.index.SHARED_READS), else of each user."""

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> H | None:
        raise NotImplementedError

    def own_facts(self, user: User, ctx: Context, own: H) -> H:
        """`own` (`offends`' answer, a copy for this user) with facts of the offending user's own, under
        keys of their own (asked of each offender, whatever `reads` says)."""
        return own

    def describe(self, user: User, details: H) -> str:
        raise NotImplementedError

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        for user, extra in ctx.index.offenders(self.reads.user, lambda u: self.offends(u, check, ctx), check.except_):
            own = self.own_facts(user, ctx, _declared(extra, check, ctx))
            sku_ids = self.products(user, own, ctx)
            yield self.make(
                policy,
                f"hygiene/{self.key}",
                ctx.user_subject(user),
                ctx.index.parts(sku_ids),
                self.describe(user, own),
                own,
                severity=check.severity,
                monthly_cost=ctx.cost_of(sku_ids) if self.saves(own) else None,
                holding=ctx.user_details(user, sku_ids, None),
            )

    def saves(self, details: H) -> bool:
        """Whether this finding's fix frees its products' spend, which the finding's monthly_cost then
        counts: by default it does; a rule whose fix keeps every license says not, and a rule may
        judge each finding (a shared mailbox that needs its license frees nothing)."""
        return True

    removes = True  # the fix removes the finding's products (the engine adds the data it would end)

    def products(self, user: User, details: H, ctx: Context) -> frozenset[str]:
        """The products the finding is about (all the user holds, unless the rule narrows it)."""
        return user.sku_ids


def _declared(extra: H, check: HygieneCheck, ctx: Context) -> H:
    """`offends`' answer for one user (users of a profile share it: a copy) with what the check declares:
    the admin's `data_kept` and whether it has expired, and `grace_days` (the plan holds the removals back
    until the days have passed; the engine adds when the account was disabled)."""
    kept = check.data_kept.details(ctx.as_of) if check.data_kept is not None else None
    return msgspec.structs.replace(extra, data_kept=kept, grace_days=check.grace_days or 0)


class DeclaredOwn(Own, frozen=True, kw_only=True):
    """What the policy's check declares, on each finding of a user hygiene rule (beside how the user
    holds its products: Finding.holding): the base of every such rule's record."""

    optional: ClassVar[frozenset[str]] = frozenset({"data_kept", "grace_days"})
    # the admin's data_kept declaration, and whether it has expired (DataKept.details)
    data_kept: finding_facts.DataKept | None = None
    grace_days: int = 0


class MailboxOwn(DeclaredOwn, frozen=True, kw_only=True):
    """DeclaredOwn, and what is known of the account's mailbox (mailbox_extra)."""

    optional: ClassVar[frozenset[str]] = DeclaredOwn.optional | {"shared_mailbox"}
    shared_mailbox: str = ""  # UNKNOWN_MAILBOX: the account may be a shared mailbox (mailbox_extra)


# `shared_mailbox` of a finding on an account whose mailbox purpose is unknown
UNKNOWN_MAILBOX: Final = "unknown"


def mailbox_extra(user: User, ctx: Context) -> str | None:
    """For the rules a shared mailbox would set off, the finding's `shared_mailbox`: None for a
    shared, room or equipment mailbox (not a person's account: exempt), UNKNOWN_MAILBOX when the
    purpose was to be read but was not (the app may not read mailboxSettings, Graph's answer for
    this account was an error, or the account was no candidate when the tenant was read) or says
    nothing either way (`others`, `unknownFutureValue`), else "" (a person's mailbox: `user`,
    `linked`; or no mailbox). A snapshot that never asked (older, or policies without these rules)
    gives ""."""
    purpose = user.mailbox_purpose
    if purpose is not None:
        kind = purpose.lower()
        if kind in RESOURCE_PURPOSES:
            return None
        # no mailbox, or a person's; any other value (others, unknownFutureValue) may be a shared mailbox
        return "" if kind == NO_MAILBOX or kind in PERSON_PURPOSES else UNKNOWN_MAILBOX
    snapshot = ctx.index.snapshot
    if MAILBOX_SETTINGS in snapshot.collected_datasets or any(g.dataset == MAILBOX_SETTINGS for g in snapshot.gaps):
        return UNKNOWN_MAILBOX
    return ""


def unverified(details: MailboxOwn) -> str:
    return " (could not tell whether it is a shared mailbox)" if details.shared_mailbox == UNKNOWN_MAILBOX else ""
