"""Microsoft 365 usage reports for the usage rules: tenant-wide, one request per report, read as a stream.

Requests, only when a policy has a `usage:` section or a rule whose changes depend on data size
(its `reads` declare the storage columns, auditor.data.usage_data.STORAGE_FIELDS), and only the reports
those need (auditor/data/usage_data.py maps workloads to reports and columns):

    GET /admin/reportSettings                      displayConcealedNames (ReportSettings.Read.All, optional)
    GET /reports/getOffice365ActiveUserDetail(period='D90')   302 -> pre-authenticated CSV download
    GET /reports/getM365AppUserDetail(period='D90')           302 -> CSV
    GET /reports/getMailboxUsageDetail(period='D7')           302 -> CSV (mailbox size, archive, item count)
    GET /reports/getOneDriveUsageAccountDetail(period='D7')   302 -> CSV (OneDrive size, by Owner Principal Name)
    GET /copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90',version='v2')   200 CSV, or 302 -> CSV

The period is the shortest one covering the policies' longest `days` (30, 90 or 180; the Copilot
report has no 30, so 90 or 180), so a blank last activity date means no activity in the window.
The two storage reports are always read with D7: their sizes are those of the refresh date.

Redirects: Graph answers the report request with 302 and a `Location` that needs no token. The
SDK is told not to follow it; the Location must be https (http only on loopback), carry no user
credentials, and is then read through the SDK's HTTP client without the authentication provider,
so the bearer token never leaves for the download host. A Location on the Graph endpoint itself is
held to the @odata.nextLink rules (same scheme, host, port and path prefix) and read like any Graph
request, with the token. Whichever way the report comes (a download, a 200 answer to the report
request, a Location on the Graph endpoint), it gets the report's bounds, MAX_REPORT_BYTES and
DOWNLOAD_DEADLINE, not a page's (64 MiB, 180 s). A download that fails (the URL lives a few
minutes) asks for the report again, a few times.

The Copilot report: Microsoft documents it under /copilot/reports on v1.0 and on beta, with a
`version` parameter ("`v1` (default) and `v2`"); it is asked in v2, whose columns carry Copilot
Chat (work) and Copilot agents apart. It lists only the users who hold a Microsoft 365 Copilot
license. It is asked on the endpoint's version first; when that answers 400
or 404 (the segment unknown there) and the endpoint ends in /v1.0, the same path on /beta is asked
(same host, same token). Every report is documented for the global service only: in the US
Government and China clouds none is asked and each needed one is a named gap.

Concealed names: when /admin/reportSettings says displayConcealedNames, or the rows carry no user
principal name at all (hashes; also when the setting could not be read), the usage is a named gap
(the tool never changes the setting): joining hashes to users would read as "everyone inactive".
"""

from __future__ import annotations

import asyncio
import codecs
import csv
from array import array
from bisect import bisect_left
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator, Sequence
from urllib.parse import urljoin, urlsplit

import httpx

from auditor.common.errors import AuthError, CollectionError, Stopped, clean_message
from auditor.data.model import Cloud, Gap, User
from auditor.data.usage_data import (
    CONCEALED_REASON,
    STORAGE_REPORTS,
    USAGE_REPORTS,
    Report,
    ReportRead,
    UsageNeed,
    UsageReports,
)
from auditor.data.usage_rows import BadReport, ColumnsMissing, PeriodMismatch, RowReader, merge_rows

from .auth import Permission, TokenClaims, describe_missing
from .bounded import ANSWER_LIMIT, ResponseTooLarge, UnexpectedEncoding
from .client import REDIRECT_STATUS, GraphClient, GraphRequestError, together
from .clouds import beta_base
from .hosts import LOOPBACK
from .progress import Progress

