"""The distributor's changes: what a plan asks of the distributor, how each request is
written, sent and re-derived before it is sent (docs/architecture.md, "Where a vendor lives").

    distributor_requests.py   the shape apply holds a plan's change to (each distributor writes its own
                              requests: auditor.vendors.<name>.requests, through the registry)
    distributor_changes.py    the plan's side: the reductions and cancellations of bill.distributor, from
                              report.json's reconciliation, and plan.md's lines for them
    purchases.py              the plan's purchases: a subscription's quantity up by the seats the bill buys
    distributor_rederive.py   each change derived again from what the distributor and Graph say at the
                              call, before it is sent

The distributors themselves stand below, one folder each (auditor/vendors/<name>: their clients,
requests and writes, reached through auditor.vendors.registry), beside the neutral records
and the reconciliation (auditor/billing: distributor_records, distributor_seats, distributor_products);
each customer's read through one session is auditor/vendors/distributor_sessions.py; what runs the
changes above (auditor/apply/distributor.py: apply --distributor, journaled; apply/distributor_undo.py:
undo --distributor); `audit --tenants` reads every customer's before the tenants
(auditor/fleet/vendor_reads.py) and sums them in the roll-up (fleet/distributor_cells.py); the
report shows them (auditor/report/view/distributor_rows.py).
"""
