"""The data model a tenant is read into, and the records read beside it (the layer above the
shared plumbing, auditor/common/; below everything that reads a tenant).

    model.py                 the plain data passed between the stages (TenantSnapshot, AuditResult)
    enums.py                 the small enumerations every stage shares
    access_records.py        what the security features reach (Conditional Access, role assignments)
    attributes.py            the user attributes a policy's cost_allocation reads
    audit_entries.py         directory audit entries (auditLogs/directoryAudits)
    license_insight_data.py  Microsoft's own license counts
    usage_data.py            the usage reports' rows and workloads
    sign_ins.py              sign-in activity
    blocked.py               why a change is not ready (the findings' blocked reasons)
    exchange_export.py       the Exchange Online export (--exchange-export): one row per mailbox
"""
