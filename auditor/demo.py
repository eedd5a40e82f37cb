"""`--demo`: the bundled sample tenant, read through the Graph emulator as a live tenant would be.

The emulator and the sample builder are developer tools (auditor_dev); this module is the one place
production code reaches them, and an import-linter contract (pyproject.toml, docs/architecture.md)
holds every other module to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from auditor_dev.sample import REFERENCE

from .errors import UsageError
from .model import TenantSnapshot
from .snapshot import load_snapshot

CLOCK = REFERENCE  # the moment the sample tenant was collected: `audit --demo` judges it as of then
_PACKAGE = "auditor_dev"  # the package whose sample/ folder holds the tenant and the example policy


def sample_tenant() -> TenantSnapshot:
    """The bundled sample tenant served by `--demo`."""
    ref = resources.files(_PACKAGE).joinpath("sample", "sample-tenant.json")
    if not ref.is_file():
        raise UsageError(f"the bundled sample tenant ({_PACKAGE}/sample/sample-tenant.json) is missing from this "
                         "install")
    with resources.as_file(ref) as path:
        return load_snapshot(path)


@contextmanager
def example_policy() -> Iterator[Path]:
    """--demo without --policies: the example policy shipped with the package (policies/example.yaml
    in the repository), so the demo runs from any directory after `pip install`."""
    ref = resources.files(_PACKAGE).joinpath("sample", "example-policy.yaml")
    with resources.as_file(ref) as path:
        if not path.is_file():
            raise UsageError(f"the bundled example policy ({_PACKAGE}/sample/example-policy.yaml) is missing from "
                             "this install; give --policies")
        yield path


@contextmanager
def emulator(snapshot: TenantSnapshot) -> Iterator[tuple[str, str]]:
    """The Graph emulator serving `snapshot` on 127.0.0.1, while the block runs: (its URL, an app
    token it accepts)."""
    # an HTTP server and the tenant's state machine: loaded for --demo only, not by every audit
    from auditor_dev.emulator import GraphEmulator, app_token

    token = app_token(snapshot.tenant_id)
    with GraphEmulator(snapshot, token=token) as graph:
        yield graph.url, token
