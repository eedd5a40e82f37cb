"""Cut the kept subsets of the vendors' published OpenAPI/swagger (auditor_dev/contracts/<vendor>.json) again
from their sources, as auditor_dev.contracts.cut.KEEP lists them.

    python scripts/cut_vendor_schemas.py [--mirror DIR] [--file VENDOR=PATH] [--date YYYY-MM-DD] [VENDOR ...]

Each source is read at the commit KEEP pins, from a bare copy of its repository under --mirror
(DIR/<owner>+<name>/repo, as `git clone --bare` or the workplace's fetch leaves it), or from a file given
with --file (then its commit is the one KEEP pins: the file must be that version, or a subset cut from it,
which cuts to itself; a .ts file is the TypeScript generated from the OpenAPI, read back by
auditor_dev.contracts.typescript). --out writes elsewhere
than the package (the tests cut a fixture). Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path

from auditor_dev.contracts import typescript
from auditor_dev.contracts.cut import KEEP, cut, read_as_used

PACKAGE = Path(__file__).resolve().parent.parent / "auditor_dev" / "contracts"


def _committed(git_dir: Path, commit: str) -> str:
    out = subprocess.run(["git", f"--git-dir={git_dir}", "show", "-s", "--format=%cI", commit],
                         check=True, capture_output=True, text=True)  # fmt: skip
    return out.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vendors", nargs="*", help="the vendors to cut (default: every one whose source is found)")
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--file", action="append", default=[], metavar="VENDOR=PATH")
    parser.add_argument("--date", default=datetime.date.today().isoformat(), help="the day of the cut")
    parser.add_argument("--committed", help="with --file: the date of the commit it is (the mirror's says it)")
    parser.add_argument("--out", type=Path, default=PACKAGE)
    args = parser.parse_args(argv)
    files = dict(item.split("=", 1) for item in args.file)
    unknown = sorted((set(args.vendors) | set(files)) - set(KEEP))
    if unknown:
        print(f"cut_vendor_schemas: no such vendor: {', '.join(unknown)}", file=sys.stderr)
        return 2
    failed = 0
    for vendor in args.vendors or list(KEEP):
        keep = KEEP[vendor]
        source = {"repo": keep["repo"], "path": keep["path"], "commit": keep["commit"]}
        git_dir = args.mirror / keep["repo"].replace("/", "+") / "repo"
        try:
            if vendor in files:
                text = Path(files[vendor]).read_text(encoding="utf-8")
                if args.committed:
                    source["committed"] = args.committed
            else:
                text = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{keep['commit']}:{keep['path']}"],
                                      check=True, capture_output=True, text=True).stdout  # fmt: skip
                source["committed"] = _committed(git_dir, keep["commit"])
            # a vendor kept from the TypeScript generated from its OpenAPI (KEEP says which): read back first
            doc = (
                typescript.openapi(text, keep["server"]) if files.get(vendor, "").endswith(".ts") else json.loads(text)
            )
        except (OSError, ValueError, subprocess.CalledProcessError) as exc:
            print(f"cut_vendor_schemas: {vendor}: its source could not be read ({type(exc).__name__})", file=sys.stderr)
            failed += 1
            continue
        source["cut"] = args.date
        for key in ("base", "package"):
            if key in keep:
                source[key] = keep[key]
        source["paths"] = {path: list(methods) for path, methods in keep["paths"].items()}
        subset = read_as_used(vendor, cut(doc, keep["paths"], source))
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"{vendor}.json").write_text(json.dumps(subset, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"{vendor}: {len(subset['paths'])} paths -> {args.out / f'{vendor}.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
