"""The one client base under every vendor's client (auditor.vendors.client): a client that says how it
gets a bearer token has it asked for once and again once on a 401, a client whose keys are its headers
is never retried; an answer that is not strict JSON is the vendor's error with the status its side's
writes read (a distributor's 200: taken; a PSA's none); the field checks speak each side's words."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from auditor.vendors.client import DistributorClient, Fields, TokenRequest, VendorClient
from auditor.vendors.protocols import DistributorError, PsaError
from auditor.vendors.psa_client import PsaClient, fields


class _Refused(DistributorError):
    pass


class _PsaRefused(PsaError):
    pass


class _Distributor(DistributorClient):
    vendor, error, max_bytes, credentials = "Dist", _Refused, 2**20, ("DIST_ID", "DIST_SECRET")

    def token_request(self) -> TokenRequest:
        return TokenRequest(self.token_url, form={"grant_type": "client_credentials", "client_secret": "s3cret"})


class _Keyed(PsaClient):
    vendor, error = "Keyed", _PsaRefused

    def headers(self) -> dict[str, str]:
        return {"ApiKey": "k"}


def _wired(client: VendorClient, answer: Callable[[httpx.Request], httpx.Response]) -> list[str]:
    """The client's session answered by `answer`; the requests it sends, as "METHOD path auth"."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path} {request.headers.get('authorization', '-')}")
        return answer(request)

    client._http = httpx.Client(transport=httpx.MockTransport(handler))
    return sent


def _tokens_then(statuses: list[int]) -> Callable[[httpx.Request], httpx.Response]:
    """A token endpoint handing out t1, t2, ...; the API answering `statuses` in turn."""
    issued = iter(range(1, 10))
    left = iter(statuses)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, json={"access_token": f"t{next(issued)}"})
        return httpx.Response(next(left), json={"ok": True})

    return answer


def test_a_token_is_asked_for_once_and_again_once_on_a_401() -> None:
    with _Distributor("https://d.example/token", "https://d.example/api") as client:
        sent = _wired(client, _tokens_then([200, 401, 200]))
        assert client.call("GET", "/a", "/a") == b'{"ok":true}'
        assert client.call("GET", "/b", "/b") == b'{"ok":true}'
    assert sent == [
        "POST /token -",
        "GET /api/a Bearer t1",
        "GET /api/b Bearer t1",  # expired: a new token, and the request again
        "POST /token -",
        "GET /api/b Bearer t2",
    ]
    assert client.token_requests == 2


def test_a_second_401_is_the_error_not_a_third_try() -> None:
    with _Distributor("https://d.example/token", "https://d.example/api") as client:
        sent = _wired(client, _tokens_then([401, 401]))
        with pytest.raises(_Refused, match=r"\AGET /a: HTTP 401\Z") as refused:
            client.call("GET", "/a", "/a")
    assert refused.value.status == 401 and client.token_requests == 2 and len(sent) == 4


def test_a_refused_token_names_the_variables_never_the_secret() -> None:
    with _Distributor("https://d.example/token", "https://d.example/api") as client:
        _wired(client, lambda request: httpx.Response(400, json={"error": "invalid_client"}))
        with pytest.raises(_Refused) as refused:
            client.call("GET", "/a", "/a")
    assert str(refused.value) == "Dist refused the client credentials (HTTP 400): check DIST_ID and DIST_SECRET"


def test_a_client_whose_keys_are_its_headers_is_not_retried_on_a_401() -> None:
    with _Keyed("https://psa.example/api") as client:
        sent = _wired(client, lambda request: httpx.Response(401, json={"code": "Unauthorized"}))
        with pytest.raises(_PsaRefused, match=r"\AGET /x: HTTP 401 Unauthorized\Z"):
            client.request("GET", "/x")
    assert sent == ["GET /api/x -"] and client.token_requests == 0


@pytest.mark.parametrize(
    ("opened", "status"), [(lambda: _Distributor("https://t", "https://a"), 200), (lambda: _Keyed("https://a"), None)]
)
def test_an_answer_that_is_not_strict_json_carries_its_sides_status(
    opened: Callable[[], VendorClient], status: int | None
) -> None:
    """A distributor's write answered so was taken (200: its outcome unknown); a PSA's says no status."""
    with opened() as client, pytest.raises((_Refused, _PsaRefused)) as refused:
        client.decode(b'{"a": 1, "a": 2}', "POST /w")
    said = f"POST /w: the answer is not JSON {client.vendor} sends (the key 'a' is given twice in one object)"
    error = refused.value
    assert isinstance(error, _Refused | _PsaRefused) and str(error) == said and error.status == status


def test_the_field_checks_speak_each_sides_words() -> None:
    distributor = Fields(_Refused, "Dist", "GET /subscriptions")
    psa = fields(_PsaRefused)
    assert distributor.text(" ", "a name", required=True) == " "  # a distributor's text is kept as given
    with pytest.raises(_PsaRefused, match=r"\Aa name ' ' is not one the PSA sends\Z"):
        psa.text(" ", "a name", required=True)  # a PSA's is a line shown: a blank one is none
    assert psa.text("a\x1bb", "a name") == "a b"
    with pytest.raises(_Refused, match=r"\AGET /subscriptions: a quantity '-1' is not one Dist sends\Z"):
        distributor.number(-1, "a quantity", whole=True, most=10)
    with pytest.raises(_PsaRefused, match=r"\Aan end '31/12' is not a date\Z"):
        psa.day("31/12", "an end")
    assert distributor.date("2026-03-18T00:00:00Z", "an end") == "2026-03-18T00:00:00Z"
    assert psa.day("2026-03-18T00:00:00Z", "an end") == "2026-03-18"
    with pytest.raises(_PsaRefused, match=r"\Aa line's id '0' is not an id the PSA sends\Z"):
        psa.whole_id(0, "a line's id")
    with pytest.raises(_Refused, match=r"\AGET /subscriptions: subscription 's1' is listed twice"):
        distributor.listed_once(["S1", "s1"], "GET /subscriptions")
