"""exchange-steps.ps1: the Exchange Online PowerShell a person runs to convert leavers' mailboxes
to shared mailboxes before their licenses go (docs/plan-and-apply.md#exchange-steps).

Graph cannot convert a mailbox; Exchange Online PowerShell can (`Set-Mailbox -Type Shared`). A
shared mailbox needs no license while it is at most 50 GB, has no archive and no hold
(https://learn.microsoft.com/microsoft-365/admin/email/remove-license-from-shared-mailbox), so for
a leaver whose mailbox nothing else keeps, converting it is how the mailbox survives the license
going. A mailbox gets a step, for a finding on a user with a UPN, when:

    waits      a leaver's (`disabled-user-licensed`) removal waits because it would end the mailbox
               (`data_lost`, wholly or in part), and no data_kept declaration in force covers the
               mailbox (retention, litigation_hold and not_needed do): converting keeps it. An
               account that is only inactive may be someone's still: it is not converted unasked;
    declared   a `disabled-user-licensed` or `inactive-user-licensed` finding waits as
               `convert_first`: its policy declares `data_kept: {mailbox: converted_to_shared}`,
               and the mailbox is not shared yet, so the conversion runs first.

Each step shows the holds and the archive, and converts only a user mailbox without either (with
one, a shared mailbox keeps needing a license: a person decides). Nothing else is changed. The next
audit reads the mailbox's purpose (mailboxSettings/userPurpose) as `shared`: the account is then
no leaver but a shared mailbox, whose license goes when the storage evidence allows it.

Tenant data is untrusted: a UPN goes into single-quoted PowerShell strings with every kind of
single quote PowerShell knows doubled, and a UPN with a control or format character (a line break
could end a comment and start a command) gets no command at all, only a comment that says why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from auditor.data.finding_facts import ExchangeMailbox
from auditor.formats.plan_records import DECLARED, WAITS, Change, MailboxStep, Skipped
from auditor.formats.report_model import ReportFinding
from auditor.plan.actions import PlanFinding
from auditor.plan.declared import CONVERT_FIRST, covered, data_kept, ended, removes_only
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed

EXCHANGE_FILE = "exchange-steps.ps1"
LEAVERS = DisabledUserLicensed.id  # WAITS: only a leaver's mailbox is converted unasked
RULES = (LEAVERS, InactiveUserLicensed.id)  # DECLARED: the rules whose data_kept may say converted_to_shared
# PowerShell reads each of these as a single quote, in a single-quoted string too (two in a row: one)
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
TEXT_LIMIT = 200


def mailbox_steps(
    findings: Iterable[PlanFinding], skipped: Sequence[Skipped], changes: Sequence[Change]
) -> tuple[MailboxStep, ...]:
    """The mailboxes to convert, one step per user (the first finding that asks for it), in the
    order of the findings."""
    waiting = {s.finding for s in skipped if s.reason == "data_lost"}
    convert = {s.finding for s in skipped if s.reason == CONVERT_FIRST}
    steps: dict[str, MailboxStep] = {}
    for f in findings:
        if f.rule not in RULES:
            continue
        upn = _upn(f.source)
        if not upn or upn.lower() in steps:
            continue
        if f.id in convert:
            steps[upn.lower()] = _step(f, upn, DECLARED)
        elif f.rule == LEAVERS and f.id in waiting and _mailbox_waits(f):
            steps[upn.lower()] = _step(f, upn, WAITS)
    return tuple(steps.values())


def _step(f: PlanFinding, upn: str, why: str) -> MailboxStep:
    """The step, with what the audit knows of the mailbox: the user's object id, and from the
    Exchange export (details.exchange) and the mailbox usage report (details.mailbox_bytes,
    mailbox_archive) whether it is synced, its size and its archive."""
    oid = f.source.subject.id if f.source is not None else None
    exchange = f.facts.exchange
    mailbox = exchange if exchange is not None and exchange.listed else ExchangeMailbox()
    return MailboxStep(
        upn,
        f.subject,
        f.id,
        f.rule,
        why,
        object_id=oid or "",
        synced=mailbox.dir_synced,
        exchange_guid=mailbox.exchange_guid,
        size_bytes=f.facts.mailbox_bytes,
        archive=mailbox.has_archive or f.facts.mailbox_archive,
    )


def _mailbox_waits(f: PlanFinding) -> bool:
    """The finding's waiting removals end the mailbox, and no declaration in force keeps it."""
    kept = data_kept(f.facts)
    if kept is not None and "mailbox" in covered(kept) and kept.mailbox != "converted_to_shared":
        return False
    for action in f.actions:
        if action.runs or action.blocked != "data_lost" or not removes_only(action):
            continue
        kinds = ended(action, f.facts)
        if kinds is not None and "mailbox" in kinds:
            return True
    return False


def _upn(source: ReportFinding | None) -> str:
    upn = source.subject.upn if source is not None else None
    return upn or ""


# --- the script -----------------------------------------------------------------------------------

