"""An option is given by its whole name: no parser takes a prefix for it (`apply --demo --y` wrote as
`--yes`), and an option the command does not have is said by that command, with the nearest it has
(`audit --formt` said the top level's help, and no name)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from auditor.cli import build_parser, main
from auditor.delivery import arguments as email_alone
from auditor.delivery import matrix, runs
from auditor.reference import refresh


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_no_parser_of_the_command_line_takes_a_prefix() -> None:
    parsers = list(_parsers(build_parser()))
    assert len(parsers) > 10
    assert [p.prog for p in parsers if p.allow_abbrev] == []


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["apply", "--demo", "--y"], "license-auditor apply: error: unrecognized arguments: --y (did you mean --yes?)"),
        (
            ["audit", "--demo", "--formt", "md"],
            "license-auditor audit: error: unrecognized arguments: --formt md (did you mean --format?) "
            "(`license-auditor audit --help` lists the options)",
        ),
        (["tickets", "--demo", "--sevrity", "low"], "(did you mean --severity?)"),
        (["audit", "--demo", "extra"], "license-auditor audit: error: unrecognized arguments: extra (`license"),
    ],
)
def test_an_option_the_command_does_not_have_is_said_by_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert said in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # refused before anything ran


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        (matrix.main, ["--fil", "/nonexistent/tenants.yaml"]),
        (runs.main, ["check", "1", "--workflow", "nightly-audit.yml", "--rep", "not-a-repository"]),
        (email_alone.main, ["--report", "/nonexistent", "--to", "it@contoso.example", "--smtp-host", "h"]),
        (refresh.main, ["--fro", "/nonexistent/products.csv", "--out", "/nonexistent/out.csv"]),
    ],
    ids=["matrix", "runs", "delivery", "refresh"],
)
def test_the_modules_run_on_their_own_take_no_prefix(command: Callable[[Sequence[str]], int], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        command(argv)
    assert stopped.value.code == 2
