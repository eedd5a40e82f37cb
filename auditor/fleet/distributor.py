"""The distributor's seats beside Microsoft's (docs/msp.md, "The distributor's seats"): after the
tenants of `audit --tenants` are audited, each tenant whose entry has `distributor: {pax8: ...}` gets
OUTPUT_DIR/<key>/distributor.json, its Pax8 subscriptions reconciled with the tenant's products as
its report.json counts them (read only: nothing is written to Pax8).

Each Pax8 subscription is matched to a tenant product by the entry's `products` map (Pax8 product id
-> SKU part number); a product the map does not name is matched by its name when Pax8's productName
is the name of exactly one of the tenant's products (Microsoft's product table, or the policy's
catalog name), with a warning that names the guess; else it is left out, with a warning. The seats
Pax8 bills are the quantities of its subscriptions in a billed status (Active, Activated,
PendingCancel). Findings, one or more per product:

    billed_more     Pax8 bills more seats than Microsoft has enabled in the tenant (prepaidUnits.enabled)
    billed_fewer    Pax8 bills fewer seats than are enabled (bought elsewhere, or not yet billed)
    billed_unused   seats Pax8 bills that nobody in the tenant holds (billed - consumedUnits), with
                    their money at Pax8's price
    term_end        the earliest end of a billed subscription's commitment term (or its endDate):
                    the date a reduction can take effect at the distributor

The MSP's Pax8 client credentials come from PAX8_CLIENT_ID and PAX8_CLIENT_SECRET (one per MSP); a
customer Pax8 refuses (403 for a company not the partner's, a failed token) gets a distributor.json
with its `error` and a warning, the others go on; the run's exit code is not changed.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditor.common.errors import UsageError, clean_message

from ..billing.pax8 import CLIENT_ID_ENV, CLIENT_SECRET_ENV, Pax8, Pax8Error, Pax8Subscription
from ..delivery.matrix import TenantJob
from ..reference import product_names
from .rollup import Outcome

FILE_NAME = "distributor.json"
BILLED = ("Active", "Activated", "PendingCancel")  # statuses Pax8 bills


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def wanted(jobs: Sequence[TenantJob]) -> bool:
    return any(job.distributor for job in jobs)


def credentials(env: Mapping[str, str]) -> tuple[str, str]:
    """The MSP's Pax8 client id and secret; UsageError (before any tenant is audited) when missing."""
    client_id, secret = env.get(CLIENT_ID_ENV, "").strip(), env.get(CLIENT_SECRET_ENV, "")
    if not client_id or not secret:
        raise UsageError(
            f"the tenants file names a Pax8 company (distributor: pax8): set {CLIENT_ID_ENV} and "
            f"{CLIENT_SECRET_ENV} to the MSP's Pax8 API client credentials (docs/msp.md)"
        )
    return client_id, secret


