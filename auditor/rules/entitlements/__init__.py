"""The rules over what security features reach: users that Conditional Access, Privileged Identity
Management, dynamic groups or group-based licensing reach without a product that entitles them
(docs/entitlements.md).

    entitlement.py        entitlement-missing (per user) and entitlement-short (the tenant's count)
    entitlement_texts.py  their texts, message and remediation

Who each feature reaches, and which plan it needs: auditor/impact/entitlement_scope.py.
"""
