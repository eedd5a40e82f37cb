"""`python tests/agreeing.py ARGS`: the command line as `python -m auditor` runs it, with a hand-written plan
compiled again as its own changes (tests/conftest.py's `agreeing`), for a test that runs apply as a child
process."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from auditor.cli import main
    from auditor.pipeline import recompile as module
    from tests.conftest import agreeing

    module.recompile = agreeing(module.recompile)  # type: ignore[method-assign]
    raise SystemExit(main(sys.argv[1:]))
