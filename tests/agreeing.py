"""`python tests/agreeing.py ARGS`: the command line as `python -m auditor` runs it, with a hand-written plan
compiled again as its own changes (tests/conftest.py's `agreeing`), for a test that runs apply as a child
process; `as_written`, the fresh compile that is the plan as written."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from auditor.apply.fresh import FreshPlan
from auditor.formats.bill_model import bill_of
from auditor.formats.plan_json import load_plan
from auditor.vendors.registry import BODIES


def as_written(path: Path) -> FreshPlan:
    """The fresh compile that holds the plan file at `path` as it is written (auditor.apply.fresh.FreshPlan):
    its changes and its bill as apply reads them."""
    bill = json.loads(path.read_bytes().decode("utf-8-sig")).get("bill")
    if isinstance(bill, dict):  # a hand-written bill may hold its changes alone: the rest as a bill of nothing
        bill = {"products": [], "actions": [], "monthly_saving_now": 0, "monthly_saving_within_year": 0} | bill
        bill = {"as_of": ""} | bill
    return FreshPlan(load_plan(path).changes, bill_of(bill, BODIES, str(path)))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from auditor.cli import main
    from auditor.pipeline import recompile as module
    from tests.conftest import agreeing

    module.recompile = agreeing(module.recompile)  # type: ignore[method-assign]
    raise SystemExit(main(sys.argv[1:]))
