"""The admin's declarations as a finding carries them, and what they make ready.

`data_kept` (docs/policy.md) on disabled_users, inactive_users and guest_users: a removal that is
not ready only because it would end data (`blocked: data_lost`) is ready when every kind of data
it would end is one the declaration covers, and the declaration is in force. What each kind of
declaration covers (the data-loss check names three kinds: mailbox, archive, files):

    mailbox: retention, litigation_hold     mailbox and archive (a hold or retention policy keeps
                                            the archive mailbox with the primary one)
    mailbox: not_needed                     mailbox and archive
    mailbox: converted_to_shared            nothing yet: the account is still a user mailbox (a
                                            shared one is left to shared-mailbox-licensed), so
                                            the removal that ends the mailbox waits as
                                            `convert_first` until the mailbox is converted
                                            (exchange-steps.ps1); the next audit sees it shared
                                            through mailboxSettings/userPurpose, and
                                            shared-mailbox-licensed plans the removal when the
                                            mailbox usage report allows it (under 50 GB, no archive)
    files: retention, not_needed            files (OneDrive)

An expired declaration counts as absent (`details.data_kept.expired`, set by the audit).
`mailbox: litigation_hold` is checked when the Exchange export was given (auditor.plan.holds):
declared but not on hold, the removal waits as `not_on_hold`. An
enabled account's mailbox is never ended on a declaration alone: for an inactive (enabled)
account, the removal is ready only when the usage reports show no Exchange and no OneDrive
activity within the policy's window (`details.mail_use`); else it waits as `mailbox_used` (with the
last day of use) or `use_not_shown`.

`grace_days` on disabled_users: a removal is not ready before that many days after the account
was disabled (`details.disabled_at`: the user's employeeLeaveDateTime, else the directory audit;
auditor.rules.base.Context.disable_time). The directory audit's span is evidence too: when no entry
of it disabled the account, it was disabled before the log's start (`disabled_from: auditSpan`,
`audit_span_days`), so grace_days up to that span are met; a longer grace_days cannot be told from
it. When the disable time is not known the finding waits, as
`disable_time_unknown` when the directory audit was read and shows no disable (it keeps 30 days),
as `disable_audit_not_read` when it was not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from auditor.data.audit_entries import parse_time
from auditor.data.finding_facts import DataKept as Declared
from auditor.formats.change_model import DataKept
from auditor.plan.actions import Action
from auditor.plan.holds import not_on_hold
from auditor.plan.leaver_facts import LeaverFacts

COVERS = {
    ("mailbox", "retention"): ("mailbox", "archive"),
    ("mailbox", "litigation_hold"): ("mailbox", "archive"),
    ("mailbox", "not_needed"): ("mailbox", "archive"),
    ("mailbox", "converted_to_shared"): ("mailbox",),
    ("files", "retention"): ("files",),
    ("files", "not_needed"): ("files",),
}

# Skipped reason of a finding whose declaration says the mailbox is converted to a shared one: not yet
CONVERT_FIRST = "convert_first"

# Skipped reasons of a finding held back by `grace_days`.
GRACE_PERIOD = "grace_period"  # the grace days after the account was disabled have not passed
DISABLE_TIME_UNKNOWN = "disable_time_unknown"  # grace_days is set, but no employeeLeaveDateTime or audit entry
# shows when the account was disabled
DISABLE_AUDIT_NOT_READ = "disable_audit_not_read"  # likewise, and the directory audit could not be read

# Skipped reasons of an enabled (inactive) account's removal that would end its mailbox or OneDrive:
MAILBOX_USED = "mailbox_used"  # the usage reports show Exchange or OneDrive activity in the window
USE_NOT_SHOWN = "use_not_shown"  # no usage report shows whether the mailbox and OneDrive were used


def data_kept(facts: LeaverFacts) -> Declared | None:
    """The finding's `data_kept` declaration when it is in force and well formed, else None."""
    kept = facts.data_kept
    if kept is None or kept.expired is not False:
        return None
    if kept.accepted_by is None or kept.expires is None or not covered(kept):
        return None
    return kept


def covered(kept: Declared) -> set[str]:
    """The kinds of data (mailbox, archive, files) a declaration covers."""
    said = (("mailbox", kept.mailbox), ("files", kept.files))
    return {kind for key, value in said if isinstance(value, str) for kind in COVERS.get((key, value), ())}


