"""Why an action is not ready to run: the codes of `Action.blocked` (report.json's
`remediation.actions[].blocked`, docs/report-format.md). The rules name some when they find a fix
that must wait (a group whose members no program may change, data that would not fit), the
guidance library the rest; both read them here, below both."""

from __future__ import annotations

PLACEHOLDER = "placeholder"  # an id the report lacks: the path or body holds a placeholder
CHOOSE_VALUE = "choose_value"  # a value only the admin can choose (a usage location)
DATA_LOST = "data_lost"  # the removal would end data the user holds (a mailbox, files)
PLANS_UNKNOWN = "plans_unknown"  # nobody lists the product's service plans: it may hold data
LOOKUP = "lookup"  # a GET for a person to read, not a change
TOGETHER_LOST = "together_lost"  # belongs with a step that is not ready
AFTER_GROUP = "after_group"  # may run only once a group's copy of the product is active
USAGE_UNKNOWN = "usage_unknown"  # use the usage reports cannot show (Teams Phone, Power BI, ...) is checked first
CAUSE_FIRST = "cause_first"  # a partly applied assignment: its conflict is fixed first, then it is reprocessed
# a group gives the product to remove and one to keep: leaving it would take both, so its licenses
# must change first (a decision for the whole group) and the other calls alone would not fix it
GROUP_KEEPS = "group_keeps"
# the policy's licensing group cannot be joined as it stands (no such group, several, one that does
# not assign the product, or one whose copy turns plans off): the step names the group and the policy line
LICENSING_GROUP = "licensing_group"
# a membership change to a group whose members no program may change (Graph refuses it, or the
# change would be undone): its membership rule decides (dynamic), on-premises Active Directory
# does (synced), Exchange Online does (a mail-enabled security group or distribution list), or the
# group's kind is not known
GROUP_DYNAMIC = "group_dynamic"
GROUP_SYNCED = "group_synced"
GROUP_MAIL = "group_mail"
GROUP_KIND_UNKNOWN = "group_kind_unknown"
GROUP_BLOCKS = {"dynamic": GROUP_DYNAMIC, "synced": GROUP_SYNCED, "mail": GROUP_MAIL, "unknown": GROUP_KIND_UNKNOWN}
# The user's data would not fit the smaller plan the change leaves (auditor/impact/storage_fit.py):
MAILBOX_TOO_LARGE = "mailbox_too_large"  # the mailbox holds more than the smaller plan gives
ONEDRIVE_TOO_LARGE = "onedrive_too_large"  # OneDrive holds more than the smaller plan gives
ARCHIVE = "archive"  # the mailbox has an archive, and the plan left gives none
STORAGE_UNKNOWN = "storage_unknown"  # a size the change rests on is not known (the usage reports' gap)
STORAGE_WAITS = (MAILBOX_TOO_LARGE, ONEDRIVE_TOO_LARGE, ARCHIVE, STORAGE_UNKNOWN)
# a move (auditor/rules/moves/subscription_move.py) waits: the target product has no free seat (the bill's
# `buy`), the user holds an assignment in MutuallyExclusiveViolation, or every member of the group moves
# (change the group's license)
SEATS_TO_BUY = "seats_to_buy"
CONFLICT = "conflict"
WHOLE_GROUP = "whole_group"
# only a field a person or an HR feed sets (a department) says what the account is: a person confirms it
KIND_UNCONFIRMED = "kind_unconfirmed"
# spare-seats-over-limit whose unused seats the plan's changes need: the plan's bill removes none (it may buy more)
SEATS_NEEDED = "seats_needed"
BLOCKED_REASONS = (
    PLACEHOLDER,
    CHOOSE_VALUE,
    DATA_LOST,
    PLANS_UNKNOWN,
    LOOKUP,
    TOGETHER_LOST,
    AFTER_GROUP,
    USAGE_UNKNOWN,
    GROUP_KEEPS,
    LICENSING_GROUP,
    GROUP_DYNAMIC,
    GROUP_SYNCED,
    GROUP_MAIL,
    GROUP_KIND_UNKNOWN,
    CAUSE_FIRST,
    *STORAGE_WAITS,
    SEATS_TO_BUY,
    CONFLICT,
    WHOLE_GROUP,
    KIND_UNCONFIRMED,
    SEATS_NEEDED,
)
