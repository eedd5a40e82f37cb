"""The commands on policy files (auditor/cli.py parses; these run): `init` writes a first policy for
the tenant, `validate` checks policy files. Each runs with its typed options
(auditor/policyset/arguments.py); imported only once a command runs."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from auditor.common.errors import EXIT_OK, UsageError, clean_message
from auditor.common.timestamps import now_or_pinned
from auditor.data.model import TenantSnapshot
from auditor.evaluation.engine import policy_warnings, unknown_skus
from auditor.graph.arguments import AuthMode
from auditor.policy.index import TenantIndex
from auditor.policyset.arguments import InitOptions, ValidateOptions
from auditor.policyset.config_problems import refuse_unknown_products
from auditor.policyset.load import expand_paths, load_policies
from auditor.policyset.schema import schema_text
from auditor.policyset.starter import source_name, starter_policy

from .. import demo
from ..data.reads import SIGN_IN, Requests
from ..i18n import translations
from ..rules.assignments import licensing
from ..snapshot import load_snapshot


def _say(text: str) -> None:
    """A line to stderr through clean_message (no control characters, no workflow commands)."""
    print(clean_message(text), file=sys.stderr)


def _safe(text: str) -> str:
    """Tenant text for one line: clean_message, and no line breaks."""
    return clean_message(text).replace("\n", " ")


def cmd_validate(options: ValidateOptions) -> int:
    """`validate`: the policies load; a product neither the tenant (with --snapshot) nor Microsoft's
    product table knows is an error (exit 2), said in audit's words; with --snapshot, warnings about
    what the tenant lacks."""
    policies = load_policies(options.paths)
    snapshot = load_snapshot(options.snapshot) if options.snapshot else None
    refuse_unknown_products(policies, snapshot.skus if snapshot is not None else None, say=lambda t: _say(_safe(t)))
    print(
        f"ok: {len(policies.policies)} polic{'y' if len(policies.policies) == 1 else 'ies'} "
        f"({', '.join(policies.names)})"
    )
    for w in policy_warnings(policies):
        _say(f"warning: {w}")
    if snapshot is not None:
        index = TenantIndex(snapshot)
        warnings = unknown_skus(policies, index) + licensing.warnings(policies, index)
        for ref in policies.group_refs:
            index.group_members(ref)
        for w in [*warnings, *index.warnings]:
            _say(f"warning: {_safe(w)}")
    return EXIT_OK


def _tenant(options: InitOptions) -> TenantSnapshot:
    """The tenant `init` reads: --demo, else --snapshot, else Graph."""
    if options.source.demo:
        options.source.refuse_beside_demo()  # its own tenant: another's endpoint, id or sign-in is refused
        sample: TenantSnapshot = demo.sample_tenant()  # the seam: the registered demo's (auditor.demo)
        return sample
    if options.snapshot:
        return load_snapshot(options.snapshot)
    if options.graph:
        from auditor.graph_cli import read_tenant  # the Graph SDK loads here, and only here

        # sign-in activity too: the starter turns the inactive-users check on only where it can be read
        return read_tenant(options.source, group_refs=(), requests=Requests(frozenset({SIGN_IN})))
    raise UsageError("no tenant to read: give --graph (with --tenant-id), --snapshot FILE or --demo")


def cmd_init(options: InitOptions) -> int:
    """`init`: a starter policy (auditor.policyset.starter) for the tenant read from Graph, --demo or --snapshot."""
    target = Path(options.output)
    if target.exists() and not options.force:
        raise UsageError(f"--output: {target} exists; give --force to replace it, or another --output")
    snapshot = _tenant(options)
    t = translations(options.locale)
    name = Path(options.snapshot).name if options.snapshot else None
    source = source_name(t, demo=options.source.demo, snapshot=name)
    text = starter_policy(snapshot, source=source, today=now_or_pinned().date(), locale=options.locale)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
        (target.parent / "license-policy.schema.json").write_text(schema_text(), "utf-8")
    except OSError as exc:
        raise UsageError(f"--output: cannot write {target}: {exc.strerror or exc}") from None
    load_policies([target])  # what init writes, the policy loader accepts (a defect otherwise)
    _say(
        f"wrote {target} ({len([s for s in snapshot.skus if not s.deleted])} products) and the schema beside it; "
        f"read it, then: {_first_audit(options, target)}"
    )
    return EXIT_OK


def _first_audit(options: InitOptions, target: Path) -> str:
    """The audit that reads the tenant `init` read, with the policy it wrote: the command init prints."""
    graph = options.source
    if graph.demo:
        source = "--demo"
    elif options.snapshot:
        source = f"--snapshot {shlex.quote(options.snapshot)}"
    else:
        source = "--graph"
        if graph.endpoint:
            source = f"--graph-endpoint {shlex.quote(graph.endpoint)}"
        if graph.tenant_id:
            source += f" --tenant-id {shlex.quote(graph.tenant_id)}"
        if graph.cloud:
            source += f" --cloud {graph.cloud.value}"
        if graph.auth is not AuthMode.AUTO:
            source += f" --auth {graph.auth.value}"
    folder = target.parent
    # the folder when it holds only this policy (audit's default reads every *.yaml in it), else the file
    others = [p for p in expand_paths([folder]) if p.resolve() != target.resolve()] if folder.is_dir() else []
    policies = folder if not others else target
    return f"license-auditor audit {source} --policies {shlex.quote(str(policies))}"
