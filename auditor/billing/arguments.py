"""The bill's command-line flags on `audit` and `plan` (light: `--help` loads no billing client).

--billing FILE, --billing-source auto|billing-account|partner-center|file|none, --billing-account ID,
--billing-endpoint URL, --partner-center-endpoint URL (docs/bill.md)
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from enum import StrEnum

from auditor.data.reads import Requests


class BillingSource(StrEnum):
    AUTO = "auto"
    BILLING_ACCOUNT = "billing-account"
    PARTNER_CENTER = "partner-center"
    FILE = "file"
    NONE = "none"


BILLING_HELP = (
    "a CSV of each subscription's channel, term, renewal setting, seat additions and price "
    "(docs/bill.md): what no billing API gives, and an override of what they give"
)


def add_billing_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("the bill's commerce facts (docs/bill.md)")
    group.add_argument("--billing", metavar="FILE", help=BILLING_HELP)
    group.add_argument(
        "--billing-source",
        choices=[s.value for s in BillingSource],
        default=None,
        help="where the commerce facts come from (default auto: every billing API the credential "
        "can read, then the file as the override)",
    )
    group.add_argument(
        "--billing-account",
        metavar="ID",
        help="the billing account to read (default: the only one the identity can read)",
    )
    group.add_argument(
        "--billing-endpoint",
        metavar="URL",
        help="Azure Resource Manager's URL for the billing account (default: the --cloud's: "
        "management.azure.com, management.usgovcloudapi.net, management.chinacloudapi.cn)",
    )
    group.add_argument(
        "--partner-center-endpoint",
        metavar="URL",
        help="Partner Center's REST API URL (default: https://api.partnercenter.microsoft.com)",
    )


def with_bill_reads(args: argparse.Namespace, requests: Requests) -> Requests:
    """`requests` with what the bill reads of the tenant: the Copilot Credits balance (Graph beta,
    docs/bill.md), unless the run builds no bill (`--billing-source none`; a command without the
    flags, such as `init`, has none either)."""
    wanted = hasattr(args, "billing_source") and (args.billing_source or BillingSource.AUTO) != BillingSource.NONE
    return replace(requests, copilot_credits=True) if wanted else requests
