"""The read the billing sources' flags drive (`audit`, `plan`, `apply`; the flags: auditor.billing.arguments).

    read_commerce(options, subscriptions, tenant, file, env, live=..., say=...) -> BillingFile | None
                                         the rows the bill uses; each gap and warning said once

`audit --demo` reads the sample tenant's billing account and partner from the stand-ins (the seam
auditor.demo: auditor_dev.demo.commerce). A live Graph audit reads the billing APIs with its own credential (with
`--auth token`: AUDITOR_BILLING_TOKEN and AUDITOR_PARTNER_CENTER_TOKEN); a snapshot audit or
`plan` reads them only when asked (an explicit --billing-source or an endpoint); without that,
`plan` reuses the facts the audit read (report.json's billing_facts). A tenant of `audit --tenants`
reads Partner Center only through the run's one session with the partner's credential
(BillingOptions.partner_session, auditor.fleet.partner), never with its own credential.

It stands above billing/ and vendors/ as graph_cli.py stands above graph/: it starts the demo's stand-ins
(through the seam auditor.demo), which billing/ and vendors/ must not import (docs/architecture.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from auditor import demo
from auditor.billing.arguments import BillingOptions, BillingSource
from auditor.billing.file import BillingFile
from auditor.common.errors import UsageError
from auditor.data.enums import Cloud
from auditor.data.model import Subscription
from auditor.graph.arguments import AuthMode
from auditor.graph.auth import build_credential, resolve_mode
from auditor.graph.clouds import endpoints
from auditor.vendors.commerce_sources import (
    BILLING_TOKEN_ENV,
    PARTNER_CENTER_TOKEN_ENV,
    Access,
    Gathered,
    access_from,
    gather,
)

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential


def _url(value: str | None, flag: str) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise UsageError(f"{flag} {value!r} is not an http(s) URL")
    return value


def apis_asked(options: BillingOptions) -> bool:
    """The billing APIs were asked for by name or by endpoint."""
    return options.source in (BillingSource.BILLING_ACCOUNT, BillingSource.PARTNER_CENTER) or bool(
        options.billing_endpoint or options.partner_endpoint
    )


@contextmanager
def access(options: BillingOptions, env: Mapping[str, str], live: bool) -> Iterator[Access]:
    with _one_tenant(options, env, live) as reach:
        if options.in_fleet:  # a tenant of `audit --tenants`: Partner Center through the partner
            missing = None if options.partner_session is not None else "the tenants file has no `partner:` block"
            reach = dataclasses.replace(
                reach,
                partner_credential=None,
                partner_session=options.partner_session,
                partner_missing=missing if reach.billing_credential is not None else None,
            )
        yield reach


@contextmanager
def _one_tenant(options: BillingOptions, env: Mapping[str, str], live: bool) -> Iterator[Access]:
    account = options.account
    billing_endpoint = _url(options.billing_endpoint, "--billing-endpoint")
    partner_endpoint = _url(options.partner_endpoint, "--partner-center-endpoint")
    if options.demo and not (billing_endpoint or partner_endpoint):
        with demo.commerce() as (arm_url, arm_token, pc_url, pc_token):
            yield access_from(
                {BILLING_TOKEN_ENV: arm_token, PARTNER_CENTER_TOKEN_ENV: pc_token},
                token_mode=True,
                credential=None,
                billing_endpoint=arm_url,
                billing_account=account,
                partner_endpoint=pc_url,
            )
        return
    if not (live or apis_asked(options)):
        yield Access(billing_account=account)
        return
    tokens = env.get(BILLING_TOKEN_ENV) or env.get(PARTNER_CENTER_TOKEN_ENV)
    # auto with a billing token at hand: the tokens, as with --auth token
    asked = options.auth
    mode = AuthMode.TOKEN if asked is AuthMode.AUTO and tokens else resolve_mode(asked, env, options.tenant_id)
    credential: TokenCredential | None = None
    cloud = endpoints(options.cloud or Cloud.WORLDWIDE)
    if mode is not AuthMode.TOKEN:
        credential = build_credential(mode, tenant_id=options.tenant_id, cloud=cloud, env=env).credential
    # the billing account's API: the cloud's Resource Manager unless --billing-endpoint names another
    yield access_from(
        env,
        token_mode=mode is AuthMode.TOKEN,
        credential=credential,
        billing_endpoint=billing_endpoint or cloud.arm,
        billing_account=account,
        partner_endpoint=partner_endpoint,
        billing_audience=cloud.arm,
    )


def read_commerce(
    options: BillingOptions,
    subscriptions: Sequence[Subscription],
    tenant: str,
    file: BillingFile | None,
    env: Mapping[str, str],
    *,
    live: bool,
    say: Callable[[str], None],
) -> Gathered:
    """The bill's rows from the sources the flags name; its gaps and warnings said through `say`."""
    choice = options.source or BillingSource.AUTO
    if choice is BillingSource.FILE or choice is BillingSource.NONE:
        return Gathered(file if choice is BillingSource.FILE else None, read=("file",) if file else ())
    with access(options, env, live) as reach:
        got = gather(choice, subscriptions, tenant, file, reach)
    for gap in got.gaps:
        say(f"warning: the bill's commerce facts: {gap}; the bill goes on without them")
    for warning in got.warnings:
        say(warning)
    return got
