"""The month's use of Copilot Credits (auditor.data.copilot_credit_use_data), read beside the balance when the
tenant holds a Copilot product:

    GET /beta/copilot/costManagement/usageReports/serviceUsageRecords?startDate=D&endDate=D   each completed
        day D of the month (paged)                         CopilotCostManagement-Reports.Read.All
    GET /beta/copilot/costManagement/usageReports/fundingUsageRecords?month=YYYY-MM          the month

The month is that of the latest completed UTC day: on the 1st the month just ended, in full; else this
month's days so far.

Both beta, both readable app-only. A report Graph refuses (403 without the permission), does not offer
(404, 400) or answers in a shape it does not document is a Gap in the part `copilotCreditUse` naming the
request and why, and that report stays None: never zero credits, never the audit's end. Throttling and
the network are handled as for every other read. The balance and the use are read together
(read_credits), so the collector asks one thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from auditor.common.errors import CollectionError
from auditor.data.copilot_credit_use_data import (
    COPILOT_CREDIT_USE,
    FUNDING_PATH,
    REPORTS_PERMISSION,
    SERVICES_PATH,
    BadCreditUse,
    CopilotCreditUse,
    FundingRow,
    ServiceRow,
    funding_row,
    service_row,
)
from auditor.data.copilot_credits_data import CopilotCredits
from auditor.data.model import Gap, Sku

from .client import GraphClient, GraphRequestError
from .clouds import beta_base
from .copilot_credits import holds_copilot, read_copilot_credits


def month_days(today: date) -> list[date]:
    """The completed UTC days of the month of the latest completed day (yesterday's): on the 1st, the whole
    month before; else this month's days before today."""
    last = today - timedelta(days=1)
    first = last.replace(day=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _why(exc: GraphRequestError) -> str:
    if exc.status in (401, 403):
        return f"needs the Microsoft Graph application permission {REPORTS_PERMISSION}, with admin consent (a beta API)"
    return "a beta API, which Microsoft may change or withdraw, or does not offer in this cloud"


MAX_PAGES = 100  # a day's services a page or more: more pages than this is a loop, not a report


async def _day(client: GraphClient, beta: str, request: str) -> list[ServiceRow]:
    """One day's rows, following @odata.nextLink ("follow the @odata.nextLink property for subsequent
    pages rather than using $skip"): the client's paging keeps to its /v1.0 prefix, so the links are held
    here to this report's own /beta path, never sent elsewhere, never twice."""
    url, rows, seen = beta + request, [], set()
    for _ in range(MAX_PAGES):
        seen.add(url)
        doc = await client.get(url)
        page = doc.get("value") if isinstance(doc, dict) else None
        if not isinstance(page, list):
            raise BadCreditUse("value: missing")
        rows += [service_row(r) for r in page]
        link = doc.get("@odata.nextLink")
        if link is None:
            return rows
        if not isinstance(link, str) or not link.startswith(beta + SERVICES_PATH + "?") or link in seen:
            raise BadCreditUse("an @odata.nextLink outside this report, or to a page already read")
        url = link
    raise BadCreditUse(f"@odata.nextLink after {MAX_PAGES} pages")


async def _services(
    client: GraphClient, beta: str, days: list[date], gaps: list[Gap]
) -> dict[str, tuple[ServiceRow, ...]] | None:
    out: dict[str, tuple[ServiceRow, ...]] = {}
    for day in days:
        request = f"{SERVICES_PATH}?startDate={day.isoformat()}&endDate={day.isoformat()}"
        try:
            out[day.isoformat()] = tuple(await _day(client, beta, request))
        except GraphRequestError as exc:  # an error answer retrying will not fix: the report's gap
            gaps.append(
                Gap(COPILOT_CREDIT_USE, f"GET /beta{request}", f"answered {exc.status} {exc.code} ({_why(exc)})")
            )
            return None
        except BadCreditUse as exc:
            gaps.append(
                Gap(COPILOT_CREDIT_USE, f"GET /beta{request}", f"answered what Graph does not document ({exc})")
            )
            return None
        except CollectionError:  # an answer that is not JSON
            gaps.append(Gap(COPILOT_CREDIT_USE, f"GET /beta{request}", "answered what Graph does not document"))
            return None
    return out


async def _funding(client: GraphClient, beta: str, month: str, gaps: list[Gap]) -> tuple[FundingRow, ...] | None:
    request = f"{FUNDING_PATH}?month={month}"
    try:
        raw = await client.get(beta + request)
        rows = raw.get("value") if isinstance(raw, dict) else None
        if not isinstance(rows, list):
            raise BadCreditUse("value: missing")
        return tuple(funding_row(r) for r in rows)
    except GraphRequestError as exc:
        gaps.append(Gap(COPILOT_CREDIT_USE, f"GET /beta{request}", f"answered {exc.status} {exc.code} ({_why(exc)})"))
    except BadCreditUse as exc:
        gaps.append(Gap(COPILOT_CREDIT_USE, f"GET /beta{request}", f"answered what Graph does not document ({exc})"))
    except CollectionError:  # an answer that is not JSON
        gaps.append(Gap(COPILOT_CREDIT_USE, f"GET /beta{request}", "answered what Graph does not document"))
    return None


async def read_credit_use(client: GraphClient, gaps: list[Gap], today: date) -> CopilotCreditUse | None:
    """The month's use, each report None with its Gap when not read; None (with a Gap) without /beta."""
    days = month_days(today)
    month = days[0].strftime("%Y-%m")
    beta = beta_base(client.base_url)
    if beta is None:
        gaps.append(Gap(COPILOT_CREDIT_USE, f"GET /beta{FUNDING_PATH}", "the Graph endpoint has no /beta beside it"))
        return None
    services = await _services(client, beta, days, gaps)
    return CopilotCreditUse(month, services, await _funding(client, beta, month, gaps))


async def read_credits(
    client: GraphClient, gaps: list[Gap], today: date, skus: Sequence[Sku] | None
) -> tuple[CopilotCredits | None, CopilotCreditUse | None]:
    """The balance (graph/copilot_credits.py) and the month's use, each with its gaps, when asked (`skus`: the
    tenant's products) and the tenant holds a Copilot product; (None, None) otherwise."""
    if skus is None or not holds_copilot(skus):
        return None, None
    return await read_copilot_credits(client, gaps), await read_credit_use(client, gaps, today)