REPORTS_PERMISSION = Permission(
    "Reports.Read.All", "reading the Microsoft 365 usage reports (usage rules)", frozenset(("Reports.Read.All",))
)
SETTINGS_PERMISSION = Permission(
    "ReportSettings.Read.All",
    "reading whether usage reports conceal user names",
    frozenset(("ReportSettings.Read.All", "ReportSettings.ReadWrite.All")),
)
SETTINGS_PATH = "/admin/reportSettings"
# how Graph answers a report this cloud or version does not offer: the segment unknown (400, 404), or
# not implemented there (501)
NOT_OFFERED = (400, 404, 501)
# One report is one answer for the whole tenant: about 300 bytes a user in the widest report, so
# 4 GiB covers ten million users; it only stops an answer that never ends.
MAX_REPORT_BYTES = 4 * 1024**3
DOWNLOAD_DEADLINE = 1800.0  # seconds for one download, headers and body
# A row is a user's UPN, name, dates and product names: a few hundred characters. A longer one is
# not a report Microsoft writes, and holding it would cost memory up to the download limit.
MAX_RECORD = 1024 * 1024
DOWNLOAD_ATTEMPTS = 3  # report requests (each with a fresh download URL) before giving up
_CLOUD_NAMES = {
    Cloud.WORLDWIDE: "the global service",
    Cloud.USGOV: "US Government L4 (GCC High)",
    Cloud.USGOV_DOD: "US Government L5 (DoD)",
    Cloud.CHINA: "China (21Vianet)",
}


class _Unavailable(Exception):
    """The report is not offered where it was asked (400/404 for its path)."""


class _Empty(Exception):
    """The report came without even its header row (no data yet): a named gap."""


# what stops one report's read short of an error of the run (read_report): each is a named gap here
NOT_READ = (_Unavailable, _Empty, ColumnsMissing, PeriodMismatch)


