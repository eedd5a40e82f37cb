"""What a change would do to a user, which the rules and the engine read beside the index. None of
it is a rule.

    services.py     GroupIndex, DataLoss, DisableTimes: built once per audit, handed to the rules by Context
    plan_loss.py    ServicePlanLoss: the service plans and the data a removal would switch off
    storage_fit.py  whether a mailbox and OneDrive fit the smaller plan a change leaves
    group_kinds.py  which groups a ready call may change the members of
    entitlement_scope.py  who each security feature reaches, the Entra plan it needs, the products carrying it
    license_insight_comparison.py  report.json's `license_insight`: Microsoft's P1/P2 counts beside the auditor's
"""
