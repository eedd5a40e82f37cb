"""Loopback stand-ins of Microsoft's commerce APIs, as the Graph emulator stands in for Graph.

    arm.py             Azure Resource Manager's Microsoft.Billing (api-version 2024-04-01): billing
                       accounts (each with its agreementType) and their billingSubscriptions (list
                       with nextLink paging, get, PATCH; the cancel of the account's agreement type,
                       DELETE or POST .../cancel; each write a long-running operation polled at its
                       operationResults Location)
    partner_center.py  Partner Center's REST API: a customer's subscriptions (continuationToken
                       paging, get, PATCH) and their transition eligibilities of type scheduled
    sample.py          the sample tenant's subscriptions as each API sells them (`audit --demo`)
    pax8.py            Pax8's partner API (a distributor): client-credentials token, companies and
                       subscriptions paged with page/size, read only (`audit --demo --tenants`)
    partner_billing.py Graph's partner billing export (billed invoice reconciliation: the export, its
                       long-running operation, the manifest) and the Blob Storage folder its blobs are in
    sherweb.py         Sherweb's Partner API (a distributor, service-provider scope): client-credentials
                       token, APIM subscription key, subscription details and customer catalogs, read only
    connectwise.py     ConnectWise Manage's REST API (a PSA): Basic authentication of an API member and the
                       clientId header, companies, agreements and their additions paged by the Link
                       header; writes only where a route takes them (`tickets`)
    connectwise_tickets.py  its service tickets and their notes (`tickets`; `tickets --demo` keeps
                       them between nights)
    autotask.py        Autotask's REST API (a PSA): the API user's headers, zoneInformation, Companies,
                       Contracts and ContractServiceUnits queries paged by pageDetails.nextPageUrl
    autotask_tickets.py  its tickets and their notes, and the companies' contacts (`tickets --psa autotask`)
    halo.py            HaloPSA's REST API (a PSA): OAuth2 client credentials, clients, recurring invoices
                       and their lines, users, tickets and actions, paged with pageinate/page_size/page_no
                       (`audit --demo --tenants`; `tickets --demo --psa halo` keeps its tickets between nights)
    psa_sample.py      the sample MSP's ConnectWise, Autotask and Halo (`audit --demo --tenants`)
    server.py          the HTTP plumbing both share: bearer tokens, throttling (429 + Retry-After),
                       what was asked

They follow Microsoft's documented shapes: the REST specs in Azure/azure-rest-api-specs
(specification/billing/resource-manager/Microsoft.Billing/stable/2024-04-01) and Partner Center's
REST reference (docs/bill.md names the pages).
"""

from auditor_dev.commerce.arm import BillingStandIn
from auditor_dev.commerce.autotask import AutotaskStandIn
from auditor_dev.commerce.connectwise import ConnectWiseStandIn
from auditor_dev.commerce.connectwise_tickets import SAMPLE_TICKETS_BLOCK, kept_tickets, sample_connectwise_tickets
from auditor_dev.commerce.halo import SAMPLE_CLIENT as SAMPLE_HALO_CLIENT
from auditor_dev.commerce.halo import SAMPLE_PRODUCTS as SAMPLE_HALO_PRODUCTS
from auditor_dev.commerce.halo import SAMPLE_TEAM as SAMPLE_HALO_TEAM
from auditor_dev.commerce.halo import HaloStandIn, kept_halo, sample_halo_tickets
from auditor_dev.commerce.partner_billing import PartnerBillingStandIn, billed_line
from auditor_dev.commerce.partner_center import PartnerCenterStandIn
from auditor_dev.commerce.pax8 import (
    NORTHWIND_COMPANY,
    NORTHWIND_PAX8,
    SAMPLE_CLIENT_ID,
    SAMPLE_COMPANY,
    Pax8StandIn,
    sample_pax8,
    sample_pax8_f3,
    sample_pax8_invoice,
)
from auditor_dev.commerce.psa_sample import sample_psa
from auditor_dev.commerce.sample import sample_commerce
from auditor_dev.commerce.sherweb import (
    SAMPLE_CUSTOMERS,
    SAMPLE_SHERWEB_CLIENT,
    SAMPLE_SHERWEB_CUSTOMER,
    SherwebStandIn,
    sample_sherweb,
)

__all__ = [
    "NORTHWIND_COMPANY",
    "NORTHWIND_PAX8",
    "SAMPLE_CLIENT_ID",
    "SAMPLE_COMPANY",
    "SAMPLE_CUSTOMERS",
    "SAMPLE_HALO_CLIENT",
    "SAMPLE_HALO_PRODUCTS",
    "SAMPLE_HALO_TEAM",
    "SAMPLE_SHERWEB_CLIENT",
    "SAMPLE_SHERWEB_CUSTOMER",
    "SAMPLE_TICKETS_BLOCK",
    "AutotaskStandIn",
    "BillingStandIn",
    "ConnectWiseStandIn",
    "HaloStandIn",
    "PartnerBillingStandIn",
    "PartnerCenterStandIn",
    "Pax8StandIn",
    "SherwebStandIn",
    "billed_line",
    "kept_halo",
    "kept_tickets",
    "sample_commerce",
    "sample_connectwise_tickets",
    "sample_halo_tickets",
    "sample_pax8",
    "sample_pax8_f3",
    "sample_pax8_invoice",
    "sample_psa",
    "sample_sherweb",
]
