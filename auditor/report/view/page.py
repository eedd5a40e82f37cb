"""What every page of one report is rendered with (PageContext): what report.html and report.md share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from auditor.data.model import Cloud, Locale
from auditor.report.view.findings import RowMemo
from auditor.report.view.states import FindingState
from auditor.report.wording_api import Wording


@dataclass(frozen=True)
class PageContext:
    """What every page of one report is rendered with: the reader's language, the cloud whose steps it
    shows, the wording, whether people are pseudonymised, and what the caller worked out once for all its
    pages: the plan's header line (auditor.plan.plan_header), each finding's state in the plan
    (auditor.report.view.states.plan_states; None where no plan was compiled, a merged report: the
    findings' own actions say then), and the finding rows already built (RowMemo). Left None, a page
    works them out itself."""

    locale: Locale
    cloud: Cloud
    wording: Wording
    redacted: bool = False
    plan_line: str | None = None
    states: Mapping[str, FindingState] | None = None
    memo: RowMemo | None = None
