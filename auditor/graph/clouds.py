"""Microsoft Graph endpoints, Entra ID login authorities and Azure Resource Manager endpoints per
national cloud (ARM: the billing account's API, docs/bill.md)."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.common.errors import UsageError
from auditor.data.enums import Cloud


@dataclass(frozen=True)
class CloudEndpoints:
    graph: str  # Graph root, without the version
    authority: str  # Entra ID login host for azure-identity
    arm: str  # Azure Resource Manager (the billing API), also the audience of its tokens

    @property
    def graph_v1(self) -> str:
        return f"{self.graph}/v1.0"

    @property
    def scope(self) -> str:
        return f"{self.graph}/.default"


ENDPOINTS: dict[Cloud, CloudEndpoints] = {
    Cloud.WORLDWIDE: CloudEndpoints(
        "https://graph.microsoft.com", "login.microsoftonline.com", "https://management.azure.com"
    ),
    # GCC High (US Government L4) and DoD (L5) share the US Government login authority and Azure
    # Government's Resource Manager.
    Cloud.USGOV: CloudEndpoints(
        "https://graph.microsoft.us", "login.microsoftonline.us", "https://management.usgovcloudapi.net"
    ),
    Cloud.USGOV_DOD: CloudEndpoints(
        "https://dod-graph.microsoft.us", "login.microsoftonline.us", "https://management.usgovcloudapi.net"
    ),
    # Microsoft 365 operated by 21Vianet, Azure operated by 21Vianet
    Cloud.CHINA: CloudEndpoints(
        "https://microsoftgraph.chinacloudapi.cn", "login.chinacloudapi.cn", "https://management.chinacloudapi.cn"
    ),
}

CLI_CLOUDS = tuple(c.value for c in ENDPOINTS)


def beta_base(base_url: str) -> str | None:
    """Graph's /beta beside a /v1.0 endpoint (same host, same token); None for another endpoint."""
    return base_url[: -len("/v1.0")] + "/beta" if base_url.endswith("/v1.0") else None


def endpoints(cloud: Cloud) -> CloudEndpoints:
    try:
        return ENDPOINTS[cloud]
    except KeyError:
        raise UsageError(
            f"cloud {cloud.value!r} has no Microsoft Graph endpoint (Microsoft Cloud Deutschland closed in "
            f"October 2021); use one of: {', '.join(CLI_CLOUDS)}"
        ) from None
