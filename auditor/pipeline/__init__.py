"""One tenant's audit as the README draws it: each stage a function of the last stage's typed value,
returning its own (auditor/pipeline/values.py holds them).

    prepare(options)    -> Prepared     what is read before the tenant: the clock, the policies, the
                                        baseline, the billing file, the Exchange export, the history
    collect(prepared)   -> Collected    the tenant (Graph, --snapshot, --demo), its distributor's seats,
                                        the bill's commerce facts
    evaluate(collected) -> Evaluated    the findings and what the configuration says in vain; the
                                        tenant's users are freed when it ends
    document(evaluated) -> Documented   report.json's document, built from its parts, and the plan it states
    render(documented)  -> Rendered     the files in the output folder, the history, the run's record
    deliver(rendered)   -> int          the chat webhook and the e-mail; the exit code

`audit(options)` (run.py) runs them with the output folder locked and its last reports moved to
previous/ between prepare and collect: `audit` (auditor.commands) and each tenant of `audit --tenants`
(auditor.fleet) run it. The options run down: a stage reads AuditOptions (auditor.pipeline.arguments, below
this package) through the value it is given, never the command line above it.
"""

from __future__ import annotations

from .run import audit

__all__ = ["audit"]
