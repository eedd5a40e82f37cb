"""What became of each tenant's e-mail in `audit --tenants` (auditor.fleet.run), said on stderr after
the run: sent to whom, or not sent and why. A tenant's audit says it in its own audit.log; the run's
own lines said nothing of it, so a run without --smtp-host looked like one that had mailed."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from auditor.common.errors import clean_message

from .rollup import Outcome

_SENT = re.compile(r"^e-mailed .* to (?P<to>.+?) via (?P<via>\S+(?: \([^)]*\))?),", re.MULTILINE)


def say_mailed(outcomes: Sequence[Outcome], root: Path, *, sends: bool) -> None:
    """Each tenant's e-mail, sent or not and why (stderr): without --smtp-host or --sender one line for
    the run, else one per tenant."""
    if not sends:
        having = sum(1 for o in outcomes if o.job.email_to)
        if having:
            print(
                f"license-auditor: no e-mail sent: the tenants file gives {having} of {len(outcomes)} tenants an "
                "email_to; give --smtp-host HOST --from ADDR (or --sender) to send each its report",
                file=sys.stderr,
            )
        return
    for outcome in outcomes:
        print(clean_message(f"  {outcome.job.key}: {_mailed(outcome, root)}"), file=sys.stderr)


def _mailed(outcome: Outcome, root: Path) -> str:
    """What became of the tenant's e-mail in a run that sends, and why, as its audit's log says: sent to
    whom, or not sent for lack of an email_to, of a report, of a change since the last run, or because
    sending failed."""
    to = outcome.job.email_to.replace(",", ", ")
    if not to:
        return "no e-mail: the tenants file gives it no email_to"
    if outcome.status == "failed":
        return f"no e-mail to {to}: its audit failed"
    try:
        log = (root / outcome.job.key / "audit.log").read_text("utf-8", errors="replace")
    except OSError:
        log = ""
    if (sent := _SENT.search(log)) is not None:
        return f"e-mailed to {sent['to']} via {sent['via']}"
    if "nothing changed since the last run" in log:
        return f"no e-mail to {to}: nothing changed since the last run (--notify-when)"
    return f"e-mail to {to} not sent: see {root / outcome.job.key / 'audit.log'}"
