"""The CLI helps by itself (issue 107, point 4): each command's `--help` ends with two or three examples, and
every command line the docs give names only options its command has (parsed by the real parser, as a user's
shell would hand it over); an example that mails gives a transport its command takes (issue 121)."""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import build_parser, main
from auditor.cli_examples import EXAMPLES
from auditor.delivery.arguments import options_from_args
from auditor.delivery.options import Transport
from auditor.fleet.arguments import ListsOptions

ROOT = Path(__file__).resolve().parents[2]
# a line the docs write as a synopsis, not a command: placeholders a shell would not be given
SYNOPSIS = re.compile(r"\[|\.\.\.|…|<[^>]+>|\b[A-Z]{3,}\b(?!\.)")


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no commands")


def _argv(line: str) -> list[str]:
    """The arguments after `license-auditor`, up to a pipe, a redirection or a comment."""
    words = shlex.split(line, comments=True)
    at = next(i for i, w in enumerate(words) if w.endswith("license-auditor"))
    out = []
    for word in words[at + 1 :]:
        if word in ("|", ">", ">>", "&&", ";", "2>&1"):
            break
        out.append(word)
    return out


def _parses(argv: list[str]) -> None:
    try:
        build_parser().parse_args(argv)
    except SystemExit as stopped:
        raise AssertionError(f"license-auditor {' '.join(argv)}: the parser refuses it (exit {stopped.code})") from None


def test_every_command_has_two_or_three_examples_at_the_end_of_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands(build_parser())
    assert set(commands) == set(EXAMPLES)
    for name, parser in commands.items():
        assert 2 <= len(EXAMPLES[name]) <= 3, name
        parser.print_help()
        text = capsys.readouterr().out
        tail = text[text.rindex("examples:") :].splitlines()
        assert [line.strip() for line in tail[1:] if line.strip()] == list(EXAMPLES[name]), name


@pytest.mark.parametrize("line", [line for lines in EXAMPLES.values() for line in lines])
def test_each_example_is_a_command_line_the_parser_takes(line: str) -> None:
    _parses(_argv(line))


def _docs_command_lines() -> Iterator[tuple[str, str]]:
    """(where, line) of each `license-auditor ...` line in the docs' code blocks, continuation lines joined."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text("utf-8").replace("\\\n", " ")
        for block in re.findall(r"```(?:sh|bash|shell|console|yaml)?\n(.*?)```", text, re.DOTALL):
            for line in block.splitlines():
                stripped = line.strip().removeprefix("$ ")
                if not re.match(r"^(?:\S*/)?license-auditor\s", stripped) or SYNOPSIS.search(stripped.split("#")[0]):
                    continue
                yield f"{path.name}", stripped


DOCS_LINES = sorted(set(_docs_command_lines()))


def test_the_docs_give_command_lines() -> None:
    assert len(DOCS_LINES) >= 20  # the walk below finds what it is meant to check


@pytest.mark.parametrize(("where", "line"), DOCS_LINES, ids=[f"{w}:{i}" for i, (w, _) in enumerate(DOCS_LINES)])
def test_every_option_a_docs_command_line_names_exists(where: str, line: str) -> None:
    _parses(_argv(line))


# the commands whose mail goes through SMTP only (Graph's sendMail signs in to one tenant; they serve many)
SMTP_ONLY = {"lists", "rollup"}


@pytest.mark.parametrize("line", [line for lines in EXAMPLES.values() for line in lines])
def test_each_examples_mail_flags_make_a_transport_its_command_sends_with(line: str) -> None:
    """The flags alone decide it: `email --via graph` needs --sender (not --from), `lists` is refused Graph."""
    argv = _argv(line)
    args = build_parser().parse_args(argv)
    if not hasattr(args, "email_to"):
        return
    if argv[0] == "lists":
        lists = ListsOptions.of(args)
        assert not lists.graph and lists.smtp_host and lists.email_from, line
        options = lists.mail_to(["it@contoso.example"])
    else:
        options = options_from_args(args)  # a UsageError here is what the command would exit 2 with
    if argv[0] in SMTP_ONLY and options is not None:
        assert options.via is Transport.SMTP, line


def test_the_lists_example_sends_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the real CLI, as given: no tenant has list_to, so it passes every check and sends nothing."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tenants.yaml").write_text(
        "defaults:\n  client_id: 00000000-0000-0000-0000-0000000000c1\n"
        "tenants:\n  - name: Contoso\n    tenant_id: contoso.onmicrosoft.com\n",
        "utf-8",
    )
    assert main(_argv(EXAMPLES["lists"][1])) == 0, capsys.readouterr().err
    assert "no tenant of tenants.yaml has list_to: nothing sent" in capsys.readouterr().err


def test_lists_through_graph_is_refused_by_its_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before the tenants file is read (it is not there): one line, exit 2."""
    code = main(["lists", str(tmp_path), "--tenants", str(tmp_path / "none.yaml"), "--via", "graph"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        "license-auditor: error: lists: the lists are sent through SMTP (--smtp-host, --from), not Graph "
        "(--via graph, --sender): Graph's sendMail signs in to one tenant"
    ]
