"""Many tenants in one process: `license-auditor audit --tenants FILE` and `license-auditor rollup`.

run.py audits every tenant of a tenants file (tenants.example.yaml) as a one-tenant `audit` would,
each into OUTPUT_DIR/<key>/, several at once, each alone: its own arguments, credential, log and
time limit, and a failure that is written up instead of ending the others. rollup.py reads the
tenants' report.json files into one roll-up (tenants.json, tenants.md, digest.html) and joins the
roll-ups of several shards. lists.py e-mails each customer its license list (`lists`);
vendor_reads.py sets the seats a distributor bills and what the PSA bills beside the tenant's, and
distributor_cells.py and psa_cells.py give their figures to the roll-up; gdap.py reads the
partner's GDAP relationships and gdap_text.py says in the roll-up which end soon; arguments.py is the
command line of `rollup` and `lists`. docs/msp.md says how an MSP sets it up.
"""
