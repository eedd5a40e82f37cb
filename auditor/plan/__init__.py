"""`license-auditor plan`: a report's open findings -> one reviewed, seat-checked change set.
This face imports nothing. The plan's records and plan.json's reader, which apply uses, are in
auditor.formats (plan_records, plan_json); the bill is bill.py, with bill_view.py and bill_texts.py:

    compile.compile_plan(document, rules=..., min_severity=..., finding_ids=..., graph_root=...) -> ChangePlan
                                                   # pure: compile.py (docs/plan-and-apply.md)
    read.load_report(path) -> dict                 # report.json, checked; UsageError naming the file
    write.write_plan(plan, out_dir, created_at=...)  # plan.json, plan.md, batch-001.json ...
    summary.summary(plan, locale) / summary.plan_header(document, locale)   # the one-line summary
"""