# The characters Microsoft Entra ID allows in a user principal name (A-Z a-z 0-9 ' . - _ ! # ^ ~,
# and the @: docs/plan-and-apply.md#exchange-steps). A UPN with any other character is not one Entra
# wrote: no command names it, only a comment.
_UPN = re.compile(r"^[A-Za-z0-9'.\-_!#^~]+@[A-Za-z0-9.\-]+$")
SHARED_LIMIT = 50 * 1024**3  # a shared mailbox over 50 GB needs a license (remove-license-from-shared-mailbox)
BOM = "\ufeff"  # Windows PowerShell 5.1 reads a script without one in the ANSI code page


def allowed_upn(text: str) -> bool:
    """Whether `text` is a UPN of the characters Entra ID allows (and so safe in a command)."""
    return bool(_UPN.match(text)) and len(text) <= 113


def quoted(text: str) -> str:
    """`text` as a PowerShell single-quoted string (no expansion inside; each quote doubled)."""
    return "'" + "".join(ch * 2 if ch in SINGLE_QUOTES else ch for ch in text) + "'"


def comment(text: str, limit: int = TEXT_LIMIT) -> str:
    """Tenant text fit for a `#` comment: every control, format or separator character shown as
    its code, so nothing can end the comment's line."""
    out = "".join(
        f"<U+{ord(ch):04X}>" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text[:limit]
    )
    return out + ("…" if len(text) > limit else "")


def _why(step: MailboxStep) -> list[str]:
    if step.why == DECLARED:
        return [
            "#   The policy declares this mailbox converted to a shared mailbox (data_kept: converted_to_shared);",
            "#   its license removal waits until it is: convert it, then audit and plan again.",
        ]
    return [
        "#   Its license removal waits: it would end the mailbox, and no data_kept declaration keeps it.",
        "#   A shared mailbox keeps the mail without a license; audit and plan again after converting.",
    ]


def _note(step: MailboxStep) -> list[str]:
    """Why a step gets no command, as comment lines; [] when it gets one."""
    if not allowed_upn(step.upn):
        return [
            "#   Not converted here: the user principal name holds a character Microsoft Entra ID does not",
            "#   allow in one (a control character, a space, an accented letter ...). Check the account in",
            "#   the Microsoft Entra admin center.",
        ]
    if step.size_bytes is not None and step.size_bytes > SHARED_LIMIT:
        return [
            f"#   Not converted: the mailbox holds {step.size_bytes / 1024**3:.1f} GB (mailbox usage report), "
            "more than the",
            "#   50 GB a shared mailbox may hold without a license. A person decides.",
        ]
    if step.archive:
        return [
            "#   Not converted: the mailbox has an archive (mailbox usage report or Exchange export); a shared",
            "#   mailbox with an archive still needs a license. A person decides.",
        ]
    if not step.object_id or (step.synced and not step.exchange_guid):
        return [
            "#   Not converted here: the report does not name the user's object id (or the synced mailbox's",
            "#   ExchangeGuid), so the step could not check that the mailbox is this user's.",
        ]
    return []


def _cloud_step(i: int, step: MailboxStep) -> list[str]:
    upn, oid = quoted(step.upn), quoted(step.object_id.lower())
    return [
        "try {",
        f"    $mailbox = Get-Mailbox -Identity {upn} -ErrorAction Stop",
        f"    if ($mailbox.ExternalDirectoryObjectId -ne {oid}) {{",
        f"        Write-Warning 'Step {i}: the mailbox is not the audited user''s (ExternalDirectoryObjectId differs): "
        "skipped'",
        "    } elseif ($mailbox.RecipientTypeDetails -ne 'UserMailbox') {",
        f"        Write-Warning ('Step {i}: not a user mailbox (' + $mailbox.RecipientTypeDetails + '): skipped')",
        "    } elseif ($mailbox.LitigationHoldEnabled -or @($mailbox.InPlaceHolds).Count -gt 0 -or "
        "$mailbox.ArchiveStatus -eq 'Active') {",
        f"        Write-Warning 'Step {i}: a hold or an archive: a shared mailbox would still need a license; skipped'",
        "    } else {",
        "        Set-Mailbox -Identity $mailbox.Guid.ToString() -Type Shared -ErrorAction Stop",
        "    }",
        "} catch {",
        f"    Write-Warning ('Step {i}: ' + $_.Exception.Message + ': skipped')",
        "}",
    ]


def _premises_step(i: int, step: MailboxStep) -> list[str]:
    upn = quoted(step.upn)
    return [
        "try {",
        f"    $remote = Get-RemoteMailbox -Identity {upn} -ErrorAction Stop",
        f"    if ($remote.ExchangeGuid.ToString() -ne {quoted(step.exchange_guid.lower())}) {{",
        f"        Write-Warning 'Step {i}: the remote mailbox is not the audited user''s (ExchangeGuid differs): "
        "skipped'",
        "    } else {",
        f"        Set-RemoteMailbox -Identity {upn} -Type Shared -ErrorAction Stop",
        "    }",
        "} catch {",
        f"    Write-Warning ('Step {i}: ' + $_.Exception.Message + ': skipped')",
        "}",
    ]


