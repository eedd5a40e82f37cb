"""Report stage: AuditResult -> report document (report.json) -> HTML, Markdown, CSV renderers."""
