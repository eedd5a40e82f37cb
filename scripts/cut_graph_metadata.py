"""Cut auditor_dev/contracts/graph/v1.0.xml again from Microsoft Graph's published v1.0 metadata.

    python scripts/cut_graph_metadata.py GIT_DIR      # a clone (or bare mirror) of microsoftgraph/msgraph-metadata

It reads clean_v10_metadata/cleanMetadata.xml at that repository's HEAD, keeps what
auditor_dev/contracts/graph/cut.py's PATHS and EXTRA_TYPES reach, and writes it with its source
block (repo, path, commit, commit date). Add a path there when the tool or the emulator starts to
use one, then run this.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from auditor_dev.contracts.graph.cut import Source, cut

REPO = "microsoftgraph/msgraph-metadata"
PATH = "clean_v10_metadata/cleanMetadata.xml"
KEPT = Path(__file__).resolve().parent.parent / "auditor_dev" / "contracts" / "graph" / "v1.0.xml"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    git = ["git", f"--git-dir={argv[0]}"]
    commit, date = subprocess.run(
        [*git, "log", "-1", "--format=%H %cI", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.split()
    source = subprocess.run([*git, "show", f"{commit}:{PATH}"], check=True, capture_output=True).stdout
    KEPT.write_text(cut(source, Source(REPO, PATH, commit, date)), encoding="utf-8")
    print(f"wrote {KEPT} from {REPO}@{commit[:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
