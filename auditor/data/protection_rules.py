"""Who the Defender for Office 365 policies reach: the rules of Safe Links, Safe Attachments, anti-phishing and
the Standard and Strict preset security policies, as Exchange Online PowerShell lists them (Get-SafeLinksRule,
Get-SafeAttachmentRule, Get-AntiPhishRule, Get-ATPProtectionPolicyRule), in the CSV the export command of
docs/exchange-export.md writes beside mailboxes.csv (protection-rules.csv).

    read_protection_rules(path) -> (ProtectionRule, ...)

Each rule's recipient conditions keep the cmdlets' property names: `SentTo`, `SentToMemberOf`,
`RecipientDomainIs` and their `ExceptIf...` exceptions. The command writes users and groups as their
ExternalDirectoryObjectId (the Entra object id, matched by id, never by name) and joins each list with `;`.
Microsoft's rule: different kinds of condition are ANDed (a recipient must meet every one given), different
kinds of exception are ORed (any one takes the recipient out); a rule without a condition reaches nobody
(Exchange refuses a rule without one). Only a rule whose `State` is `Enabled` reaches anyone. No Graph.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from auditor.common.errors import UsageError

# the users' properties a `RecipientDomainIs` condition is matched against: the user's mail addresses, not its
# user principal name (Microsoft: "recipients with email address in the specified domains")
MAIL_READS = ("mail", "proxyAddresses")
SMTP = "smtp:"  # proxyAddresses' prefix of an SMTP address: SMTP: for the primary one, smtp: for the others
FILE = "protection-rules.csv"  # beside the mailbox export (--exchange-export): one CSV per command
PROTECTION_RULES = "protectionRules"  # the snapshot's accessScope key, and the Gap's dataset
CMDLETS = ("Get-SafeLinksRule", "Get-SafeAttachmentRule", "Get-AntiPhishRule", "Get-ATPProtectionPolicyRule")
LISTS = (
    "SentTo",
    "SentToMemberOf",
    "RecipientDomainIs",
    "ExceptIfSentTo",
    "ExceptIfSentToMemberOf",
    "ExceptIfRecipientDomainIs",
)
COLUMNS = ("Cmdlet", "Name", "State", *LISTS)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_IDS = ("SentTo", "SentToMemberOf", "ExceptIfSentTo", "ExceptIfSentToMemberOf")


class ProtectionRuleJson(TypedDict):
    """A rule as the snapshot's accessScope keeps it: the cmdlets' property names, each list a list."""

    Cmdlet: str
    Name: str
    State: str
    SentTo: list[str]
    SentToMemberOf: list[str]
    RecipientDomainIs: list[str]
    ExceptIfSentTo: list[str]
    ExceptIfSentToMemberOf: list[str]
    ExceptIfRecipientDomainIs: list[str]


@dataclass(frozen=True)
class ProtectionRule:
    """One rule: which policy kind (its cmdlet), its name, its state and its recipient conditions (ids in lower
    case, domains in lower case)."""

    cmdlet: str
    name: str
    state: str
    sent_to: tuple[str, ...] = ()
    sent_to_member_of: tuple[str, ...] = ()
    recipient_domain_is: tuple[str, ...] = ()
    except_sent_to: tuple[str, ...] = ()
    except_sent_to_member_of: tuple[str, ...] = ()
    except_recipient_domain_is: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.state == "Enabled"

    def to_json(self) -> ProtectionRuleJson:
        return {
            "Cmdlet": self.cmdlet,
            "Name": self.name,
            "State": self.state,
            "SentTo": list(self.sent_to),
            "SentToMemberOf": list(self.sent_to_member_of),
            "RecipientDomainIs": list(self.recipient_domain_is),
            "ExceptIfSentTo": list(self.except_sent_to),
            "ExceptIfSentToMemberOf": list(self.except_sent_to_member_of),
            "ExceptIfRecipientDomainIs": list(self.except_recipient_domain_is),
        }

    @classmethod
    def of(cls, values: Mapping[str, object]) -> ProtectionRule:
        """From a CSV row or the snapshot's JSON (lists, or strings joined with `;`); ValueError when not what
        the documented command writes."""
        cmdlet, name, state = (str(values.get(k) or "").strip() for k in ("Cmdlet", "Name", "State"))
        if cmdlet not in CMDLETS:
            raise ValueError(f"Cmdlet {cmdlet[:40]!r} is not one of {', '.join(CMDLETS)}")
        if state not in ("Enabled", "Disabled"):
            raise ValueError(f"State {state[:20]!r} is not Enabled or Disabled")
        lists: dict[str, tuple[str, ...]] = {}
        for key in LISTS:
            raw = values.get(key) or ()
            items = raw.split(";") if isinstance(raw, str) else raw
            if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
                raise ValueError(f"{key}: expected a list of strings")
            found = tuple(i.strip().lower() for i in items if i.strip())
            bad = [i for i in found if key in _IDS and not _GUID.match(i)]
            if bad:
                raise ValueError(f"{key} {bad[0][:40]!r} is not an ExternalDirectoryObjectId")
            lists[key] = found
        return cls(
            cmdlet,
            name,
            state,
            *(lists[k] for k in LISTS),
        )


def mail_domains(mail: str | None, proxy_addresses: Iterable[str] | None) -> tuple[str, ...]:
    """The domains (lower case, sorted) of a user's mail addresses as Graph gives them: each SMTP address of
    `proxy_addresses` (the prefix `SMTP:` or `smtp:`, in any case; SIP:, X500: and the like are no mail address)
    and `mail`. Empty when it has none (no mailbox, or neither property read)."""
    found = {a[len(SMTP) :] for a in proxy_addresses or () if a[: len(SMTP)].lower() == SMTP}
    if mail:
        found.add(mail)
    return tuple(sorted({a.rpartition("@")[2].strip().lower() for a in found if "@" in a} - {""}))


def read_protection_rules(path: str | Path) -> tuple[ProtectionRule, ...]:
    """The rules in `path`; a missing column or a bad value stops the run with `file:line: ...` (exit 2):
    a half-read list would leave users out of a policy's reach."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{name}: cannot read the protection rules: {exc}") from None
    lines = [line for line in text.splitlines() if not line.startswith("#TYPE")]
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise UsageError(
            f"{name}:1: missing column(s) {', '.join(missing)}: export with the command docs/exchange-export.md gives"
        )
    rules: list[ProtectionRule] = []
    for row in reader:
        try:
            rules.append(ProtectionRule.of(row))
        except ValueError as exc:
            raise UsageError(f"{name}:{reader.line_num}: {exc}") from None
    return tuple(rules)
