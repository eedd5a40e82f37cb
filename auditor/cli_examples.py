"""The examples each command's `--help` ends with: two or three command lines a reader can copy, the demo's
first where it has one. tests/core/test_cli_examples.py parses every line with the real parser, so an example
never names an option the command lacks, and holds each example's e-mail flags to the transport its command sends
with."""

from __future__ import annotations

import argparse

EXAMPLES: dict[str, tuple[str, ...]] = {
    "audit": (
        "license-auditor audit --demo",
        "license-auditor audit --graph --tenant-id contoso.onmicrosoft.com --policies policies/ --baseline previous",
        "license-auditor audit --tenants tenants.yaml --baseline previous",
    ),
    "rollup": (
        "license-auditor rollup shard-1/ shard-2/ --tenants tenants.yaml --output-dir all/",
        "license-auditor rollup shard-1/ shard-2/ --tenants tenants.yaml --email-to noc@msp.example "
        "--smtp-host smtp.example.com --from audit@msp.example",
    ),
    "lists": (
        "license-auditor lists reports/tenants/ --tenants tenants.yaml --smtp-host smtp.example.com --smtp-starttls "
        "--from audit@msp.example",
        "license-auditor lists shard-1/ shard-2/ --tenants tenants.yaml --smtp-host smtp.example.com --smtp-ssl "
        "--from audit@msp.example",
    ),
    "tickets": (
        "license-auditor tickets --demo --psa connectwise",
        "license-auditor tickets reports/tenants/ --tenants tenants.yaml --psa connectwise --yes",
        "license-auditor tickets reports/tenants/ --tenants tenants.yaml --psa connectwise --severity high --yes",
    ),
    "merge": (
        "license-auditor merge artifacts/tenant-* --policies policies/ --output-dir reports/",
        "license-auditor merge out/contoso out/fabrikam --policies policies/ --output-dir reports/ --format html,json",
    ),
    "collect": (
        "license-auditor collect --demo --output tenant.json",
        "license-auditor collect --tenant-id contoso.onmicrosoft.com --policies policies/ --output tenant.json",
    ),
    "init": (
        "license-auditor init --demo",
        "license-auditor init --graph --tenant-id contoso.onmicrosoft.com",
    ),
    "validate": (
        "license-auditor validate policies/",
        "license-auditor validate policies/contractors.yaml --snapshot tenant.json",
    ),
    "email": (
        "license-auditor email --report-dir reports/ --email-to licensing@contoso.example --smtp-host smtp.example.com "
        "--from audit@contoso.example",
        "license-auditor email --report-dir reports/ --email-to licensing@contoso.example --via graph "
        "--sender audit@contoso.example --tenant-id contoso.onmicrosoft.com",
    ),
    "apply": (
        "license-auditor apply --demo",
        "license-auditor apply reports/plan.json --yes",
        "license-auditor apply reports/tenants/contoso/plan.json --distributor --demo --yes",
    ),
    "undo": (
        "license-auditor undo --demo --yes",
        "license-auditor undo reports/journal-20261102T091403Z.jsonl --yes --wait 10m",
    ),
    "plan": (
        "license-auditor plan --demo",
        "license-auditor plan --report-dir reports/ --billing billing.csv",
        "license-auditor plan --report-dir reports/ --min-severity medium --output-dir plan/",
    ),
    "history": (
        "license-auditor history reports/history.jsonl --products",
        "license-auditor history reports/history.jsonl --last 7",
    ),
    "migrate": (
        "license-auditor migrate --demo --output-dir reports/migration",
        "license-auditor migrate --source source.json --target target.json --users users.csv --cutover 2027-01-15",
    ),
    "schema": (
        "license-auditor schema > policies/license-policy.schema.json",
        "license-auditor schema | python -m json.tool",
    ),
}


class _ExamplesLast(argparse.HelpFormatter):
    """The description and options filled as argparse fills them; the examples kept line by line."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def add_examples(parser: argparse.ArgumentParser) -> None:
    """Each command's help ends with its examples (after its exit codes, where it lists them)."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, sub in action.choices.items():
            lines = "examples:\n" + "".join(f"  {line}\n" for line in EXAMPLES[name])
            if sub.epilog:  # written line by line already (RawDescriptionHelpFormatter)
                sub.epilog = f"{sub.epilog.rstrip()}\n\n{lines}"
            else:
                sub.epilog = lines
                if sub.formatter_class is argparse.HelpFormatter:
                    sub.formatter_class = _ExamplesLast
