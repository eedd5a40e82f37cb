"""The billing sources read through the real clients against the loopback stand-ins: the billing
account (azure-mgmt-billing), Partner Center (its REST API), the join to Graph and the file over them."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import msgspec
import pytest
from azure.core.credentials import AccessToken

from auditor.billing import Channel, Term, arm, parse_billing
from auditor.billing.commerce_records import BillingSubscription, PartnerSubscription
from auditor.billing.facts import PARTNER_CENTER, from_billing_account, from_partner_center, join
from auditor.data.model import Subscription
from auditor.vendors.commerce_sources import Access, BillingSource, gather
from auditor.vendors.partner_center import client as partner_center
from auditor_dev.commerce import BillingStandIn, PartnerCenterStandIn, sample_commerce
from auditor_dev.demo import sample_tenant
from tests.loopback import http

NOW = datetime(2026, 11, 1, 6)


class Token:
    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, 2**31)


@pytest.fixture(scope="module")
def sample() -> Any:
    snapshot = sample_tenant()
    return snapshot, sample_commerce(snapshot, NOW)


def test_the_billing_account_is_read_through_azure_mgmt_billing_with_paging_and_throttling(sample: Any) -> None:
    snapshot, commerce = sample
    with BillingStandIn(commerce.accounts, page_size=2, display_names=commerce.display_names) as st:
        st.throttle = 1  # the first request is a 429 with Retry-After: the client waits and asks again
        access = Access(Token("arm-token"), st.url)
        got = gather(BillingSource.BILLING_ACCOUNT, snapshot.subscriptions, snapshot.tenant_id, None, access)
        pages = [r for r in st.requests if r.path.endswith("/billingSubscriptions")]
        assert {r.query["api-version"] for r in st.requests} == {"2024-04-01"}
    assert len(pages) == 3 and pages[-1].query.get("skiptoken") == "4"  # nextLink followed to the end
    assert st.requests[0].path == st.requests[1].path  # the throttled request, asked again
    assert got.gaps == () and got.read == ("billing-account",)
    assert got.billing is not None
    rows = {r.subscription: r for r in got.billing.rows}
    e3 = rows["6f5e5c0b-466f-5e80-9fe3-47c4054dd921"]
    assert (e3.channel, e3.term, e3.billing_frequency, e3.auto_renew, e3.term_end) == (
        Channel.MCA,
        Term.YEAR,
        Term.MONTH,
        True,
        date(2027, 3, 1),
    )
    assert e3.source("term") == "billing-account" and not e3.uncertain
    bought = rows["cf86da0c-f640-56d1-913b-79bd0b93b3ed"]  # bought 4 days ago: cancellation allowed
    assert bought.cancel_by == date(2026, 11, 4)  # cancellationAllowedEndDate, 168 hours after the purchase
    assert rows["1b814d71-f7f2-5a90-beed-2d08c1609a8b"].auto_renew is False


def test_a_billing_source_that_fails_is_a_named_gap(sample: Any) -> None:
    snapshot, commerce = sample
    with BillingStandIn(commerce.accounts, readers=False) as st:
        got = gather(
            BillingSource.AUTO, snapshot.subscriptions, snapshot.tenant_id, None, Access(Token("arm-token"), st.url)
        )
    assert got.billing is None
    assert len(got.gaps) == 1 and "HTTP 403 AuthorizationFailed" in got.gaps[0]
    with BillingStandIn(commerce.accounts) as st:
        got = gather(
            BillingSource.AUTO, snapshot.subscriptions, snapshot.tenant_id, None, Access(Token("wrong"), st.url)
        )
    assert "HTTP 401 InvalidAuthenticationToken" in got.gaps[0]


def test_several_billing_accounts_and_none_chosen_is_exit_2_listing_them(sample: Any) -> None:
    snapshot, _commerce = sample
    accounts = {"acct-a": [], "acct-b": []}
    with BillingStandIn(accounts, display_names={"acct-a": "Contoso", "acct-b": "Fabrikam"}) as st:
        with pytest.raises(arm.BillingAccountChoice, match=r"2 billing accounts: acct-a \(Contoso\), acct-b"):
            gather(
                BillingSource.AUTO, snapshot.subscriptions, snapshot.tenant_id, None, Access(Token("arm-token"), st.url)
            )
        got = gather(
            BillingSource.AUTO,
            snapshot.subscriptions,
            snapshot.tenant_id,
            None,
            Access(Token("arm-token"), st.url, billing_account="acct-b"),
        )
    assert got.gaps == () and got.billing is None  # an empty account: nothing read, nothing missing


def test_the_stand_in_checks_the_api_version_as_arm_does(sample: Any) -> None:
    _, commerce = sample

    with BillingStandIn(commerce.accounts) as st:
        missing = http.get(
            f"{st.url}/providers/Microsoft.Billing/billingAccounts", headers={"Authorization": "Bearer arm-token"}
        )
        old = http.get(
            f"{st.url}/providers/Microsoft.Billing/billingAccounts?api-version=2020-05-01",
            headers={"Authorization": "Bearer arm-token"},
        )
        anonymous = http.get(f"{st.url}/providers/Microsoft.Billing/billingAccounts?api-version=2024-04-01")
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "MissingApiVersionParameter")
    assert (old.status_code, old.json()["error"]["code"]) == (400, "InvalidApiVersionParameter")
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "AuthenticationFailed")


def test_partner_center_pages_with_continuation_tokens(sample: Any) -> None:
    snapshot, commerce = sample
    customers = {snapshot.tenant_id: commerce.customers[snapshot.tenant_id] * 3}
    for n, item in enumerate(customers[snapshot.tenant_id]):
        customers[snapshot.tenant_id][n] = item | {"id": f"{item['id'][:-1]}{n}"}
    with PartnerCenterStandIn(customers, page_size=2) as pc_stand_in:
        pc_stand_in.throttle = 1
        with partner_center.PartnerCenter(Token("pc-token"), pc_stand_in.url, sleep=lambda s: None) as pc:
            items = partner_center.read_subscriptions(pc, snapshot.tenant_id)
        tokens = [r.headers.get("ms-continuationtoken") for r in pc_stand_in.requests]
    assert len(items) == 3
    assert tokens == [None, None, "2"]  # throttled once, then the first page, then the next with its token
    with (
        PartnerCenterStandIn(customers) as pc_stand_in,
        partner_center.PartnerCenter(Token("nope"), pc_stand_in.url, sleep=lambda s: None) as pc,
        pytest.raises(arm.BillingSourceError, match=r"HTTP 401 900\Z"),
    ):
        partner_center.read_subscriptions(pc, snapshot.tenant_id)


def test_auto_reads_both_channels_and_the_file_overrides_with_a_warning(sample: Any) -> None:
    snapshot, commerce = sample
    file = parse_billing(
        "subscription,channel,term,unit_price\n"
        "6f5e5c0b-466f-5e80-9fe3-47c4054dd921,mca,P1M,33.75\n"
        "69039d75-8e63-5ba8-8360-4a9ebcbb603b,vl,P3Y,3.70\n",
        "billing.csv",
    )
    with BillingStandIn(commerce.accounts) as st, PartnerCenterStandIn(commerce.customers) as pcs:
        access = Access(Token("arm-token"), st.url, None, Token("pc-token"), pcs.url)
        got = gather(BillingSource.AUTO, snapshot.subscriptions, snapshot.tenant_id, file, access)
    assert got.read == ("billing-account", "partner-center", "file") and got.gaps == ()
    assert got.billing is not None
    rows = {r.subscription: r for r in got.billing.rows}
    copilot = rows["8af68566-8229-5983-be4b-f5d5f157d380"]
    assert (copilot.channel, copilot.billing_frequency, copilot.source("seats_added")) == (
        Channel.CSP,
        Term.MONTH,
        PARTNER_CENTER,
    )
    assert [(a.on, a.seats) for a in copilot.seats_added] == [(date(2026, 10, 29), 2)]  # 3 days old
    e3 = rows["6f5e5c0b-466f-5e80-9fe3-47c4054dd921"]
    assert (e3.term, e3.source("term"), e3.source("renewal"), e3.unit_price) == (
        Term.MONTH,
        "file",
        "billing-account",
        33.75,
    )
    assert any(
        "billing.csv:2: subscription '6f5e5c0b-466f-5e80-9fe3-47c4054dd921': term 'P1M' (the file) "
        "differs from 'P1Y' (billing-account)" in w
        for w in got.warnings
    )
    assert rows["69039d75-8e63-5ba8-8360-4a9ebcbb603b"].source("term") == "file"  # no API sells it


def test_auto_without_a_way_into_partner_center_names_the_partners_subscriptions(sample: Any) -> None:
    """A live run that reads the billing account but cannot read Partner Center (a many-tenant run
    whose tenants file has no `partner:` block, or --auth token without the Partner Center token)
    says which subscriptions a partner sells are left unknown, instead of skipping them silently."""
    snapshot, commerce = sample
    sold = sorted(
        s.sku_part_number
        for s in snapshot.subscriptions
        if s.owner_tenant_id or (s.owner_type or "").lower() == "partner"
    )
    assert sold  # the sample's Copilot is sold by a partner
    why = "the tenants file has no `partner:` block"
    with BillingStandIn(commerce.accounts) as st:
        got = gather(
            BillingSource.AUTO,
            snapshot.subscriptions,
            snapshot.tenant_id,
            None,
            Access(Token("arm-token"), st.url, partner_missing=why),
        )
        (gap,) = got.gaps
        assert gap.startswith(f"partner-center: not read ({why}): the term and renewal of {len(sold)} ")
        assert ", ".join(sorted(set(sold))) in gap and got.read == ("billing-account",)
        # the file covers them: nothing is unknown, nothing to say
        rows = "".join(
            f"{s.commerce_subscription_id or s.id},csp,P1M\n"
            for s in snapshot.subscriptions
            if s.sku_part_number in sold
        )
        file = parse_billing("subscription,channel,term\n" + rows, "billing.csv")
        covered = gather(
            BillingSource.AUTO,
            snapshot.subscriptions,
            snapshot.tenant_id,
            file,
            Access(Token("arm-token"), st.url, partner_missing=why),
        )
        assert covered.gaps == ()
    # an offline audit reads no API: its Access names no missing partner, and nothing is said
    assert gather(BillingSource.AUTO, snapshot.subscriptions, snapshot.tenant_id, None, Access()).gaps == ()


def test_a_partner_subscription_without_a_shared_id_joins_by_product_and_quantity_uncertainly() -> None:
    graph = [
        Subscription(
            "g1",
            "639dec6b-bb19-468b-871c-c5c441c4b0cb",
            "Microsoft_365_Copilot",
            "Enabled",
            False,
            6,
            None,
            None,
            commerce_subscription_id="c1",
        ),
        Subscription(
            "g2",
            "05e9a617-0261-4cee-bb44-138d3ef5d965",
            "SPE_E3",
            "Enabled",
            False,
            6,
            None,
            None,
            commerce_subscription_id="c2",
        ),
    ]
    item = PartnerSubscription(id="pc-1", offer_name="Microsoft 365 Copilot", quantity=6, status="active")
    (joined,) = join([from_partner_center(item, "t")], graph, "t")
    assert joined.graph is not None and joined.graph.id == "g1" and joined.uncertain
    other = join([from_partner_center(item, "another")], graph, "t")
    assert other[0].graph is None  # another customer's subscription joins nothing
    by_id = join([from_partner_center(msgspec.structs.replace(item, id="C2"), "t")], graph, "t")
    assert by_id[0].graph is not None and by_id[0].graph.id == "g2" and not by_id[0].uncertain


def test_the_sample_speaks_the_billing_apis_ids_and_joins_by_the_shared_id(sample: Any) -> None:
    """The billing API's skuId is a catalog SKU id ("0001"), its productTypeId a product id
    ("CFQ7TTC0LFLX"): never Graph's skuId GUID. The join is by the billing subscription's name,
    Graph's commerceSubscriptionId."""
    snapshot, commerce = sample
    graph = {s.commerce_subscription_id: s for s in snapshot.subscriptions}
    items = commerce.accounts[next(iter(commerce.accounts))]
    assert items and all(
        re.fullmatch(r"[0-9A-Z]{4}", i["properties"]["skuId"]) for i in items if "skuId" in i["properties"]
    )
    assert all(
        re.fullmatch(r"CFQ7TTC0[0-9A-Z]{4}", i["properties"]["productTypeId"])
        for i in items
        if "productTypeId" in i["properties"]
    )
    assert {i["properties"].get("skuId") for i in items} & {s.sku_id for s in snapshot.subscriptions} == set()
    e3 = next(i for i in items if i["name"] == "6f5e5c0b-466f-5e80-9fe3-47c4054dd921")
    assert (e3["properties"]["productTypeId"], e3["properties"]["skuId"]) == ("CFQ7TTC0LFLX", "0001")
    joined = join(
        [from_billing_account(msgspec.convert(i, BillingSubscription)) for i in items],
        snapshot.subscriptions,
        snapshot.tenant_id,
    )
    assert all(j.graph is graph[j.api.id] and not j.uncertain for j in joined)


