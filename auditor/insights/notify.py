"""`--notify-webhook URL --notify-format teams|slack`: post a short summary of the run to a chat.

teams  a message with one Adaptive Card (1.4), the shape a Teams Workflows "post to a channel when
       a webhook request is received" flow takes: {"type": "message", "attachments": [{"contentType":
       "application/vnd.microsoft.card.adaptive", "content": {AdaptiveCard}}]}. Tenant text sits in
       RichTextBlock TextRuns, which render no Markdown, so a name cannot become a link or heading.
slack  an incoming-webhook message: {"text": fallback, "blocks": [header, section, ...]}. Tenant
       text sits in plain_text objects (no mrkdwn) and &, < and > are escaped as Slack asks.

Both say: the status, open findings with the new and resolved counts (the first few of each),
the products with the most unused spend, and a link to the CI run when GITHUB_* say where it is.

The URL is a secret (whoever has it can post): it is taken from --notify-webhook or the
AUDITOR_NOTIFY_WEBHOOK environment variable and never printed; messages name only its host. It
must be https (plain http only to a loopback address, for tests). A failure to post (no answer,
no whole answer within DEADLINE, a host name that cannot be encoded or resolved, not 2xx) is a
DeliveryError (exit 4, like e-mail).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import NotRequired, TypedDict
from urllib.parse import urlsplit

from auditor import i18n
from auditor.common.errors import DeliveryError, UsageError
from auditor.common.numbers import whole_number
from auditor.data.model import Locale
from auditor.delivery.options import is_loopback
from auditor.formats.report_model import BaselineChanges, ReportDocument, ReportFinding
from auditor.plan.bill_view import urgent_lines
from auditor.render.text import clean
from auditor.report.wording_api import Wording, default_wording

FORMATS = ("teams", "slack")
ENV = "AUDITOR_NOTIFY_WEBHOOK"
LIST_CAP = 5
COST_CAP = 3
TIMEOUT = 20.0  # seconds to connect, or between two reads
DEADLINE = 60.0  # seconds for the whole post, retries and their waits included
RETRY_STATUS = (429, 502, 503, 504)
ATTEMPTS = 3
SEVERITIES = ("critical", "high", "medium", "low")


def webhook_url(flag: str | None, environ: Mapping[str, str]) -> str | None:
    """The URL from the flag, else the environment; UsageError (without the URL) when it is not one."""
    url = (flag or environ.get(ENV) or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number in range)
    except ValueError:
        raise UsageError("--notify-webhook: not a URL") from None
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and host and is_loopback(host):
        return url
    raise UsageError(
        f"--notify-webhook: the webhook must be an https URL (got a {parts.scheme or 'schemeless'} URL"
        f"{' for ' + host if host else ''}); plain http is allowed only to localhost"
    )


# --- what the message says ------------------------------------------------------------------


class _Summary:
    """The facts both formats show, localised, every tenant value cleaned (not yet escaped)."""

    def __init__(self, document: ReportDocument, run_url: str | None, wording: Wording) -> None:
        try:
            locale = Locale(document.locale or "en")
        except ValueError:
            locale = Locale.EN
        t = i18n.translations(locale)
        self.t = t
        summary = document.summary
        self.tenant = clean(document.tenant.name or document.tenant.id, 120)
        complete = document.complete
        unwaived = summary.unwaived
        self.status = "incomplete" if not complete else ("findings" if unwaived else "ok")
        self.status_text = {
            "incomplete": t.pgettext("status_incomplete", "Incomplete report: not every rule was evaluated"),
            "findings": t.pgettext("status_findings", "Findings need attention"),
            "ok": t.pgettext("status_compliant", "Compliant: no open findings"),
        }[self.status]
        self.title = t.pgettext("notify_title", "License audit: {tenant}", tenant=self.tenant)
        changes = document.changes if isinstance(document.changes, BaselineChanges) else None
        new = [f for f in document.findings if f.change == "new" and not f.waived]
        resolved: list[ReportFinding] = changes.resolved if changes else []

        def num(n: float) -> str:
            return i18n.format_number(n, locale)

        by_sev = summary.by_severity
        severity = ", ".join(f"{num(by_sev.get(s, 0))} {s}" for s in SEVERITIES if by_sev.get(s))
        self.counts = t.npgettext(
            "notify_counts",
            "{n} open finding ({severity}) · {new} new · {resolved} resolved",
            "{n} open findings ({severity}) · {new} new · {resolved} resolved",
            unwaived,
            severity=severity or "–",
            new=num(len(new)) if changes else "–",
            resolved=num(len(resolved)) if changes else "–",
        )

        def line(f: ReportFinding) -> str:
            subject = f.subject
            who = subject.display_name or subject.upn or subject.sku or subject.id
            rule = f.rule
            title = wording.title(rule, locale) if rule in wording.ALL_RULE_IDS else rule
            return clean(f"[{f.severity}] {title}: {who}", 300)

        self.new_title = t.pgettext("changes_new_title", "New findings")
        self.new = [line(f) for f in new[:LIST_CAP]]
        self.new_more = self._more(len(new) - LIST_CAP)
        self.resolved_title = t.pgettext("changes_resolved_title", "Resolved findings")
        self.resolved = [line(f) for f in resolved[:LIST_CAP]]
        self.resolved_more = self._more(len(resolved) - LIST_CAP)
        self.costs_title = t.pgettext("notify_costs", "Most unused spend per month")
        costs = [(s, cost) for s in document.skus if (cost := s.unused_monthly_cost) is not None and cost > 0]
        costs.sort(key=lambda c: -c[1])
        self.costs = [
            clean(f"{s.name or s.sku}: {i18n.format_money(float(cost), s.currency, locale)}", 200)
            for s, cost in costs[:COST_CAP]
        ]
        self.run_url = run_url
        self.open_run = t.pgettext("notify_open_run", "Open the run")
        # a 7-day commerce window closing within 3 days leads: the money is gone the day after
        self.urgent = [clean(line, 400) for line in urgent_lines(document, locale)]

    def _more(self, n: int) -> str:
        if n <= 0:
            return ""
        return self.t.npgettext(
            "list_more", "…and {n} more, listed in report.json.", "…and {n} more, listed in report.json.", n
        )


# --- the payloads: Teams' Adaptive Card message and Slack's Block Kit message ---------------


class TextRun(TypedDict):
    type: str  # "TextRun"
    text: str
    weight: NotRequired[str]
    size: NotRequired[str]
    color: NotRequired[str]
    isSubtle: NotRequired[bool]


class RichTextBlock(TypedDict):
    type: str  # "RichTextBlock"
    inlines: list[TextRun]
    spacing: NotRequired[str]


class OpenUrl(TypedDict):
    type: str  # "Action.OpenUrl"
    title: str
    url: str


# the functional form: `$schema` is no identifier
AdaptiveCard = TypedDict(
    "AdaptiveCard",
    {
        "$schema": str,
        "type": str,
        "version": str,
        "body": list[RichTextBlock],
        "actions": NotRequired[list[OpenUrl]],
    },
)


class CardAttachment(TypedDict):
    contentType: str
    contentUrl: None
    content: AdaptiveCard


class TeamsMessage(TypedDict):
    type: str  # "message"
    attachments: list[CardAttachment]


class PlainText(TypedDict):
    type: str  # "plain_text"
    text: str
    emoji: bool


class Button(TypedDict):
    type: str  # "button"
    text: PlainText
    url: str


class SlackBlock(TypedDict):
    """A header or section block (`text`), or an actions block (`elements`)."""

    type: str
    text: NotRequired[PlainText]
    elements: NotRequired[list[Button]]


class SlackMessage(TypedDict):
    text: str
    mrkdwn: bool
    blocks: list[SlackBlock]


def _run(
    text: str,
    *,
    weight: str | None = None,
    size: str | None = None,
    color: str | None = None,
    isSubtle: bool = False,
) -> TextRun:
    run: TextRun = {"type": "TextRun", "text": text}
    if weight:
        run["weight"] = weight
    if size:
        run["size"] = size
    if color:
        run["color"] = color
    if isSubtle:
        run["isSubtle"] = True
    return run


def _rich(*runs: TextRun, spacing: str | None = None) -> RichTextBlock:
    block: RichTextBlock = {"type": "RichTextBlock", "inlines": list(runs)}
    if spacing:
        block["spacing"] = spacing
    return block


def teams_payload(s: _Summary) -> TeamsMessage:
    colour = {"ok": "Good", "findings": "Warning", "incomplete": "Attention"}[s.status]
    body: list[RichTextBlock] = [
        _rich(_run(s.title, weight="Bolder", size="Medium")),
        *(_rich(_run(f"⚠ {line}", weight="Bolder", color="Attention")) for line in s.urgent),
        _rich(_run(s.status_text, weight="Bolder", color=colour)),
        _rich(_run(s.counts)),
    ]
    for title, lines, more in (
        (s.new_title, s.new, s.new_more),
        (s.resolved_title, s.resolved, s.resolved_more),
        (s.costs_title, s.costs, ""),
    ):
        if not lines:
            continue
        body.append(_rich(_run(title, weight="Bolder"), spacing="Medium"))
        body.extend(_rich(_run(f"• {text}")) for text in lines)
        if more:
            body.append(_rich(_run(more, isSubtle=True)))
    card: AdaptiveCard = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if s.run_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": s.open_run, "url": s.run_url}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def slack_escape(text: str) -> str:
    """&, < and > as Slack asks for them in any text (its control characters for links and mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SLACK_BLOCKS = 50  # Slack's most blocks in one message
_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*)://|(?<=[A-Za-z0-9])\.(?=[A-Za-z]{2,}\b)")


