"""A hand-written plan's fresh compile, for the tests of apply's write loop.

A plan a test writes by hand (tests/apply/conftest.write_plan) names no policy file, so apply cannot compile
it again at the call: a real such plan is refused, exit 2 (auditor.pipeline.recompile). The tests of the write
loop (journals, signals, undo, seats) give apply a fresh compile that is the file's own changes, as a tenant
and policy that agree with the file would give. A plan `plan` wrote names its policy files and is compiled
again for real (tests/apply/test_file_selects.py edits such plans). tests/conftest.py puts it in every test's
process; `python tests/agreeing.py ARGS` runs the command line with it, for a test that runs apply as a
child process.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any


def agreeing(real: Any) -> Any:
    """`real` (auditor.pipeline.recompile.recompile), but for a plan without policy files: the file's changes."""
    from auditor.apply.fresh import FreshPlan

    @functools.wraps(real)  # `__wrapped__`: the real one, for a test that needs it
    def recompile(plan: Any, options: Any, now: Any) -> FreshPlan:
        if plan.policy_files:
            return real(plan, options, now)
        return FreshPlan({"changes": [dict(c.raw) for c in plan.changes]})

    return recompile


def install() -> None:
    from auditor.pipeline import recompile as module

    module.recompile = agreeing(module.recompile)  # type: ignore[method-assign]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    install()
    from auditor.cli import main

    raise SystemExit(main(sys.argv[1:]))
