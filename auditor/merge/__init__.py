"""`license-auditor merge`: one cross-tenant report from the per-tenant audit outputs.

    folders (report.json + snapshot.json per tenant)  --inputs-->  TenantFacts + IdentityIndex
    TenantFacts + IdentityIndex + policies + as-of   --run----->  MergeResult (cross-tenant findings)
    MergeResult                                       --document->  merged report.json document

The merged document has the shape of docs/report-format.md, so the audit's renderers draw it;
docs/multi-tenant.md describes the additions (`tenants`, `tenant` on each finding).
"""