def test_a_billing_account_subscription_without_a_shared_id_joins_by_product_tenant_and_quantity() -> None:
    graph = [
        Subscription("g1", "05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3", "Enabled", False, 20, None, None),
        Subscription("g2", "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "SPE_E5", "Enabled", False, 7, None, None),
        Subscription("g3", "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "SPE_E5", "Enabled", False, 3, None, None),
    ]

    def item(name: str, description: str, quantity: int, tenant: str = "t") -> BillingSubscription:
        raw = {
            "id": f"/providers/Microsoft.Billing/billingAccounts/a/billingSubscriptions/{name}",
            "name": name,
            "properties": {
                "skuId": "0002",
                "productTypeId": "CFQ7TTC0LFLZ",
                "skuDescription": description,
                "quantity": quantity,
                "beneficiaryTenantId": tenant,
            },
        }
        return msgspec.convert(raw, BillingSubscription)

    lost, e5, e3, elsewhere = join(
        [
            from_billing_account(item("b3", "Microsoft 365 E5", 9)),
            from_billing_account(item("b1", "Microsoft 365 E5", 3)),
            from_billing_account(item("b2", "Microsoft 365 E3", 20)),
            from_billing_account(item("b4", "Microsoft 365 E3", 20, "other")),
        ],
        graph,
        "t",
    )
    # by the product's name and the quantity: said uncertain
    assert (e5.graph and e5.graph.id, e5.uncertain) == ("g3", True)
    assert (e3.graph and e3.graph.id, e3.uncertain) == ("g1", True)
    # two E5 subscriptions and neither has 9 seats: no guess; another tenant's: nothing
    assert lost.graph is None and elsewhere.graph is None


@pytest.mark.parametrize(
    ("cloud", "arm_url"),
    [
        ("worldwide", "https://management.azure.com"),
        ("usgov", "https://management.usgovcloudapi.net"),
        ("usgov-dod", "https://management.usgovcloudapi.net"),
        ("china", "https://management.chinacloudapi.cn"),
    ],
)
def test_the_billing_endpoint_follows_the_cloud(cloud: str, arm_url: str) -> None:
    from dataclasses import replace

    from auditor.billing.arguments import BillingOptions, BillingSource
    from auditor.billing_cli import access
    from auditor.data.enums import Cloud
    from auditor.graph.arguments import AuthMode

    env = {"AUDITOR_BILLING_TOKEN": "arm-token"}
    options = BillingOptions(BillingSource.BILLING_ACCOUNT, auth=AuthMode.TOKEN, cloud=Cloud(cloud))
    with access(options, env, True) as reach:
        assert (reach.billing_endpoint, reach.billing_audience) == (arm_url, arm_url)
    # --billing-endpoint points the requests elsewhere; the tokens stay for the cloud's Resource Manager
    options = replace(options, billing_endpoint="http://127.0.0.1:9")
    with access(options, env, True) as reach:
        assert (reach.billing_endpoint, reach.billing_audience) == ("http://127.0.0.1:9", arm_url)
        assert reach.billing_credential is not None
        with arm.client(reach.billing_credential, reach.billing_endpoint, reach.billing_audience) as c:
            assert c._config.credential_scopes == [f"{arm_url}/.default"]
            assert arm.options(c) == {"enforce_https": False}  # its base URL is the loopback one