def slack_text(text: str, limit: int) -> str:
    """`text` escaped as Slack asks, then cut to `limit` characters: the limits count what Slack
    receives, so the escaping goes first, and a cut never splits an "&amp;"."""
    escaped = slack_escape(clean(text, 100_000))
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"


def _plain(text: str, limit: int = 2000) -> PlainText:
    return {"type": "plain_text", "text": slack_text(text, limit), "emoji": False}


def _no_links(text: str) -> str:
    """The fallback `text` is read as mrkdwn, where Slack turns a URL or a domain into a link: a
    tenant's name must not become one ("evil.example" reads "evil[.]example", "https://" "https[:]//")."""
    return _URL.sub(lambda m: f"{m.group(1)}[:]//" if m.group(1) else "[.]", text)


def _section(text: str) -> SlackBlock:
    return {"type": "section", "text": _plain(text, 2900)}


def slack_payload(s: _Summary) -> SlackMessage:
    blocks: list[SlackBlock] = [
        {"type": "header", "text": _plain(s.title, 150)},
        *(_section(f"⚠ {line}") for line in s.urgent),
        {"type": "section", "text": _plain(f"{s.status_text}\n{s.counts}", 2900)},
    ]
    for title, lines, more in (
        (s.new_title, s.new, s.new_more),
        (s.resolved_title, s.resolved, s.resolved_more),
        (s.costs_title, s.costs, ""),
    ):
        if lines:
            text = "\n".join([title, *(f"• {line}" for line in lines), *([more] if more else [])])
            blocks.append({"type": "section", "text": _plain(text, 2900)})
    actions: list[SlackBlock] = (
        [{"type": "actions", "elements": [{"type": "button", "text": _plain(s.open_run, 75), "url": s.run_url}]}]
        if s.run_url
        else []
    )
    room = SLACK_BLOCKS - len(actions)
    if len(blocks) > room:  # many urgent windows: the rest is in the report
        blocks = [*blocks[: room - 1], {"type": "section", "text": _plain(s._more(len(blocks) - room + 1), 2900)}]
    return {
        "text": slack_text(_no_links(f"{s.title}: {s.status_text}. {s.counts}"), 3000),
        "mrkdwn": False,
        "blocks": [*blocks, *actions],
    }


