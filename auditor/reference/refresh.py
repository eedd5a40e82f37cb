"""Refresh the shipped product-names table from Microsoft's download (or a local copy of it).

    python -m auditor.reference.refresh                 # download Microsoft's current CSV
    python -m auditor.reference.refresh --from FILE.csv # take a file already downloaded

The new table is checked (columns, at least MIN_PRODUCTS products, every GUID well formed) before
it replaces the shipped one, so a changed or truncated download never lands; the lookups built from
it are written beside it (product-names.json, see auditor/reference/__init__.py). Update the date in
README.md beside the data file after a refresh.
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from . import DATA_FILE, DERIVED_FILE, derived, parse

# Linked from the Entra page "Product names and service plan identifiers for licensing".
SOURCE_URL = (
    "https://download.microsoft.com/download/e/3/e/e3e9faf2-f28b-490a-9ada-c6089a1fc5b0/"
    "Product%20names%20and%20service%20plan%20identifiers%20for%20licensing.csv"
)
MIN_PRODUCTS = 300  # the July 2026 table lists 619; far fewer means a broken download
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_LIMIT = 32 * 1024 * 1024


def check(text: str) -> int:
    """The number of products in `text`; raises ValueError when it is not a usable table."""
    names = parse(text.splitlines())
    bad = [g for g in names.by_sku_id if not _GUID.match(g)]
    if bad:
        raise ValueError(f"malformed product GUID(s): {', '.join(sorted(bad)[:3])}")
    if len(names.by_sku_id) < MIN_PRODUCTS:
        raise ValueError(f"only {len(names.by_sku_id)} products (expected at least {MIN_PRODUCTS})")
    return len(names.by_sku_id)


def download(url: str) -> str:
    if not url.startswith("https://"):
        raise ValueError("the source must be an https:// URL")
    with urllib.request.urlopen(url, timeout=60) as response:
        data: bytes = response.read(_LIMIT + 1)
    if len(data) > _LIMIT:
        raise ValueError(f"download larger than {_LIMIT} bytes")
    return data.decode("utf-8-sig")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m auditor.reference.refresh",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # a prefix of an option is not taken for it (as the command line's parsers)
    )
    parser.add_argument(
        "--from", dest="source", metavar="FILE", type=Path, help="read this CSV instead of downloading it"
    )
    parser.add_argument("--url", default=SOURCE_URL, help="download from this https URL")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(__file__).with_name(DATA_FILE),
        help="where to write the table (default: the shipped copy)",
    )
    args = parser.parse_args(argv)
    try:
        text = args.source.read_text("utf-8-sig") if args.source else download(args.url)
        count = check(text)
    except (OSError, ValueError) as exc:
        print(f"refresh: {exc}", file=sys.stderr)
        return 2
    data = text.replace("\r\n", "\n").encode("utf-8")
    ready = args.output.with_name(DERIVED_FILE)
    for path, content in ((ready, derived(data).encode("utf-8")), (args.output, data)):
        tmp = path.with_name(path.name + ".new")
        tmp.write_bytes(content)
        tmp.replace(path)
    print(f"refresh: {args.output}: {count} products")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
