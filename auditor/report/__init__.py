"""Report stage: AuditResult -> report document (report.json) -> HTML, Markdown, CSV renderers.

Where the public API lives (this face imports nothing, so a module that needs one file of the
package loads without the renderers):

    write.render(document, out_dir, RenderOptions(formats, locale, cloud, redact, ...)) -> list[Path]
    baseline.compare(previous, current) -> dict          # --baseline
    baseline.load_baseline(path) -> dict
    redaction.redact_document(document, key) -> ReportDocument  # --redact
    redaction.redaction_key(environ, tenant_id) -> bytes

report.json itself is read by auditor.formats.report_json.decode_report (plan, merge and e-mail read
it too).

Renderers read only the report document (docs/report-format.md), never engine objects.
"""
