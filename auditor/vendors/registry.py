"""Which vendor a name means: the tenants file's `distributor:` and `psa:` blocks, plan.json's `source`,
the `--psa` flag. One line per vendor; adding one is its folder (auditor/vendors/<name>/), its line here,
its docs section and its tests. Each vendor's package is light: its client (httpx) loads when a session is
opened, never when it is named.

    DISTRIBUTORS        name -> Distributor (auditor.vendors.protocols), in the order they are read
    DISTRIBUTOR_APIS    name -> its behaviour (DistributorApi): what a write opens its sessions with
    BODIES              each distributor's request body (auditor.formats.bill_model.Bodies): what a bill
                        change of plan.json or a journal is decoded with
    PSAS                name -> PSA, likewise
    PARTNER_CENTER      Microsoft's commerce for a CSP partner (PartnerCenterApi)
    RECORDS             name -> its read of a customer's record (auditor/vendors/<name>/mapping.py): what
                        binds a tenants entry's customer to the tenant (auditor.vendors.mappings); Pax8 has
                        none, its subscriptions name the tenant's Microsoft subscriptions (its `ties`)
    NAMES               a distributor's or a PSA's name as messages say it ("pax8" -> "Pax8")
"""

from __future__ import annotations

from collections.abc import Mapping

from auditor.formats.bill_model import Bodies
from auditor.vendors import autotask, connectwise, halo, partner_center, pax8, sherweb
from auditor.vendors.autotask import mapping as autotask_mapping
from auditor.vendors.connectwise import mapping as connectwise_mapping
from auditor.vendors.halo import mapping as halo_mapping
from auditor.vendors.protocols import PSA, CustomerRecord, Distributor, DistributorApi, PartnerCenterApi
from auditor.vendors.sherweb import mapping as sherweb_mapping

DISTRIBUTORS: Mapping[str, Distributor] = {
    pax8.VENDOR.key: pax8.VENDOR,
    sherweb.VENDOR.key: sherweb.VENDOR,
}

DISTRIBUTOR_APIS: Mapping[str, DistributorApi] = {key: vendor.api for key, vendor in DISTRIBUTORS.items()}

# each distributor's own request body: what plan.json's and a journal's bill changes are read with
BODIES = Bodies({key: vendor.body for key, vendor in DISTRIBUTORS.items()})

PSAS: Mapping[str, PSA] = {
    connectwise.VENDOR.key: connectwise.VENDOR,
    autotask.VENDOR.key: autotask.VENDOR,
    halo.VENDOR.key: halo.VENDOR,
}

PARTNER_CENTER: PartnerCenterApi = partner_center.VENDOR

RECORDS: Mapping[str, CustomerRecord] = {
    sherweb.VENDOR.key: sherweb_mapping.record,
    connectwise.VENDOR.key: connectwise_mapping.record,
    autotask.VENDOR.key: autotask_mapping.record,
    halo.VENDOR.key: halo_mapping.record,
}

NAMES: Mapping[str, str] = {
    **{key: vendor.name for key, vendor in DISTRIBUTORS.items()},
    **{key: psa.name for key, psa in PSAS.items()},
}
