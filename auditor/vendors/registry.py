"""Which vendor a name means: the tenants file's `distributor:` and `psa:` blocks, plan.json's `source`,
the `--psa` flag. One line per vendor; adding one is its folder (auditor/vendors/<name>/), its line here,
its docs section and its tests. Each vendor's package is light: its client (httpx) loads when a session is
opened, never when it is named.

    DISTRIBUTORS        name -> Distributor (auditor.vendors.protocols), in the order they are read
    PSAS                name -> PSA, likewise
    PARTNER_CENTER      Microsoft's commerce for a CSP partner (PartnerCenterApi)
    NAMES               a distributor's or a PSA's name as messages say it ("pax8" -> "Pax8")
"""

from __future__ import annotations

from collections.abc import Mapping

from auditor.vendors import autotask, connectwise, halo, partner_center, pax8, sherweb
from auditor.vendors.protocols import PSA, Distributor, PartnerCenterApi

DISTRIBUTORS: Mapping[str, Distributor] = {
    pax8.VENDOR.key: pax8.VENDOR,
    sherweb.VENDOR.key: sherweb.VENDOR,
}

PSAS: Mapping[str, PSA] = {
    connectwise.VENDOR.key: connectwise.VENDOR,
    autotask.VENDOR.key: autotask.VENDOR,
    halo.VENDOR.key: halo.VENDOR,
}

PARTNER_CENTER: PartnerCenterApi = partner_center.VENDOR

NAMES: Mapping[str, str] = {
    **{key: vendor.name for key, vendor in DISTRIBUTORS.items()},
    **{key: psa.name for key, psa in PSAS.items()},
}
