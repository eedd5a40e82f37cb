"""The files one stage hands the next: report.json's reader (report_json), the change plan's
records (plan_records) and plan.json's reader (plan_json). They import only the model, so the
report, the planner, apply and merge can all read them without importing each other."""
