"""The seats an MSP buys at its distributor, read from Pax8's partner API (read only).

    Pax8(client_id, client_secret, endpoint=None)   one session for the run: its token is asked for
                                                     once and reused (Pax8's tokens live 24 hours)
    .subscriptions(company_id)                       GET /v1/subscriptions?companyId=..., every page

The shapes are Pax8's published OpenAPI documents (devx.pax8.com, "Authentication Access Token API"
and "PARTNER ENDPOINTS" v1): the token is a client-credentials grant posted as JSON to
https://token-manager.pax8.com/oauth/token with the audience https://api.pax8.com; a list answers
{content: [...], page: {size, totalElements, totalPages, number}}, pages numbered from 0, at most 200
a page. A 401 from the API (an expired token) asks for a new token once and tries again; any other
failure is a Pax8Error, a gap in that customer's reconciliation. The client secret is sent only in
the token request's body and never written into a message, a log or a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

TOKEN_URL = "https://token-manager.pax8.com/oauth/token"
API_URL = "https://api.pax8.com/v1"
AUDIENCE = "https://api.pax8.com"
PAGE_SIZE = 200  # Pax8's largest page
MAX_PAGES = 1000  # 200,000 subscriptions of one company: past this a listing is not Pax8's
CLIENT_ID_ENV = "PAX8_CLIENT_ID"
CLIENT_SECRET_ENV = "PAX8_CLIENT_SECRET"  # the MSP's one Pax8 secret: an environment variable, never a file


class Pax8Error(Exception):
    """Pax8 could not be read for a customer: the reconciliation's gap, in one line."""


@dataclass(frozen=True)
class Pax8Subscription:
    id: str
    company_id: str
    product_id: str
    product_name: str
    quantity: int
    status: str
    price: float | None
    currency: str | None
    billing_term: str
    start: str | None
    end: str | None
    commitment_term: str | None
    commitment_end: str | None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _subscription(raw: Mapping[str, Any]) -> Pax8Subscription:
    quantity = raw.get("quantity")
    price = raw.get("price")
    term = raw.get("commitmentTerm")
    commitment: Mapping[str, Any] = term if isinstance(term, Mapping) else {}
    return Pax8Subscription(
        id=str(raw.get("id", "")),
        company_id=str(raw.get("companyId", "")),
        product_id=str(raw.get("productId", "")),
        product_name=str(raw.get("productName") or ""),
        quantity=int(quantity) if isinstance(quantity, int | float) and not isinstance(quantity, bool) else 0,
        status=str(raw.get("status") or ""),
        price=float(price) if isinstance(price, int | float) and not isinstance(price, bool) else None,
        currency=_text(raw.get("currencyCode")),
        billing_term=str(raw.get("billingTerm") or ""),
        start=_text(raw.get("startDate")),
        end=_text(raw.get("endDate")),
        commitment_term=_text(commitment.get("term")),
        commitment_end=_text(commitment.get("endDate")),
    )


class Pax8:
    """Pax8's partner API with the MSP's client credentials. `endpoint`: a stand-in serving both the
    token (ENDPOINT/oauth/token) and the API (ENDPOINT/v1)."""

    def __init__(
        self, client_id: str, client_secret: str, *, endpoint: str | None = None, timeout: float = 60.0
    ) -> None:
        self._id, self._secret = client_id, client_secret
        base = endpoint.rstrip("/") if endpoint else None
        self.token_url = f"{base}/oauth/token" if base else TOKEN_URL
        self.api_url = f"{base}/v1" if base else API_URL
        self._http = httpx.Client(timeout=timeout)
        self._token: str | None = None
        self.token_requests = 0

    def __enter__(self) -> Pax8:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._http.close()

    def _new_token(self) -> str:
        self.token_requests += 1
        body = {"client_id": self._id, "client_secret": self._secret, "audience": AUDIENCE}
        try:
            reply = self._http.post(self.token_url, json={**body, "grant_type": "client_credentials"})
        except httpx.HTTPError as exc:
            raise Pax8Error(f"Pax8's token endpoint could not be reached: {type(exc).__name__}") from None
        if reply.status_code != 200:
            raise Pax8Error(
                f"Pax8 refused the client credentials (HTTP {reply.status_code}): check {CLIENT_ID_ENV} and "
                f"{CLIENT_SECRET_ENV}"
            )
        token = _json(reply).get("access_token")
        if not isinstance(token, str) or not token:
            raise Pax8Error("Pax8's token endpoint answered without an access_token")
        return token

    def _get(self, path: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._new_token()
            try:
                reply = self._http.get(
                    f"{self.api_url}{path}", params=dict(params), headers={"Authorization": f"Bearer {self._token}"}
                )
            except httpx.HTTPError as exc:
                raise Pax8Error(f"GET {path}: Pax8 could not be reached: {type(exc).__name__}") from None
            if reply.status_code == 401 and attempt == 1:  # the token expired: a new one, once
                self._token = None
                continue
            if reply.status_code != 200:
                message = str(_json(reply).get("message") or "")[:200]
                raise Pax8Error(f"GET {path}: HTTP {reply.status_code}{': ' + message if message else ''}")
            return _json(reply)
        raise Pax8Error(f"GET {path}: HTTP 401 with a new token")  # pragma: no cover - the loop returns or raises

    def subscriptions(self, company_id: str) -> list[Pax8Subscription]:
        """Every subscription of one company, page after page."""
        found: list[Pax8Subscription] = []
        for number in range(MAX_PAGES):
            doc = self._get("/subscriptions", {"companyId": company_id, "page": number, "size": PAGE_SIZE})
            content = doc.get("content")
            paging = doc.get("page")
            page: Mapping[str, Any] = paging if isinstance(paging, Mapping) else {}
            if not isinstance(content, list):
                raise Pax8Error("GET /subscriptions: the answer has no content list")
            found += [_subscription(s) for s in content if isinstance(s, Mapping)]
            total = page.get("totalPages")
            if not isinstance(total, int) or number + 1 >= total or not content:
                return found
        raise Pax8Error(f"GET /subscriptions: more than {MAX_PAGES} pages")


def _json(reply: httpx.Response) -> Mapping[str, Any]:
    try:
        doc = reply.json()
    except ValueError:
        return {}
    return doc if isinstance(doc, Mapping) else {}
