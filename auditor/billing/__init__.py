"""The commercial half of a plan: what seats cost until a subscription is reduced, and when it can be.

    file.py     read_billing(path) -> BillingFile: the `--billing FILE` CSV (term, channel,
                renewal setting, seat additions, price per subscription); BillingFileError names
                file:line:column
    windows.py  opening() / commerce_action(): Microsoft's commerce windows as plain functions of
                (subscription, billing row or None, seats to drop, today)
    texts.py    reason_text(): each action's reason in the reader's language
    bill.py     the plan's `bill`: surplus per product, spread over its subscriptions

file.py and windows.py are a small stable API (the tenant migration plan uses them too); the
rules and their sources are in docs/bill.md.
"""

from auditor.billing.file import BillingFile, BillingRow, Channel, SeatAddition, Term, parse_billing, read_billing
from auditor.billing.windows import (
    Action,
    CommerceAction,
    Confidence,
    Opening,
    Owner,
    Reason,
    Window,
    commerce_action,
    is_partner,
    opening,
)

__all__ = [
    "Action",
    "BillingFile",
    "BillingRow",
    "Channel",
    "CommerceAction",
    "Confidence",
    "Opening",
    "Owner",
    "Reason",
    "SeatAddition",
    "Term",
    "Window",
    "commerce_action",
    "is_partner",
    "opening",
    "parse_billing",
    "read_billing",
]
