"""Report stage: AuditResult -> report document (report.json) -> HTML, Markdown, CSV renderers.

Where the public API lives (this face imports nothing, so the modules the planner shares, read.py,
text.py and environment.py, load without the renderers):

    write.render(document, out_dir, *, formats, locale, cloud, redact, redact_key, guidance) -> list[Path]
    write.parse_formats("json,html,md,csv") -> tuple[Format, ...]
    baseline.compare(previous, current) -> dict          # --baseline
    baseline.load_baseline(path) -> dict
    redaction.redact_document(document, key) -> dict     # --redact
    redaction.redaction_key(environ, tenant_id) -> bytes
    read.decode_report(text) -> the report.json document, checked (plan, merge and e-mail read it too)

Renderers read only the report document (docs/report-format.md), never engine objects.
"""