def _names(skus: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Each name a tenant product is known by (casefolded) -> the part numbers it names."""
    table = product_names()
    names: dict[str, list[str]] = {}
    for sku in skus:
        part = str(sku.get("sku") or "")
        for name in {sku.get("name"), table.product(sku_id=str(sku.get("sku_id") or ""), part=part)}:
            if isinstance(name, str) and name:
                names.setdefault(name.casefold(), []).append(part)
    return names


def reconcile(
    block: Mapping[str, Any], report: Mapping[str, Any], subscriptions: Sequence[Pax8Subscription]
) -> dict[str, Any]:
    """The reconciliation of one tenant: per product, what Pax8 bills beside what the tenant has."""
    skus = [s for s in report.get("skus") or [] if isinstance(s, Mapping) and s.get("sku")]
    by_part = {str(s["sku"]).upper(): s for s in skus}
    mapped = {k.lower(): v.upper() for k, v in (block.get("products") or {}).items()}
    names = _names(skus)
    warnings: list[str] = []
    billed: dict[str, list[Pax8Subscription]] = {}
    guessed: dict[str, str] = {}
    for sub in subscriptions:
        part = mapped.get(sub.product_id.lower())
        if part is None:
            candidates = sorted(set(names.get(sub.product_name.casefold(), [])))
            if len(candidates) != 1:
                warnings.append(
                    f"Pax8 product {sub.product_name!r} ({sub.product_id}) matches no product of the tenant: "
                    "left out; name it under distributor.pax8.products"
                )
                continue
            part = candidates[0].upper()
            if sub.product_id not in guessed:
                guessed[sub.product_id] = part
                warnings.append(
                    f"Pax8 product {sub.product_name!r} ({sub.product_id}) was matched to {part} by its name: "
                    f"add `{sub.product_id}: {part}` under distributor.pax8.products to confirm it"
                )
        if sub.status in BILLED:
            billed.setdefault(part, []).append(sub)
    products, findings = [], []
    for part in sorted(billed):
        subs = billed[part]
        sku = by_part.get(part, {})
        seats = sum(s.quantity for s in subs)
        enabled, consumed = int(sku.get("enabled") or 0), int(sku.get("consumed") or 0)
        prices = [s.price for s in subs if s.price is not None]
        price = prices[0] if prices and len(set(prices)) == 1 else None
        currency = next((s.currency for s in subs if s.currency), None)
        ends = sorted(e for s in subs if (e := s.commitment_end or s.end))
        row = {
            "sku": part,
            "name": str(sku.get("name") or part),
            "pax8_products": sorted({s.product_id for s in subs}),
            "matched_by": "name" if any(s.product_id in guessed for s in subs) else "map",
            "billed": seats,
            "enabled": enabled,
            "consumed": consumed,
            "price": price,
            "currency": currency,
            "billing_terms": sorted({s.billing_term for s in subs if s.billing_term}),
            "term_end": ends[0][:10] if ends else None,
            "in_tenant": part in by_part,
        }
        products.append(row)
        if seats > enabled:
            findings.append(
                {"kind": "billed_more", "sku": part, "billed": seats, "enabled": enabled, "seats": seats - enabled}
            )
        elif seats < enabled:
            findings.append(
                {"kind": "billed_fewer", "sku": part, "billed": seats, "enabled": enabled, "seats": enabled - seats}
            )
        if seats > consumed:
            unused = seats - consumed
            findings.append(
                {
                    "kind": "billed_unused",
                    "sku": part,
                    "seats": unused,
                    "monthly": round(unused * price, 2) if price is not None else None,
                    "currency": currency,
                }
            )
        if ends:
            findings.append({"kind": "term_end", "sku": part, "date": ends[0][:10]})
    return {"schema": 1, "distributor": "pax8", "products": products, "findings": findings, "warnings": warnings}


def run(
    outcomes: Sequence[Outcome], root: Path, *, endpoint: str | None, env: Mapping[str, str] = os.environ
) -> list[Path]:
    """distributor.json of every tenant of the run that names a distributor and was audited; one
    Pax8 session (one token) for all of them."""
    jobs = [o for o in outcomes if o.job.distributor]
    if not jobs:
        return []
    client_id, secret = credentials(env)
    written = []
    with Pax8(client_id, secret, endpoint=endpoint) as pax8:
        for outcome in jobs:
            folder = root / outcome.job.key
            path = folder / FILE_NAME
            path.unlink(missing_ok=True)  # an earlier night's reconciliation never reads as tonight's
            if outcome.status == "failed":
                continue
            block = json.loads(outcome.job.distributor)["pax8"]
            try:
                report = json.loads((folder / "report.json").read_text("utf-8"))
                doc = {
                    "company_id": block["company_id"],
                    **reconcile(block, report, pax8.subscriptions(block["company_id"])),
                }
            except (OSError, ValueError) as exc:
                doc = {
                    "schema": 1,
                    "distributor": "pax8",
                    "company_id": block["company_id"],
                    "error": f"{type(exc).__name__}",
                }
            except Pax8Error as exc:
                doc = {"schema": 1, "distributor": "pax8", "company_id": block["company_id"], "error": str(exc)}
            for warning in doc.get("warnings", []):
                _say(f"  {outcome.job.key}: distributor: {warning}")
            if doc.get("error"):
                _say(f"  {outcome.job.key}: distributor: not read: {doc['error']}")
            else:
                kinds = [f["kind"] for f in doc["findings"] if f["kind"] != "term_end"]
                _say(f"  {outcome.job.key}: distributor: {len(doc['products'])} product(s), {len(kinds)} difference(s)")
            path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")
            written.append(path)
    return written
