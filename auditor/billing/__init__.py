"""The commercial facts a plan stands on: the `--billing` file, and when a subscription can be reduced.

    file.py     read_billing(path) -> BillingFile: the `--billing FILE` CSV (term, channel,
                renewal setting, seat additions, price per subscription); BillingFileError names
                file:line:column
    windows.py  opening() / commerce_action(): Microsoft's commerce windows as plain functions of
                (subscription, billing row or None, seats to drop, today)

They are a small stable API (the plan's bill, auditor.plan.bill, and the tenant migration plan use
them); the rules and their sources are in docs/bill.md.
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
