"""The distributor's changes (Pax8, Sherweb): what a plan asks of the distributor, how each request is
written, sent and re-derived before it is sent (docs/architecture.md, "Where the distributor lives").

    distributor_requests.py   the requests a plan writes and apply sends: Pax8's PUT of a quantity and
                              DELETE of a subscription, Sherweb's amendment; the shape apply holds them to
    distributor_changes.py    the plan's side: the reductions and cancellations of bill.distributor, from
                              report.json's reconciliation, and plan.md's lines for them
    purchases.py              the plan's purchases: a subscription's quantity up by the seats the bill buys
    distributor_writers.py    the calls that re-read and write one subscription at its distributor
    distributor_rederive.py   each change derived again from what the distributor and Graph say at the
                              call, before it is sent

What reads the distributor stands below (auditor/billing: distributor_client, pax8, sherweb,
distributor_records, distributor_seats, distributor_sessions, distributor_products); what runs the
changes above (auditor/apply/distributor.py: apply --distributor, journaled; apply/distributor_undo.py:
undo --distributor); `audit --tenants` reads every customer's before the tenants
(auditor/fleet/distributor_reads.py) and sums them in the roll-up (fleet/distributor_cells.py); the
report shows them (auditor/report/view/distributor_rows.py).
"""
