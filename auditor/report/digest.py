"""The digest: the e-mail's body (digest.html and its plain-text twin digest.txt), written beside
the full report. Built from the same report document, locale and plan as report.html
(auditor.report.view.digest has what it shows and its caps)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import ReportDocument
from auditor.render.environment import html_environment
from auditor.report.view.digest import DigestView, build_digest
from auditor.report.view.states import FindingState
from auditor.report.wording_api import Wording

DIGEST_HTML = "digest.html"
DIGEST_TEXT = "digest.txt"


def render_digest(
    document: ReportDocument,
    *,
    locale: Locale,
    cloud: Cloud,
    wording: Wording,
    plan_line: str = "",
    states: Mapping[str, FindingState] | None = None,
    headlines: Sequence[str] = (),
    bill: Sequence[str] = (),
    redacted: bool = False,
) -> tuple[str, str]:
    """(HTML, plain text) of the digest; see build_digest for the arguments."""
    view = build_digest(
        document,
        locale=locale,
        cloud=cloud,
        wording=wording,
        plan_line=plan_line,
        states=states,
        headlines=headlines,
        bill=bill,
        redacted=redacted,
    )
    html: str = html_environment().get_template("digest.html.j2").render(d=view, t=view.t)
    return html, digest_text(view)


def _top(d: DigestView) -> list[str]:
    """The title line, the status, the money and the plan."""
    t = d.t
    lines = [
        f"{t.pgettext('report_title', 'Microsoft 365 license audit')} · {d.tenant_name} · {d.as_of}",
        *(
            [t.pgettext("sign_ins_read_on", "Sign-in activity read in full on {date}", date=d.sign_ins_read)]
            if d.sign_ins_read
            else []
        ),
        *([d.why] if d.why else []),
        d.status_text + (f" ({d.severities})" if d.severities else ""),
    ]
    if d.problems:
        lines.append(t.pgettext("config_problems_title", "The configuration says what this run could not use:"))
        lines += [f"- {p}" for p in d.problems]
    if d.money:  # the money story (auditor.plan.money), else the two amounts of a report without one
        lines.append(" ".join(d.money))
    else:
        lines += [
            f"{t.pgettext('unused_spend', 'Unused licenses per month')}: {d.unused}",
            f"{t.pgettext('digest_reclaimable', 'Reclaimable per month')}: {d.reclaimable}",
        ]
    if d.plan:
        lines.append(f"{t.pgettext('plan_header', 'Plan')}: {d.plan}")
    if d.redacted:
        lines.append(
            t.pgettext("redacted_note", "Names and user principal names in this report are replaced by pseudonyms.")
        )
    return lines


def _new_since(d: DigestView) -> list[str]:
    """What is new since the last run, by rule; or that there was nothing to compare with."""
    t = d.t
    lines = _heading(t.pgettext("digest_new_title", "New since the last run"))
    if d.compared:
        line = t.pgettext(
            "digest_new_resolved", "New: {new} · Resolved: {resolved}", new=d.new_total, resolved=d.resolved
        )
        if d.not_rechecked:
            line += " · " + t.pgettext("digest_not_rechecked", "not re-checked: {n}", n=d.not_rechecked)
        lines.append(line)
        for g in d.new_groups:
            names = (": " + ", ".join(g.names)) if g.names else ""
            lines.append(f"- [{g.severity_label}] {g.title} ({g.count}){names}{' ' + g.more if g.more else ''}")
    else:
        lines.append(
            t.pgettext(
                "digest_no_baseline",
                "Not compared with an earlier run: give --baseline or --history to see what is new.",
            )
        )
    return lines


def _tenants(d: DigestView) -> list[str]:
    """A merged report's line per tenant, and the findings across tenants."""
    t = d.t
    if not d.tenants:
        return []
    lines = _heading(t.pgettext("digest_tenants_title", "Tenants"))
    for tenant in d.tenants:
        new = f", {tenant.new_count}" if tenant.new_count else ""
        lines.append(f"- {tenant.name}: {tenant.status}; {tenant.open_count}{new}; {tenant.unused}")
    if d.tenants_more:
        lines.append(d.tenants_more)
    if d.cross:
        lines.append(t.pgettext("digest_cross_title", "Across tenants") + ":")
        lines.extend(f"- [{r.severity_label}] {r.title}: {r.open_count}" for r in d.cross)
    return lines


def digest_text(d: DigestView) -> str:
    """The digest as plain text: the same parts as the HTML, in the same order."""
    t = d.t
    lines = [*_top(d), *_headed(d.bill_title, d.bill), *_headed(d.headlines_title, d.headlines)]
    lines += [*_new_since(d), *_tenants(d)]
    lines += _heading(t.pgettext("digest_actions_title", "Top actions"))
    for a in d.actions:
        products = f" · {a.products}" if a.products else ""
        cost = f" · {a.cost}" if a.cost else ""
        lines.append(f"- {a.title}: {a.subject}{products}{cost} · {a.state}")
    if not d.actions:
        lines.append(t.pgettext("no_findings", "No open findings for the rules that were evaluated."))
    lines += _heading(t.pgettext("rules_title", "Findings per rule"))
    for r in d.rules:
        lines.append(f"- [{r.severity_label}] {r.title}: {r.open_count}{' · ' + r.new_count if r.new_count else ''}")
    if d.rules_more:
        lines.append(d.rules_more)
    lines += _headed(t.pgettext("in_use_title", "Licenses in use"), d.in_use)
    lines += _headed(d.distributor_title, d.distributor)
    lines += _headed(d.psa_title, d.psa)
    lines += [
        "",
        t.pgettext(
            "digest_where",
            "The full report, with the steps for every finding, is report.html; "
            "every finding is in findings.csv. Both are attached to this e-mail and kept with the "
            "run.",
        ),
    ]
    return "\n".join(lines) + "\n"


def _headed(title: str, lines: Sequence[str]) -> list[str]:
    """`lines` under their heading; nothing without lines."""
    return [*_heading(title), *lines] if lines else []


def _heading(title: str) -> list[str]:
    # underlined rather than upper-cased: str.upper() does not know Turkish (i -> İ)
    return ["", title, "-" * len(title)]