def payload(
    document: ReportDocument, fmt: str, run_url: str | None = None, wording: Wording | None = None
) -> TeamsMessage | SlackMessage:
    summary = _Summary(document, run_url, wording or default_wording())
    return teams_payload(summary) if fmt == "teams" else slack_payload(summary)


# --- posting ----------------------------------------------------------------------------------


def post(
    url: str, body: TeamsMessage | SlackMessage, fmt: str, *, timeout: float = TIMEOUT, deadline: float | None = None
) -> None:
    """POST the payload; DeliveryError naming only the webhook's host when it is not accepted
    (2xx). 429 and 502-504 are tried again, at most ATTEMPTS times, after Retry-After (≤ 10 s).
    `timeout` bounds each wait for the network (connect, one read); `deadline` (DEADLINE) the
    whole post, retries included: a server sending one byte every few seconds never trips a read
    timeout, so only this ends the wait."""
    limit = DEADLINE if deadline is None else deadline
    host = urlsplit(url).hostname or "?"
    where = f"the {fmt} webhook at {host}"
    try:
        status = asyncio.run(_post(url, body, where, timeout, limit))
    except TimeoutError:
        raise DeliveryError(
            f"{where} did not finish answering within {limit:g} s; stopped waiting (the summary "
            "may or may not have been posted)"
        ) from None
    if 200 <= status < 300:
        return
    hint = " (is the webhook URL still valid?)" if status in (401, 403, 404, 410) else ""
    raise DeliveryError(f"{where} answered HTTP {status}; the summary was not posted{hint}")


async def _post(url: str, body: TeamsMessage | SlackMessage, where: str, timeout: float, deadline: float) -> int:
    """The last answer's status; TimeoutError past the deadline."""
    import httpx  # httpx: only a run that posts to a webhook loads it

    async with asyncio.timeout(deadline), httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        for attempt in range(ATTEMPTS):
            try:
                response = await client.post(url, json=body)
            except httpx.TimeoutException:
                raise DeliveryError(f"{where} did not answer within {timeout:g} s") from None
            except httpx.InvalidURL:
                raise DeliveryError(f"cannot post to {where}: httpx cannot use the webhook URL") from None
            except httpx.HTTPError as exc:
                reason = " ".join(str(exc).replace(url, "<webhook>").split())[:200] or type(exc).__name__
                raise DeliveryError(f"cannot post to {where}: {reason}") from None
            except UnicodeError:  # the IDNA codec refuses the host name (an empty or 64-letter label, a bad xn--)
                raise DeliveryError(f"cannot post to {where}: not a valid host name") from None
            status = response.status_code
            if status not in RETRY_STATUS or attempt == ATTEMPTS - 1:
                return status
            wait = response.headers.get("Retry-After", "")
            seconds = whole_number(wait)
            await asyncio.sleep(min(float(seconds), 10.0) if seconds is not None else 2.0**attempt)
    raise AssertionError("unreachable")


def notify(document: ReportDocument, url: str, fmt: str, run_url: str | None) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"--notify-format: {fmt!r} is not one of {', '.join(FORMATS)}")
    post(url, payload(document, fmt, run_url), fmt)