class UsageCollection:
    """The usage reports `need` names, read in steps that overlap the rest of the collection:
    `prepare` (the cloud, the permission, whether names are concealed) beside the users listing;
    `page` with each page of users as it is read (their UPNs become the keys that decide which
    rows are kept); `start` once the last partitions of the users are being read: every report
    is asked for, and each answer (a download URL, or the report itself) waits for the keys;
    `read` once the users are in (it starts the reports if `start` was not called)."""

    def __init__(self, client: GraphClient, need: UsageNeed, progress: Progress, claims: TokenClaims | None) -> None:
        self.client = client
        self.need = need
        self.progress = progress
        self.claims = claims
        self.keys = UpnKeys()
        self._blocked: list[Gap] | None = None  # set by prepare: the reports cannot be read
        self._reports: list[Report] = []  # set by prepare: the reports to read (those the cloud offers)
        self._prepared: asyncio.Future[None] | None = None
        self._reading: asyncio.Future[tuple[UsageReports | None, list[Gap]]] | None = None
        self._keys_complete = asyncio.Event()

    def page(self, users: Sequence[User]) -> None:
        self.keys.add(u.user_principal_name for u in users)

    def prepare(self) -> Awaitable[None]:
        """Everything that does not need the users: a report not offered in this cloud, the
        permission missing, or concealed names (/admin/reportSettings) blocks the reports. Done once."""
        if self._prepared is None:
            self._prepared = asyncio.ensure_future(self._prepare())
        return self._prepared

    def start(self) -> None:
        """Ask for the reports now; their rows are kept once `read` says the keys are complete."""
        if self._reading is None:
            self._reading = asyncio.ensure_future(self._read())

    async def read(self) -> tuple[UsageReports | None, list[Gap]]:
        """The usage rows of the users seen by `page`, or (None, gaps) when any report cannot be
        read as a whole (the usage rules are then not evaluated). A gap is the first report's,
        in the order `need` names them. Call it once every page of users has been seen."""
        self._keys_complete.set()
        self.start()
        assert self._reading is not None
        return await self._reading

    async def cancel(self) -> None:
        """Stop what was started (the users could not be read: the reports are not used)."""
        started = [f for f in (self._reading, self._prepared) if f is not None]
        for f in started:
            f.cancel()
        await asyncio.gather(*started, return_exceptions=True)

    async def _prepare(self) -> None:
        client = self.client
        cloud = _CLOUD_NAMES.get(client.cloud, client.cloud.value)
        offered = [r for r in self.need.report_list() if client.cloud in r.clouds]
        # A storage report the cloud does not offer is no gap: no rule's findings rest on it, and a
        # gap nobody can close would fail every audit there; the sizes stay unknown (the changes
        # that rest on them wait: TenantIndex.storage_unknown names the cloud).
        for r in self.need.report_list():
            if r not in offered and r.name in STORAGE_REPORTS:
                self.progress.note(
                    f"usage: Microsoft Graph offers {r.name} in the global service only, not in "
                    f"{cloud}; no mailbox or OneDrive size is read"
                )
        gaps = [
            Gap(
                USAGE_REPORTS,
                f"GET {r.request(self.need.days)}",
                f"Microsoft Graph offers {r.name} in the global service only, not in {cloud}",
            )
            for r in self.need.report_list()
            if r not in offered and r.name not in STORAGE_REPORTS
        ]
        self._reports = offered
        reports = offered
        if not reports or gaps:
            self._blocked = gaps or None
            return
        roles = report_roles(self.claims)
        if roles is not None and not (REPORTS_PERMISSION.satisfied_by & roles):
            missing = describe_missing((REPORTS_PERMISSION,))
            self._blocked = [Gap(USAGE_REPORTS, f"GET {reports[0].request(self.need.days)}", missing)]
        elif await reports_concealed(client, self.progress, roles):
            self._blocked = [Gap(USAGE_REPORTS, f"GET {SETTINGS_PATH}", CONCEALED_REASON)]

    async def _read(self) -> tuple[UsageReports | None, list[Gap]]:
        await self.prepare()
        if self._blocked is not None:
            return None, self._blocked
        reports = self._reports
        if not reports:
            return UsageReports(()), []
        outcomes = await together(*(self._one(report) for report in reports))
        gaps = [outcome for outcome in outcomes if isinstance(outcome, Gap)]
        if gaps:  # each report that could not be read is named
            return None, gaps
        readers = [reader for reader, _ in outcomes]
        read = [
            ReportRead(r.name, r.period(self.need.days), reader.refreshed, request, reader.columns)
            for r, (reader, request) in zip(reports, outcomes, strict=True)
        ]
        for r, (reader, _) in zip(reports, outcomes, strict=True):
            self.progress.note(
                f"usage: {r.name} read ({reader.seen:,} rows, {len(reader.rows):,} of the tenant's users)"
            )
        return UsageReports(tuple(read), merge_rows(readers)), []

    async def _one(self, report: Report) -> tuple[RowReader, str] | Gap:
        reader = RowReader(report, self.keys, self.need.fields, report.period(self.need.days))
        try:
            request = await read_report(self.client, report, self.need.days, reader, self._keys_complete)
        except _Unavailable as exc:
            return Gap(USAGE_REPORTS, str(exc.args[0]), str(exc.args[1]))
        # Microsoft renamed or dropped a column a rule reads, or answered for another period
        except (ColumnsMissing, PeriodMismatch) as exc:
            return Gap(USAGE_REPORTS, f"GET {report.request(self.need.days)}", exc.reason())
        except _Empty as exc:
            return Gap(USAGE_REPORTS, f"GET {report.request(self.need.days)}", str(exc))
        except (AuthError, Stopped):
            raise
        except GraphRequestError as exc:
            reason = f"Graph answered {exc.status} {exc.code}: {exc.graph_message}".strip().rstrip(":")
            if exc.status != 403:  # a 5xx past the retries, another 4xx: the report's gap, not the run's end
                return Gap(USAGE_REPORTS, exc.request, reason)
            return Gap(
                USAGE_REPORTS,
                exc.request,
                f"{reason} (needs the application permission {REPORTS_PERMISSION.name}, with admin consent)",
            )
        except CollectionError as exc:  # an answer that is not the report Microsoft documents: its gap
            return Gap(USAGE_REPORTS, f"GET {report.request(self.need.days)}", str(exc))
        if reader.concealed:
            return Gap(USAGE_REPORTS, request, CONCEALED_REASON)
        return reader, request