# Set-RemoteMailbox -Type Shared exists from Exchange 2013 CU21 (15.0.1395) and Exchange 2016 CU10
# (15.1.1531), with /PrepareAD of that CU, and in Exchange 2019 (15.2): the reference of
# Set-RemoteMailbox (https://learn.microsoft.com/powershell/module/exchange/set-remotemailbox)
PREMISES_BUILD_CHECK = [
    "$version = (Get-ExchangeServer -Identity $env:COMPUTERNAME -ErrorAction Stop).AdminDisplayVersion",
    "if ($version.Major -lt 15 -or ($version.Major -eq 15 -and (($version.Minor -eq 0 -and $version.Build -lt 1395) "
    "-or ($version.Minor -eq 1 -and $version.Build -lt 1531)))) {",
    "    throw ('Set-RemoteMailbox -Type Shared needs Exchange 2013 CU21, Exchange 2016 CU10 or Exchange 2019 (2013 "
    "and 2016 also need setup /PrepareAD of that CU); this server runs ' + $version + '. Nothing was changed.')",
    "}",
]


def script(steps: Sequence[MailboxStep], *, tenant: str, created_at: str) -> str:
    """exchange-steps.ps1 for `steps` (see the module docstring), with a byte-order mark.

    A mailbox synced from Active Directory is converted on both sides, on premises first: Microsoft's
    "Shared mailbox in Exchange Online is unexpectedly disconnected"
    (https://learn.microsoft.com/exchange/troubleshoot/user-and-shared-mailboxes/shared-mailboxes-unexpectedly-converted-to-user-mailboxes)
    gives the order, Set-RemoteMailbox -Type Shared in the on-premises Exchange Management Shell, then
    Set-Mailbox -Type Shared in Exchange Online, and only then the license goes; one side alone is
    undone by directory synchronization and the unlicensed mailbox is disconnected. The script then
    has two parts, -Part OnPremises run first and -Part ExchangeOnline after it; the license removal
    waits for the next audit, which sees the mailbox shared in Exchange Online."""
    synced = [(i, step) for i, step in enumerate(steps, 1) if step.synced and not _note(step)]
    lines = [
        "# exchange-steps.ps1: mailboxes to convert to shared mailboxes before their licenses go",
        f"# Written by license-auditor plan on {comment(created_at, 40)} for {comment(tenant)}.",
        "# Review it, then run it in PowerShell with the ExchangeOnlineManagement module, signed in as an",
        "# Exchange administrator. Each step first checks that Exchange's mailbox is the audited user's",
        "# (ExternalDirectoryObjectId), then converts only a user mailbox without a hold or an archive,",
        "# and skips with a warning otherwise or on any error. A mailbox the audit saw over 50 GB or with",
        "# an archive gets no command, only a note: as a shared mailbox it would still need a license, so",
        "# a person decides. Nothing else is changed. The next audit sees each converted mailbox as shared",
        "# (mailboxSettings/userPurpose).",
    ]
    if synced:
        lines += [
            "#",
            "# Some mailboxes belong to users synced from Active Directory: they are converted on both sides,",
            "# on premises FIRST. Run this file twice, in this order:",
            "#   1. .\\exchange-steps.ps1 -Part OnPremises      in the Exchange Management Shell of an",
            "#      on-premises Exchange server (Set-RemoteMailbox -Type Shared);",
            "#   2. .\\exchange-steps.ps1 -Part ExchangeOnline  in Exchange Online PowerShell (Set-Mailbox).",
            "# Converting one side only is undone by directory synchronization: the mailbox would become a",
            "# user mailbox again without a license, be disconnected, and be lost after 30 days. Licenses",
            "# are removed only after both, once the next audit sees the mailbox shared. See Microsoft's",
            "# https://learn.microsoft.com/exchange/troubleshoot/user-and-shared-mailboxes/shared-mailboxes-"
            "unexpectedly-converted-to-user-mailboxes",
            "# and https://learn.microsoft.com/powershell/module/exchange/set-remotemailbox",
            "",
            "param([Parameter(Mandatory = $true)][ValidateSet('OnPremises', 'ExchangeOnline')][string]$Part)",
            "",
            "if ($Part -eq 'OnPremises') {",
            *(f"    {line}" for line in PREMISES_BUILD_CHECK),
        ]
        for i, step in synced:
            lines += [
                f"    # {i}. {comment(step.subject)} <{comment(step.upn)}>",
                *(f"    {line}" for line in _premises_step(i, step)),
            ]
        lines += ["    return", "}", ""]
    lines += ["Connect-ExchangeOnline", ""]
    for i, step in enumerate(steps, 1):
        head = [
            f"# {i}. {comment(step.subject)} <{comment(step.upn)}>",
            f"#   finding {comment(step.finding, 64)} ({comment(step.rule, 64)})",
            *_why(step),
        ]
        note = _note(step)
        if note:
            lines += [*head, *note, ""]
        elif step.synced:
            lines += [
                *head,
                "#   Synced from Active Directory: converted here only after -Part OnPremises has run.",
                *_cloud_step(i, step),
                "",
            ]
        else:
            lines += [*head, *_cloud_step(i, step), ""]
    return BOM + "\n".join(lines)
