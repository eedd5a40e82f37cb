"""Which admin-center variant of the steps applies to each national cloud.

The "Move users to a different subscription" page documents three variants: worldwide,
Germany and 21Vianet; China is 21Vianet. Microsoft Cloud Deutschland closed in October 2021 and
its tenants moved to the worldwide service: the Germany variant is kept as the page documents it,
and its steps open by saying so (`steps.cloud.germany`).

The US Government clouds have admin portals of their own (GCC High: portal.office365.us, DoD:
portal.apps.mil) and buy through an agreement or a partner, not through the worldwide
self-service purchase pages. The page documents no US Government variant: their steps are the
worldwide admin center's, opened at their own portal, with a note that the path is not confirmed
for that cloud (`steps.cloud.usgov`), and every text that would send an admin to Billing >
Your products has a `.gov` variant that sends them to the agreement or partner instead.
"""

from __future__ import annotations

import enum

from auditor.data.model import Cloud


class Variant(enum.Enum):
    WORLDWIDE = "worldwide"
    GERMANY = "germany"
    VIANET = "21vianet"
    USGOV = "usgov"  # GCC High
    USGOV_DOD = "usgov-dod"

    @property
    def steps(self) -> str:
        """Suffix of the step blocks: Germany and 21Vianet share the older admin-center layout."""
        return "legacy" if self in (Variant.GERMANY, Variant.VIANET) else "worldwide"

    @property
    def gov(self) -> bool:
        """A US Government cloud: licenses are bought through an agreement or a partner."""
        return self in (Variant.USGOV, Variant.USGOV_DOD)


VARIANTS: dict[Cloud, Variant] = {
    Cloud.WORLDWIDE: Variant.WORLDWIDE,
    Cloud.USGOV: Variant.USGOV,
    Cloud.USGOV_DOD: Variant.USGOV_DOD,
    Cloud.GERMANY: Variant.GERMANY,
    Cloud.CHINA: Variant.VIANET,
}

ACTIVE_USERS_URL: dict[Variant, str] = {
    Variant.WORLDWIDE: "https://go.microsoft.com/fwlink/p/?linkid=834822",
    Variant.GERMANY: "https://go.microsoft.com/fwlink/p/?linkid=847686",
    Variant.VIANET: "https://go.microsoft.com/fwlink/p/?linkid=850628",
    # no documented Active users link: the cloud's own admin portal (its Users > Active users)
    Variant.USGOV: "https://portal.office365.us",
    Variant.USGOV_DOD: "https://portal.apps.mil",
}


# The view ("moniker") of each variant on documentation pages that document several clouds, such
# as "Move users to a different subscription": `?view=o365-worldwide` shows the worldwide steps.
VIEW: dict[Variant, str] = {
    Variant.WORLDWIDE: "o365-worldwide",
    Variant.GERMANY: "o365-germany",
    Variant.VIANET: "o365-21vianet",
    Variant.USGOV: "o365-worldwide",  # the pages have no US Government view
    Variant.USGOV_DOD: "o365-worldwide",
}


def variant(cloud: Cloud) -> Variant:
    return VARIANTS[cloud]