class UpnKeys:
    """Whether a UPN (any case) is one of the users', for keeping report rows: each user's
    lower-case UPN as an 8-byte hash in a sorted array (a set of a million strings took about
    150 MB while the reports were read). Filled page by page while the users are listed (a page
    read twice adds its hashes twice: harmless), sorted once, when first asked (`seal`: after
    the reports' requests have gone out). A hash collision keeps a row no user reads; harmless too."""

    def __init__(self, upns: Iterable[str] = ()) -> None:
        self._hashes = array("q", map(hash, map(str.lower, upns)))
        self._sealed = False

    def add(self, upns: Iterable[str]) -> None:
        if self._sealed:
            raise RuntimeError("UpnKeys: add after seal")
        self._hashes.extend(map(hash, map(str.lower, upns)))

    def seal(self) -> None:
        if not self._sealed:
            self._hashes = array("q", sorted(self._hashes))
            self._sealed = True

    def __contains__(self, upn: object) -> bool:
        if not isinstance(upn, str):
            return False
        self.seal()
        key = hash(upn.lower())
        i = bisect_left(self._hashes, key)
        return i < len(self._hashes) and self._hashes[i] == key


def report_roles(claims: TokenClaims | None) -> frozenset[str] | None:
    """The app-only token's roles; None when they say nothing (opaque or delegated token)."""
    return None if claims is None else claims.app_roles


async def reports_concealed(client: GraphClient, progress: Progress, roles: frozenset[str] | None) -> bool:
    """Whether the tenant conceals user names in reports, as far as /admin/reportSettings says.
    Without ReportSettings.Read.All (or on 403) the rows themselves tell (RowReader.concealed)."""
    if roles is not None and not (SETTINGS_PERMISSION.satisfied_by & roles):
        progress.note("usage: the app lacks ReportSettings.Read.All; concealed names are told from the reports")
        return False
    try:
        doc = await client.get(SETTINGS_PATH)
    except (AuthError, Stopped):
        raise
    except GraphRequestError as exc:
        progress.note(f"usage: {SETTINGS_PATH} answered {exc.status}; concealed names are told from the reports")
        return False
    except CollectionError:  # not JSON: the setting is not known, and the rows tell
        progress.note(f"usage: {SETTINGS_PATH} answered no JSON; concealed names are told from the reports")
        return False
    # Graph's reference shows the object wrapped in "value"; the service answers it bare
    inner = doc.get("value") if isinstance(doc, dict) and isinstance(doc.get("value"), dict) else doc
    flag = inner.get("displayConcealedNames") if isinstance(inner, dict) else None
    if not isinstance(flag, bool):  # an answer Graph does not document: the rows tell, as without the setting
        progress.note(
            f"usage: {SETTINGS_PATH} returned no displayConcealedNames true or false; concealed names are told "
            "from the reports"
        )
        return False
    return flag


async def read_report(
    client: GraphClient, report: Report, days: int, reader: RowReader, ready: asyncio.Event | None = None
) -> str:
    """Read one report into `reader`; the request as it was sent (for the snapshot's evidence).
    `ready`: rows are read only once it is set (the answer itself is asked for at once)."""
    path = report.request(days)
    try:
        return await _read_at(client, client.url(path), reader, ready=ready)
    except GraphRequestError as exc:
        if not report.beta_fallback or exc.status not in NOT_OFFERED:
            if exc.status in NOT_OFFERED:
                raise _Unavailable(
                    exc.request,
                    f"Graph does not offer {report.name} here: {exc.status} {exc.code}: {exc.graph_message}",
                ) from None
            raise
        first = exc
    beta = beta_base(client.base_url)
    if beta is None:
        raise _Unavailable(
            first.request,
            f"Graph does not offer {report.name} on this endpoint ({first.status} "
            f"{first.code}) and it is not a /v1.0 endpoint to try /beta on",
        )
    try:
        return await _read_at(client, beta + path, reader, f"GET {path} (beta)", ready)
    except GraphRequestError as exc:
        if exc.status not in NOT_OFFERED:
            raise
        raise _Unavailable(
            exc.request,
            f"Graph offers {report.name} neither on v1.0 ({first.status} {first.code}) "
            f"nor on beta ({exc.status} {exc.code})",
        ) from None


