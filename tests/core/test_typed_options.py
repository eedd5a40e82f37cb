"""Below the command layer, code takes typed options, never the argparse Namespace (issue 78,
point 5): the command layer (auditor/cli.py, auditor/commands/__init__.py, auditor/demo_write.py (the write
path's --demo, which sets the demo's flags on the Namespace before the command reads it) and each package's
arguments.py) turns the flags into each area's options (graph/arguments.py's GraphSource,
billing/arguments.py's BillingOptions, apply/arguments.py's WriteOptions, plan/arguments.py's
PlanOptions, migration/arguments.py's MigrateOptions, insights/arguments.py's NightlyOptions and
HistoryOptions, pipeline/arguments.py's AuditOptions, fleet/arguments.py's FleetOptions, graph/options.py's
CollectOptions, merge/arguments.py's MergeOptions, graph/arguments.py's CollectCommandOptions,
policyset/arguments.py's InitOptions and ValidateOptions), and the modules below take those: `audit
--tenants` (fleet/run.py) makes each tenant's AuditOptions by dataclasses.replace, never a Namespace.
The commands themselves (commands/__init__.py, commands/policy.py) read no flag off the Namespace: each is
given its options, or builds them once (cmd_audit).

A module below it takes a Namespace when a parameter is annotated Namespace, when it builds one
(`argparse.Namespace(...)`), or when it reads one by `getattr(args, ...)`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMAND_LAYER = ("auditor/cli.py", "auditor/commands/__init__.py", "auditor/demo_write.py")
# modules still handed the Namespace, each with its reason; remove one once it takes typed options
# (test_the_exceptions_still_take_a_namespace says when)
NOT_YET: dict[str, str] = {}


# the modules that run the commands: a Namespace they are handed goes whole to an `of`, never read here
COMMANDS = ("auditor/commands/__init__.py", "auditor/commands/policy.py")


def _in_command_layer(name: str) -> bool:
    return name in COMMAND_LAYER or name.endswith("/arguments.py")


def _namespace_uses(source: str) -> list[int]:
    """Lines of `source` that take, build or read an argparse Namespace."""
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            found += [p.lineno for p in params if p.annotation is not None and "Namespace" in ast.unparse(p.annotation)]
        elif isinstance(node, ast.Call):
            called = ast.unparse(node.func)
            builds = called in ("Namespace", "argparse.Namespace")
            reads = called == "getattr" and bool(node.args) and ast.unparse(node.args[0]) == "args"
            if builds or reads:
                found.append(node.lineno)
    return sorted(found)


def _flags_read(source: str) -> list[int]:
    """Lines of `source` that read a flag off a Namespace parameter (`args.output_dir`)."""
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            names = {p.arg for p in params if p.annotation is not None and "Namespace" in ast.unparse(p.annotation)}
            found += [
                n.lineno
                for n in ast.walk(node)
                if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in names
            ]
    return sorted(found)


def _below_the_command_layer() -> dict[str, list[int]]:
    uses = {}
    for path in sorted((ROOT / "auditor").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if not _in_command_layer(name) and (lines := _namespace_uses(path.read_text("utf-8"))):
            uses[name] = lines
    return uses


def test_no_module_below_the_command_layer_takes_a_namespace() -> None:
    taken = [f"{name}:{lines}" for name, lines in _below_the_command_layer().items() if name not in NOT_YET]
    assert not taken, "take the area's typed options, built in its arguments.py:\n" + "\n".join(taken)


def test_the_exceptions_still_take_a_namespace() -> None:
    done = sorted(set(NOT_YET) - set(_below_the_command_layer()))
    assert not done, "no longer handed a Namespace: remove from NOT_YET:\n" + "\n".join(done)


def test_the_check_can_fail() -> None:
    assert _namespace_uses("import argparse\ndef f(args: argparse.Namespace) -> None: ...\n") == [2]
    assert _namespace_uses("def f(a):\n    return getattr(args, 'x', None)\n") == [2]
    assert _namespace_uses("from argparse import Namespace\nn = Namespace(demo=True)\n") == [2]
    assert _namespace_uses("def f(options: 'GraphSource') -> None: ...\n") == []


def test_the_commands_read_no_flag_off_the_namespace() -> None:
    read = [f"{name}:{lines}" for name in COMMANDS if (lines := _flags_read((ROOT / name).read_text("utf-8")))]
    assert not read, "give the command its typed options (cli._command's `options`), built in an arguments.py:\n" + (
        "\n".join(read)
    )


def test_the_flags_check_can_fail() -> None:
    assert _flags_read("import argparse\ndef f(args: argparse.Namespace) -> int:\n    return args.x\n") == [3]
    assert _flags_read("def f(args: 'Namespace') -> int:\n    return Options.of(args).x\n") == []
    assert _flags_read("def f(options: Options) -> int:\n    return options.x\n") == []


def test_merge_collect_init_and_validate_options_of_their_flags() -> None:
    """What cli._command gives cmd_merge, cmd_collect (auditor/commands/__init__.py), cmd_init and cmd_validate
    (auditor/commands/policy.py) instead of the Namespace."""
    from auditor.cli import build_parser
    from auditor.data.enums import Cloud, Format, Locale
    from auditor.graph.arguments import AuthMode, CollectCommandOptions, GraphSource
    from auditor.merge.arguments import MergeOptions
    from auditor.policyset.arguments import InitOptions, ValidateOptions

    parse = build_parser().parse_args
    merged = parse(["merge", "a", "b", "--policies", "p", "--format", "json,md", "--locale", "nl", "--redact"])
    assert MergeOptions.of(merged) == MergeOptions(
        dirs=("a", "b"), policies=("p",), formats=(Format.JSON, Format.MD), locale=Locale.NL, redact=True
    )
    collected = parse(["collect", "--demo", "-o", "s.json", "--allow-gaps"])
    assert CollectCommandOptions.of(collected) == CollectCommandOptions(
        output="s.json", source=GraphSource(demo=True), allow_gaps=True
    )
    init = parse(["init", "--graph", "--tenant-id", "t", "--cloud", "usgov", "--auth", "token", "--force"])
    assert InitOptions.of(init) == InitOptions(
        force=True, graph=True, source=GraphSource(tenant_id="t", cloud=Cloud.USGOV, auth=AuthMode.TOKEN)
    )
    assert InitOptions.of(parse(["init", "--snapshot", "s.json"])) == InitOptions(snapshot="s.json")
    assert ValidateOptions.of(parse(["validate", "p", "q"])) == ValidateOptions(paths=("p", "q"))


def test_audit_reads_its_flags_and_writes_nothing_back(tmp_path: Path) -> None:
    """cmd_audit makes its AuditOptions of the Namespace and runs with them: what it derives (the
    report `--baseline previous` names, the kept sign-ins' folder, whether causes are read) stays its
    own, and the Namespace is as parsed after two nights."""
    from auditor import commands
    from auditor.cli import build_parser

    from .factory import sample_audit_argv

    args = build_parser().parse_args([*sample_audit_argv(tmp_path), "--baseline", "previous"])
    parsed = dict(vars(args))
    assert commands.cmd_audit(args) == 0  # the first night: no earlier report, no baseline
    assert commands.cmd_audit(args) == 0  # the second: the first night's report
    assert vars(args) == parsed
    assert args.baseline == "previous"