def ended(action: Action, facts: LeaverFacts) -> set[str] | None:
    """The kinds of data the action's removal may end: every kind its freed products hold
    (`details.data_kinds`), counted whole, as if nothing the user keeps held it too. None when
    that cannot be told (the report does not say what a freed product holds)."""
    kinds, lost = facts.data_kinds, facts.data_lost
    if kinds is None or not lost:  # no data_lost: the report does not say what the removal ends
        return None
    out: set[str] = set()
    for part, delta in action.seats.items():
        if delta >= 0:
            continue
        held = kinds.get(part)
        if held is None and part in lost:
            return None  # it ends data the report does not name by kind
        out.update(held or ())
    return out or None


def use_wait(facts: LeaverFacts) -> tuple[str, str] | None:
    """(reason, the last day of use) when an enabled account's data may not end on a declaration
    alone: the finding's `mail_use` (set by inactive-user-licensed; an enabled account) shows
    Exchange or OneDrive activity since the policy's window began (MAILBOX_USED), or no usage
    report shows either (USE_NOT_SHOWN). None for a finding without `mail_use` (a disabled
    account, a guest) and for an enabled account the reports show unused in the window."""
    use = facts.mail_use
    if use is None:
        return None
    since = use.get("since")
    if use.get("read") is not True or since is None:
        return USE_NOT_SHOWN, ""
    used = [d for d in (use.get("exchange"), use.get("onedrive")) if d is not None and d >= since]
    return (MAILBOX_USED, max(used)) if used else None


def allows(action: Action, facts: LeaverFacts) -> DataKept | None:
    """The declaration record (kinds, mailbox, files, accepted_by, expires) when the declaration
    makes this data_lost removal ready, else None. An enabled account's mailbox is never ended on
    a declaration alone: the usage reports must show it unused (use_wait)."""
    if action.ready or action.blocked != "data_lost" or not removes_only(action):
        return None
    if use_wait(facts) is not None or not_on_hold(facts):
        return None
    kept = data_kept(facts)
    kinds = ended(action, facts)
    if kept is None or kinds is None or not kinds <= covered(kept):
        return None
    if converts_first(action, facts):
        return None
    record: DataKept = {"kinds": sorted(kinds)}
    if isinstance(kept.mailbox, str):
        record["mailbox"] = kept.mailbox
    if isinstance(kept.files, str):
        record["files"] = kept.files
    record["accepted_by"], record["expires"] = kept.accepted_by or "", kept.expires or ""
    return record


def converts_first(action: Action, facts: LeaverFacts) -> bool:
    """The declaration says the mailbox is converted to a shared mailbox, and this removal would end
    the mailbox: the account is still a user mailbox (a leaver finding is never about a shared one),
    so the conversion has not happened yet and the removal waits for it."""
    kept = data_kept(facts)
    kinds = ended(action, facts)
    return kept is not None and kept.mailbox == "converted_to_shared" and kinds is not None and "mailbox" in kinds


def removes_only(action: Action) -> bool:
    """A group leave, or an assignLicense that only removes: it gives the user nothing."""
    if any(delta > 0 for delta in action.seats.values()):
        return False
    if action.kind == "remove_member":
        return True
    body = action.body
    return (
        action.kind == "assign_license"
        and isinstance(body, Mapping)
        and not body.get("addLicenses")
        and bool(body.get("removeLicenses"))
    )


def ends_no_data(action: Action, facts: LeaverFacts) -> bool:
    """A ready removal whose freed products hold no data, by the finding's own `data_kinds`."""
    kinds = facts.data_kinds
    if kinds is None:
        return False
    return all(not kinds.get(part) for part, delta in action.seats.items() if delta < 0)


def grace_wait(facts: LeaverFacts, as_of: str) -> tuple[str, str] | None:
    """(reason, "not before" date) when `grace_days` holds the finding's removals back, else None.

    The disable time is `details.disabled_at` (ISO 8601). The time is measured against the
    audit's own clock (`as_of`): the plan never reads a clock."""
    grace = facts.grace_days
    if grace <= 0:
        return None
    try:
        since, now = parse_time(facts.disabled_at or ""), parse_time(as_of)
    except ValueError:  # no disable time (or no audit time to measure from): it cannot be told
        unread = facts.disable_unknown == "audit_not_read"
        return (DISABLE_AUDIT_NOT_READ if unread else DISABLE_TIME_UNKNOWN), ""
    ready_at = since + timedelta(days=grace)
    if facts.disabled_from == "auditSpan":
        # only a bound, counted in whole days back from the moment the log was read, which is seconds
        # after the audit's own clock: judged by the day, so the verdict never rests on those seconds
        # (a fleet's tenants are read later than its clock, a tenant audited alone at once)
        return None if now.date() >= ready_at.date() else (DISABLE_TIME_UNKNOWN, "")
    if now < ready_at:
        return GRACE_PERIOD, ready_at.date().isoformat()
    return None