async def _read_at(
    client: GraphClient, url: str, reader: RowReader, shown: str | None = None, ready: asyncio.Event | None = None
) -> str:
    what = shown or client.describe(url)
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        # the report request itself may answer with the report (200): the download's bounds, not a page's
        response = await client.fetch(
            url,
            headers={"Accept": "text/csv, application/octet-stream"},
            follow=False,
            max_bytes=MAX_REPORT_BYTES,
            deadline=DOWNLOAD_DEADLINE,
        )
        if response.status_code not in REDIRECT_STATUS:
            await _when(ready)
            _parse(reader, _pieces(response.content), what)
            return what
        raw = response.headers.get("location", "").strip()
        if not raw:
            raise CollectionError(
                f"{what} answered {response.status_code} without a Location; re-run, and report it if it persists"
            )
        location = urljoin(url, raw)  # a relative Location is allowed
        target = _download_url(client, location, what, url)
        if target is None:  # on the Graph endpoint itself: a Graph request like any other
            answer = await client.fetch(
                location,
                headers={"Accept": "text/csv, application/octet-stream"},
                max_bytes=MAX_REPORT_BYTES,
                deadline=DOWNLOAD_DEADLINE,
            )
            await _when(ready)
            _parse(reader, _pieces(answer.content), what)
            return what
        try:
            await _when(ready)
            await _download(client, target, reader, what)
            return what
        except _DownloadFailed as exc:
            if attempt == DOWNLOAD_ATTEMPTS:
                raise CollectionError(
                    f"{what}: the report's download failed {DOWNLOAD_ATTEMPTS} times ({exc}); "
                    "nothing partial was used — re-run later"
                ) from None
            client.progress.waiting(what, f"the report's download failed ({exc})", 0.0, attempt, DOWNLOAD_ATTEMPTS)
            reader.reset()  # the next download starts the report over
    raise AssertionError("unreachable")


async def _when(ready: asyncio.Event | None) -> None:
    if ready is not None:
        await ready.wait()


def _download_url(client: GraphClient, location: str, what: str, asked: str) -> str | None:
    """The checked download URL; None when it points at the Graph endpoint itself (then it must
    pass the @odata.nextLink rules and is read with the token, like any Graph request)."""
    try:
        parts = urlsplit(location)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        host, port, parts = "", None, urlsplit("")
    shown = f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path}"[:120] if host else "(none)"
    if not host or parts.scheme not in ("https", "http") or (parts.scheme == "http" and host not in LOOPBACK):
        raise CollectionError(
            f"{what} redirected to {shown}, which is not an https URL; stopped without "
            "following it — check for a proxy rewriting Graph's answers"
        )
    if parts.username is not None or parts.password is not None:
        raise CollectionError(
            f"{what} redirected to a URL with user credentials ({shown}); stopped without following it"
        )
    graph = urlsplit(client.base_url)
    same = (parts.scheme, host, port or (443 if parts.scheme == "https" else 80)) == (
        graph.scheme,
        (graph.hostname or "").lower(),
        graph.port or (443 if graph.scheme == "https" else 80),
    )
    if same:
        client.check_link(location, what, {asked})  # and not back to the report request itself
        return None
    return location


class _DownloadFailed(Exception):
    pass


async def _download(client: GraphClient, url: str, reader: RowReader, what: str) -> None:
    """Stream the CSV from a pre-authenticated URL: no Authorization header (the SDK's HTTP
    client without its authentication provider), no redirects to follow, bounded in size and time."""

    try:
        async with asyncio.timeout(DOWNLOAD_DEADLINE):
            async with client.http.stream(
                "GET",
                url,
                headers={"Accept": "text/csv, application/octet-stream"},
                extensions={ANSWER_LIMIT: MAX_REPORT_BYTES},
            ) as response:
                if response.status_code != 200:
                    raise _DownloadFailed(f"HTTP {response.status_code}")
                await _parse_stream(reader, response.aiter_raw(), what)
    except (ResponseTooLarge, UnexpectedEncoding) as exc:
        raise CollectionError(f"{what}: the report's download: {exc}; stopped reading it") from None
    except TimeoutError:
        raise _DownloadFailed(f"not finished within {DOWNLOAD_DEADLINE:.0f}s") from None
    except (AuthError, CollectionError):
        raise
    except httpx.HTTPError as exc:
        raise _DownloadFailed(f"{type(exc).__name__}: {clean_message(str(exc))[:200]}") from None


