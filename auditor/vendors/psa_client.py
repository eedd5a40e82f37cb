"""What the MSP bills a customer, read from its PSA: the interface every PSA's client implements (one
folder each: auditor.vendors.<name>), and the plumbing they share (docs/msp.md, "What the customer is
billed: the PSA").

    PsaError(text, status)          the PSA could not be read for a customer, or refused a request: one
                                    line naming the request (each PSA's own error is a subclass); that
                                    customer's gap in the three-way table
    PsaLine                         one billing line of the customer's agreements (an agreement's
                                    addition, a contract service's units, a recurring invoice's line):
                                    the PSA's product, the quantity billed and included, the price and
                                    cost of one, whether the customer is billed, and its dates
    PsaClient                       one session for the run (a context manager), on the one client base
                                    (auditor.vendors.client.VendorClient):
        .request(method, path, query=None, body=None)   the body of one request answered 2xx (a
                                    POST's 201 too), read up to `max_bytes`, with a bearer token when
                                    the PSA uses one (asked for once, again once on a 401); any other
                                    status or a transport failure: the vendor's error naming the
                                    request, its status and the answer's error code. Reads and writes
                                    alike (`tickets` posts its tickets and notes with it)
        .decode(data, where)        the answer as strict JSON (the client base's), else the error
        .fields                     the checks of its answers' fields (fields(error))
        .lines(company_id, on)      the billing lines of the customer's active agreements that bill on
                                    the day `on` (each PSA reads its own)
    fields(error)                   the checks of an answer's fields (auditor.vendors.client.Fields),
                                    each refusal the PSA's error naming the field and at most 40
                                    characters of the value
    keyed, key_of, made_id,         what every PSA's ticket desk shares: a ticket's summary ending
    by_address                      with its key, the id of a record made, the one contact of a UPN

Every value a PSA answers is untrusted: numbers are finite and bounded (whole where a count is), dates
are ISO dates, texts are bounded, a listing is bounded and paged as the PSA pages it. The keys are sent
only in the request's headers and never written into a message, a log or a file: every message is
built here from the request's name, its HTTP status and the answer's error code (`code`), in one line,
never from the answer's text (auditor.billing.untrusted.refusal); and whatever an answer echoes of the
keys is taken out of it as it is read (auditor.billing.sent_credentials).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import msgspec

from auditor.billing.psa_records import PsaLine
from auditor.billing.untrusted import Answered
from auditor.common import shapes
from auditor.common.errors import UsageError, console_line
from auditor.vendors.client import Fields, VendorClient
from auditor.vendors.protocols import KEY_PREFIX, PsaError

MAX_SEATS = 1_000_000  # a line's quantity above this is no seat count (our bound, not a PSA's)
MAX_LINES = 10_000  # of one customer's agreements: past this a listing is not one customer's

_Record = TypeVar("_Record", bound=msgspec.Struct)


def env_keys(env: Mapping[str, str], names: Sequence[str], what: str) -> list[str]:
    """The values of the environment variables `names`, each stripped; UsageError (before any tenant is
    read) naming those missing, never a value: "the tenants file names `what`: set ..."."""
    values = [env.get(n, "").strip() for n in names]
    missing = [n for n, v in zip(names, values, strict=True) if not v]
    if missing:
        raise UsageError(f"the tenants file names {what}: set {', '.join(missing)} (docs/msp.md)")
    return values


def fields(error: type[PsaError]) -> Fields:
    """The checks of a PSA's answer's fields (auditor.vendors.client.Fields), each refusal the PSA's error
    naming the field ("... is not one the PSA sends"): texts of at most 200 characters, read as lines."""
    return Fields(error, "the PSA", texts=200, lines=True)


_KEY = re.compile(r"\[(" + re.escape(KEY_PREFIX) + r"[0-9A-Za-z_-]{1,64})\]\s*\Z")


def keyed(summary: str, key: str, most: int | None = None) -> str:
    """A ticket's summary (or title) ending with its key in brackets, "… [license-auditor:<id>]", where a
    PSA's ticket has no field of another system's reference to read it back from; within `most` characters."""
    suffix = f" [{key}]"
    return (summary if most is None else summary[: most - len(suffix)]) + suffix


def key_of(summary: object) -> str:
    """The key a ticket's summary ends with ("" when none of ours)."""
    found = _KEY.search(summary) if isinstance(summary, str) else None
    return found.group(1) if found else ""


def made_id(doc: object, field: str = "id") -> int | None:
    """The id of the record a POST made, as the answer gives it (`field`; the one record of an array)."""
    one = doc[0] if isinstance(doc, list) and len(doc) == 1 else doc
    made = one.get(field) if isinstance(one, Mapping) else None
    return made if isinstance(made, int) and not isinstance(made, bool) else None


def by_address(records: Iterable[_Record], upn: str, address: Callable[[_Record], object]) -> _Record | None:
    """The one record (a contact) whose e-mail address is the UPN, in any case; None when none is, or two."""
    same = [r for r in records if isinstance(found := address(r), str) and found.casefold() == upn.casefold()]
    return same[0] if len(same) == 1 else None


class PsaClient(VendorClient):
    """A PSA's REST API with the MSP's API keys, on the one client base (auditor.vendors.client: a
    subclass names the vendor, its error, its largest answer, its authentication headers)."""

    error: ClassVar[type[PsaError]]
    max_bytes: ClassVar[int] = 8 * 2**20  # one answer, read up to this and refused past it

    def __init__(self, api_url: str, *, timeout: float = 60.0) -> None:
        super().__init__(api_url.rstrip("/"), timeout=timeout)
        self.requests = 0
        self.fields = fields(self.error)

    def lines(self, company_id: int, on: str) -> list[PsaLine]:  # pragma: no cover - each vendor reads its own
        """Every billing line of the company's active agreements that bills on the day `on` (YYYY-MM-DD)."""
        raise NotImplementedError

    def exchange(
        self, method: str, path: str, query: Mapping[str, str | int] | None = None, body: Any = None
    ) -> Answered:
        """(status, body, headers) of one request, whatever its status; a transport failure or an
        answer over max_bytes is the vendor's error."""
        self.requests += 1
        kw: dict[str, Any] = {"headers": {"Accept": "application/json", **self.bearer(), **self.headers()}}
        if query:
            kw["params"] = dict(query)
        if body is not None:
            kw["json"] = body
        return self.fetch(method, f"{self.api_url}{path}", f"{method} {path}", **kw)

    def request(
        self, method: str, path: str, query: Mapping[str, str | int] | None = None, body: Any = None
    ) -> Answered:
        """One request answered 2xx (its status, body and headers); a 401 to a bearer token asks for a new
        token once and tries again (VendorClient.authorized); any other answer is the vendor's error
        naming the request, its status and the answer's error code (one line; never its text)."""
        answer = self.authorized(lambda: self.exchange(method, path, query, body))
        if not 200 <= answer.status < 300:
            raise self.refused(f"{method} {path}", answer)
        return answer

    def shaped(self, value: object, shape: type[_Record], where: str) -> _Record:
        """A record of an answer (strict JSON already) in the Struct `shape` that names the fields read;
        a field of another type is the vendor's error naming the request and the place."""
        try:
            return shapes.convert(value, shape)
        except msgspec.ValidationError as exc:
            raise self.error(f"{where}: not a record {self.vendor} sends ({console_line(str(exc))[:120]})") from None
