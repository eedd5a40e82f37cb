"""The partner's credential of `audit --tenants`: one Partner Center session for every customer.

    check(tenants_file, run_source)      UsageError naming the first tenant whose bill is read from
                                         Partner Center when the file has no `partner:` block
    wanted(tenants_file, run_source)     the block, when a tenant may read Partner Center (its source
                                         partner-center or auto), else None
    session(block, auth=, endpoint=, env=)
                                         the one Partner Center session of the run (None without a block)

Partner Center is read with the partner's own credential, never a customer's: the run's --auth
(as each tenant's own credential is built) signing in to the partner's tenant as the partner's app,
the tenant and client id from the file's `partner:` block; with --auth token (or a token at hand
under --auth auto), the token in AUDITOR_PARTNER_CENTER_TOKEN. The session is made once and shared by
every customer's audit: the credential caches its token, and the session spaces its requests per
customer (Partner Center's 500 requests a minute per customer). A customer's failed read is a gap in
that customer's bill (auditor.vendors.commerce_sources), never a failed run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from azure.core.credentials import TokenCredential

from auditor.common.errors import UsageError
from auditor.data.enums import Cloud

from ..billing.arguments import BillingSource
from ..billing.commerce_records import PartnerSession
from ..delivery.matrix import PartnerBlock, TenantsFile
from ..graph.arguments import AuthMode
from ..graph.auth import build_credential, resolve_mode
from ..graph.clouds import endpoints
from ..vendors.commerce_sources import PARTNER_CENTER_TOKEN_ENV, EnvToken
from ..vendors.registry import PARTNER_CENTER


def _effective(source: str, run_source: str | None) -> str:
    """A tenant's billing source in the run: "auto" in the file leaves the run's --billing-source."""
    return source if source != BillingSource.AUTO.value else (run_source or BillingSource.AUTO.value)


def check(tenants: TenantsFile, run_source: str | None) -> None:
    """Refuse a run that names Partner Center for a tenant while the file names no partner."""
    if tenants.partner is not None:
        return
    for job in tenants.jobs:
        if _effective(job.billing_source, run_source) == BillingSource.PARTNER_CENTER.value:
            named = (
                "billing_source: partner-center"
                if job.billing_source == BillingSource.PARTNER_CENTER.value
                else "--billing-source partner-center"
            )
            raise UsageError(
                f"{tenants.where[job.key]}: {named}: Partner Center is read with the partner's own credential, "
                f"and {tenants.path} names no partner; add at its top level:\n"
                "  partner:\n"
                "    tenant_id: <your partner tenant's id>\n"
                "    client_id: <the app that reads Partner Center>\n"
                '(docs/msp.md, "One partner credential for every customer")'
            )


def wanted(tenants: TenantsFile, run_source: str | None) -> PartnerBlock | None:
    reading = (BillingSource.PARTNER_CENTER.value, BillingSource.AUTO.value)
    if any(_effective(job.billing_source, run_source) in reading for job in tenants.jobs):
        return tenants.partner
    return None


@contextmanager
def session(
    block: PartnerBlock | None, *, auth: str | None, endpoint: str | None, env: Mapping[str, str]
) -> Iterator[PartnerSession | None]:
    """The run's one Partner Center session, closed when the run ends; None when the file has no partner."""
    if block is None:
        yield None
        return
    asked = AuthMode(auth or AuthMode.AUTO.value)
    mine = {**env, "AZURE_TENANT_ID": block.tenant_id, "AZURE_CLIENT_ID": block.client_id}
    mode = (
        AuthMode.TOKEN
        if asked is AuthMode.AUTO and env.get(PARTNER_CENTER_TOKEN_ENV)
        else resolve_mode(asked, mine, block.tenant_id)
    )
    credential: TokenCredential
    if mode is AuthMode.TOKEN:
        token = env.get(PARTNER_CENTER_TOKEN_ENV)
        if not token:
            raise UsageError(
                f"--auth token: the partner's Partner Center token is read from "
                f"{PARTNER_CENTER_TOKEN_ENV}, which is not set"
            )
        credential = EnvToken(PARTNER_CENTER_TOKEN_ENV, token)
    else:  # Partner Center is one worldwide service: the worldwide sign-in, whatever the tenants' clouds
        credential = build_credential(
            mode, tenant_id=block.tenant_id, cloud=endpoints(Cloud.WORLDWIDE), env=mine
        ).credential
    with PARTNER_CENTER.open(credential, endpoint) as pc:
        yield pc
