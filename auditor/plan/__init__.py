"""`license-auditor plan`: a report's open findings -> one reviewed, seat-checked change set.

    compile_plan(document, rules=..., min_severity=..., finding_ids=..., graph_root=...) -> ChangePlan
                                                   # pure: compile.py (docs/plan-and-apply.md)
    read.load_report(path) -> dict                 # report.json, checked; UsageError naming the file
    write.write_plan(plan, out_dir, created_at=...)  # plan.json, plan.md, batch-001.json ...
    summary(plan, locale) / plan_header(document, locale)   # the one-line summary
"""

from __future__ import annotations

from auditor.plan.compile import Change, ChangePlan, Skipped, Stopped, compile_plan
from auditor.plan.summary import plan_header, summary

__all__ = ["Change", "ChangePlan", "Skipped", "Stopped", "compile_plan", "plan_header", "summary"]
