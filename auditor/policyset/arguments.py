"""What the policy files' commands' flags become (the flags themselves: auditor/cli.py): typed
InitOptions and ValidateOptions, built by the command layer, which auditor/commands/policy.py runs with."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from auditor.data.enums import Locale
from auditor.graph.arguments import GraphSource, wants_graph


@dataclass(frozen=True)
class InitOptions:
    """`init [--output FILE] [--force] [--locale L]` and the tenant to read: --demo, --snapshot FILE or
    Graph (--graph, --graph-endpoint, with the connection's flags), in that order."""

    output: str = "policies/license-policy.yaml"  # --output
    force: bool = False  # --force: replace --output when it exists
    locale: Locale = Locale.EN  # --locale: the policy's comments and metadata.locale
    snapshot: str | None = None  # --snapshot FILE
    graph: bool = False  # --graph, --graph-endpoint or --demo
    source: GraphSource = field(default_factory=GraphSource)  # the Graph connection (and --demo)

    @classmethod
    def of(cls, args: argparse.Namespace) -> InitOptions:
        return cls(
            output=args.output,
            force=bool(args.force),
            locale=Locale(args.locale),
            snapshot=args.snapshot,
            graph=wants_graph(args),
            source=GraphSource.of(args),
        )


@dataclass(frozen=True)
class ValidateOptions:
    """`validate PATH... [--snapshot FILE]`."""

    paths: tuple[str, ...]  # policy files or folders
    snapshot: str | None = None  # --snapshot FILE: its products count as known

    @classmethod
    def of(cls, args: argparse.Namespace) -> ValidateOptions:
        return cls(paths=tuple(args.paths), snapshot=args.snapshot)
