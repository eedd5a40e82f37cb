"""The bill's command-line flags on `audit` and `plan` (light: `--help` loads no billing client).

--billing FILE, --billing-source auto|billing-account|partner-center|file|none, --billing-account ID,
--billing-endpoint URL, --partner-center-endpoint URL (docs/bill.md)
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from auditor.data.enums import Cloud
from auditor.data.reads import Requests
from auditor.graph.arguments import AuthMode

if TYPE_CHECKING:
    from auditor.billing.commerce_records import PartnerSession


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


@dataclass(frozen=True)
class BillingOptions:
    """What the billing flags ask for (auditor/billing_cli.py reads the sources with it), with the
    Graph sign-in the billing APIs share and, for a tenant of `audit --tenants`, the run's one
    Partner Center session (auditor.fleet.partner)."""

    source: BillingSource | None = None  # --billing-source (None: not given, auto)
    account: str | None = None  # --billing-account
    billing_endpoint: str | None = None  # --billing-endpoint
    partner_endpoint: str | None = None  # --partner-center-endpoint
    demo: bool = False  # --demo: the sample's billing account and partner, from the stand-ins
    auth: AuthMode = AuthMode.AUTO
    tenant_id: str | None = None
    cloud: Cloud | None = None
    # a tenant of `audit --tenants`: Partner Center only through the run's session (None: none)
    in_fleet: bool = False
    partner_session: PartnerSession | None = None

    @classmethod
    def of(cls, args: argparse.Namespace) -> BillingOptions:
        """The billing options of `args` (any command's: a flag it lacks keeps its default)."""
        source, cloud = getattr(args, "billing_source", None), getattr(args, "cloud", None)
        return cls(
            source=BillingSource(source) if source else None,
            account=getattr(args, "billing_account", None),
            billing_endpoint=getattr(args, "billing_endpoint", None),
            partner_endpoint=getattr(args, "partner_center_endpoint", None),
            demo=bool(getattr(args, "demo", False)),
            auth=AuthMode(getattr(args, "auth", None) or AuthMode.AUTO.value),
            tenant_id=getattr(args, "tenant_id", None),
            cloud=Cloud(cloud) if cloud else None,
            in_fleet="partner_session" in vars(args),
            partner_session=getattr(args, "partner_session", None),
        )


def with_bill_reads(options: BillingOptions, requests: Requests) -> Requests:
    """`requests` with what the bill reads of the tenant: the Copilot Credits balance (Graph beta,
    docs/bill.md), unless the run builds no bill (`--billing-source none`; a command without the
    flags, such as `init`, reads the tenant without this)."""
    wanted = (options.source or BillingSource.AUTO) != BillingSource.NONE
    return replace(requests, copilot_credits=True) if wanted else requests
