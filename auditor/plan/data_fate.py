"""plan.md's section on the users' data: for each removal a data_kept declaration made ready, what
happens to each kind of data and when (docs/plan-and-apply.md cites Microsoft's pages).

- A mailbox whose license goes is disconnected; 30 days later it is deleted. It becomes an
  inactive mailbox only when a hold (litigation hold, a retention policy) covers it and the
  account is then deleted.
- A OneDrive is archived 93 days after it has no license; a retention policy or hold keeps its
  content through its period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor import i18n
from auditor.formats.plan_records import Change
from auditor.render.text import clean


@dataclass(frozen=True)
class DataRow:
    who: str  # the user and the change, who declared, until when
    fates: tuple[str, ...]  # one sentence per kind of data


def data_rows(t: i18n.Translations, changes: Sequence[Change]) -> tuple[DataRow, ...]:
    """One row per change and declaration that allowed it, in plan order."""
    kept_names = {
        "retention": t.pgettext("data_kept_retention", "a retention policy"),
        "litigation_hold": t.pgettext("data_kept_litigation_hold", "a litigation hold"),
        "not_needed": t.pgettext("data_kept_not_needed", "not needed"),
    }
    rows = []
    for c in changes:
        for record in c.data_kept:
            kinds = set(record.get("kinds") or ())
            fates = []
            mailbox, files = record.get("mailbox"), record.get("files")
            if kinds & {"mailbox", "archive"} and mailbox == "converted_to_shared":
                fates.append(
                    t.pgettext(
                        "data_fate_shared",
                        "Mailbox: converted to a shared mailbox, as declared; convert it before this "
                        "change runs: a user mailbox left unconverted is disconnected 30 days after its license goes.",
                    )
                )
            elif kinds & {"mailbox", "archive"}:
                fates.append(
                    t.pgettext(
                        "data_fate_mailbox",
                        "Mailbox and archive ({kept}): disconnected when the license goes; a new "
                        "license within 30 days reconnects it, and it is kept beyond that, as an inactive mailbox, "
                        "only if a hold covers it when the account is deleted.",
                        kept=kept_names.get(str(mailbox), clean(str(mailbox), 40)),
                    )
                )
            if "files" in kinds:
                fates.append(
                    t.pgettext(
                        "data_fate_files",
                        "OneDrive ({kept}): archived 93 days after it has no license; a retention "
                        "policy or hold keeps its content through its period.",
                        kept=kept_names.get(str(files), clean(str(files), 40)),
                    )
                )
            who = t.pgettext(
                "data_fate_who",
                "{user}, change {n}: declared by {accepted_by}, until {expires}",
                user=clean(str(record.get("subject") or c.user), 200),
                n=c.n,
                accepted_by=clean(str(record.get("accepted_by") or ""), 200),
                expires=i18n.format_date(str(record.get("expires") or ""), t.locale),
            )
            rows.append(DataRow(who, tuple(fates)))
    return tuple(rows)
