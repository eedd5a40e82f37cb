"""Which admin-center variant of the steps applies to each national cloud.

The "Move users to a different subscription" page documents three variants: worldwide,
Germany and 21Vianet. The US government clouds follow the worldwide steps (the page documents
no US Government variant); China is 21Vianet.
"""

from __future__ import annotations

import enum

from ..model import Cloud


class Variant(enum.Enum):
    WORLDWIDE = "worldwide"
    GERMANY = "germany"
    VIANET = "21vianet"

    @property
    def steps(self) -> str:
        """Suffix of the step blocks: Germany and 21Vianet share the older admin-center layout."""
        return "worldwide" if self is Variant.WORLDWIDE else "legacy"


VARIANTS: dict[Cloud, Variant] = {
    Cloud.WORLDWIDE: Variant.WORLDWIDE,
    Cloud.USGOV: Variant.WORLDWIDE,
    Cloud.USGOV_DOD: Variant.WORLDWIDE,
    Cloud.GERMANY: Variant.GERMANY,
    Cloud.CHINA: Variant.VIANET,
}

ACTIVE_USERS_URL: dict[Variant, str] = {
    Variant.WORLDWIDE: "https://go.microsoft.com/fwlink/p/?linkid=834822",
    Variant.GERMANY: "https://go.microsoft.com/fwlink/p/?linkid=847686",
    Variant.VIANET: "https://go.microsoft.com/fwlink/p/?linkid=850628",
}


# The view ("moniker") of each variant on documentation pages that document several clouds, such
# as "Move users to a different subscription": `?view=o365-worldwide` shows the worldwide steps.
VIEW: dict[Variant, str] = {
    Variant.WORLDWIDE: "o365-worldwide",
    Variant.GERMANY: "o365-germany",
    Variant.VIANET: "o365-21vianet",
}


def variant(cloud: Cloud) -> Variant:
    return VARIANTS[cloud]