async def _parse_stream(reader: RowReader, chunks: AsyncIterator[bytes], what: str) -> None:
    feed = _Feeder(reader, what)
    async for chunk in chunks:
        feed.chunk(chunk)
    feed.end()


def _pieces(body: bytes, size: int = 1024 * 1024) -> Iterator[bytes]:
    """A whole answer in 1 MiB pieces: decoded and split at once, a large report would be held
    three times over (bytes, text, lines)."""
    view = memoryview(body)
    for start in range(0, len(body), size):
        yield bytes(view[start : start + size])


def _parse(reader: RowReader, chunks: Iterable[bytes], what: str) -> None:
    feed = _Feeder(reader, what)
    for chunk in chunks:
        feed.chunk(chunk)
    feed.end()


class _Feeder:
    """Bytes in, CSV records out, one at a time: a record ends at a line break outside quotes, so a
    quoted field holding a line break (a display name) stays one field. UTF-8, with or without the
    byte order mark Microsoft's report files start with. The unfinished last line is kept as a
    list of pieces, joined once its line break comes: re-joining it at every piece of the answer
    made a long line cost its length squared (a 512 KiB line in 64-byte pieces: 2.2 s)."""

    def __init__(self, reader: RowReader, what: str) -> None:
        self.reader = reader
        self.what = what
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self.pending: list[str] = []
        self.pending_size = 0
        self.record: list[str] = []
        self.record_size = 0
        self.quotes = 0

    def chunk(self, data: bytes) -> None:
        try:
            text = self.decoder.decode(data)
        except UnicodeDecodeError:
            raise CollectionError(f"{self.what}: the report is not UTF-8 text; report it") from None
        if "\n" not in text:
            self._hold(text)
            return
        lines = text.split("\n")
        if self.pending:
            lines[0] = "".join(self.pending) + lines[0]
        rest = lines.pop()
        self.pending, self.pending_size = [], 0
        self._hold(rest)
        self.rows([r for r in map(self.line, lines) if r is not None])

    def _hold(self, text: str) -> None:
        if text:
            self.pending.append(text)
            self.pending_size += len(text)
            self._check_size(self.pending_size + self.record_size)

    def _check_size(self, size: int) -> None:
        if size > MAX_RECORD:
            raise CollectionError(
                f"{self.what}: a row of the report is longer than {MAX_RECORD:,} characters; "
                "no report Microsoft documents has such rows — stopped reading it; report it"
            )

    def line(self, line: str) -> str | None:
        """The complete record `line` ends, or None while a quoted field is still open."""
        if len(line) > MAX_RECORD:
            self._check_size(len(line))
        if not self.record and '"' not in line:
            return line  # the common case: a record on one line without quotes
        self.record.append(line)
        self.record_size += len(line) + 1
        self._check_size(self.record_size)
        self.quotes += line.count('"')
        if self.quotes % 2:
            return None
        text = "\n".join(self.record)
        self.record, self.record_size, self.quotes = [], 0, 0
        return text

    def rows(self, records: list[str]) -> None:
        """Parse complete records (one csv.reader per chunk: a reader per record costs 4x)."""
        try:
            for cells in csv.reader(records):
                if cells and cells[-1].endswith("\r"):
                    cells[-1] = cells[-1][:-1]
                self.reader.row(cells)
        except (ColumnsMissing, PeriodMismatch):
            raise  # a named gap (UsageCollection._one), not a failed audit
        except (csv.Error, BadReport) as exc:
            raise CollectionError(
                f"{self.what}: the report's CSV is not as Microsoft documents it: {exc}; report it"
            ) from None

    def end(self) -> None:
        try:
            rest = "".join(self.pending) + self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise CollectionError(f"{self.what}: the report is not UTF-8 text; report it") from None
        self.pending, self.pending_size = [], 0
        if rest:
            self.rows([r for r in (self.line(rest),) if r is not None])
        if self.record:
            raise CollectionError(f"{self.what}: the report ends inside a quoted field (truncated); re-run")
        if self.reader.index is None:
            raise _Empty(
                f"{self.reader.report.name} is empty (not even its header row): a new tenant's reports "
                "hold no data yet (Microsoft fills them within about 48 hours); the usage rules are not "
                "evaluated for any user in this run; the rest of the audit ran"
            )
