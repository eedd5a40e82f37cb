"""`license-auditor migrate`: the licensing plan for moving users to another tenant, made before the move.

    users.csv (or --domain) + --map   --movers/mapping-->  Movers, ProductMap
    source + target snapshots         --+
    Exchange export, billing file     --+--plan--------->  MigrationPlan (pure: no I/O, injected clock)
    MigrationPlan + locale            --write-------->  migration.json / .md / .html, migration-users.csv

Licenses cannot be transferred between tenants: the plan buys in the target, licenses each user
there after its move, and reduces or cancels in the source once the move is verified
(docs/migration.md, with the source page of every fact in `facts.py`).
"""
