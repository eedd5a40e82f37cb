"""The docs quote what the tool prints: every money figure of docs/*.md, and every sentence the docs
mark as the demo's output, is found in what `audit --demo`, `plan --demo` and `migrate --demo`
print and write, and what `audit --demo --tenants` prints, Contoso's report and the roll-up
(issue 75, point 3: docs/plan-and-apply.md quoted "€756.95 a month" long after the tool said €753.72).

How the docs mark quoted output (the convention CONTRIBUTING.md states):

- a line `<!-- demo-output -->` before a fenced block or a `>` quote: each of its lines is output;
- the same line before a paragraph: each "double-quoted" span of the paragraph is output;
- "…" in a quote leaves words out: each piece between is looked for on its own;
- a money figure (€1,234.56) anywhere in docs/*.md outside `code` is the demo's, unless its
  paragraph follows `<!-- not-demo -->` (an example of another tenant, a format).

When the sample tenant changes, the failure names each doc, line and figure the demo no longer
prints, and the figures the demo prints instead are in the output files named."""

from __future__ import annotations

import contextlib
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from tests.demo_runs import FLEET, NO_TOKEN, DemoRuns

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
MARK, NOT_DEMO = "<!-- demo-output -->", "<!-- not-demo -->"
MONEY = re.compile(r"[−+-]?€\s?\d[\d,]*(?:\.\d\d)?")
QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”")
# the demo's files read as text (report.html's words are report.md's)
TEXT_FILES = ("report.md", "plan.md", "digest.txt", "migration.md")


def normal(text: str) -> str:
    """Text as a reader sees it: Markdown's escapes, bold and comments gone, entities decoded,
    spaces collapsed, one minus sign."""
    text = re.sub(r"<!--.*?-->", "", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|:@=<>&/~'\"$^?,;%])", r"\1", text)
    text = html.unescape(text.replace("**", ""))
    return " ".join(text.replace("−", "-").split())


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory, demo_runs: DemoRuns) -> str:
    """What the demos print and write, as one text (normal)."""
    where = tmp_path_factory.mktemp("docs-demo")
    said: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(where)
        mp.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
        for command, code in ((["audit", "--demo"], 1), (["plan", "--demo"], 0), (["migrate", "--demo"], 1)):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                assert main(command) == code
            said += [out.getvalue(), err.getvalue()]
        # the many-tenant demo (the session's `audit --demo --tenants --output-dir many`, read-only): Contoso's
        # seats at the sample's distributor, the invoices' lines (docs/msp.md)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            fleet = demo_runs.run(FLEET, NO_TOKEN)
        assert fleet.codes == (1,)
        said.append(fleet.err)
        many = fleet.folder / "many"
    files = [(where / "reports" / name).read_text("utf-8") for name in TEXT_FILES]
    files += [(many / "contoso" / name).read_text("utf-8") for name in ("report.md", "digest.txt")]
    files.append((many / "northwind" / "report.md").read_text("utf-8"))  # the Halo customer's table
    files.append((many / "tenants.md").read_text("utf-8"))  # the roll-up: its GDAP section (docs/msp.md)
    return "\n".join(normal(text) for text in [*said, *files])


def _blocks(lines: list[str]) -> Iterator[tuple[int, str, list[str]]]:
    """(first line number, kind, lines) of each block after a mark: "fence", "quote" or "paragraph"."""
    i = 0
    while i < len(lines):
        if lines[i].strip() != MARK:
            i += 1
            continue
        start = i + 1
        if lines[start].startswith("```"):
            end = next(j for j in range(start + 1, len(lines)) if lines[j].startswith("```"))
            yield start + 2, "fence", lines[start + 1 : end]
        else:
            end = next((j for j in range(start, len(lines)) if not lines[j].strip()), len(lines))
            kind = "quote" if lines[start].startswith(">") else "paragraph"
            yield start + 1, kind, [line.removeprefix(">").strip() for line in lines[start:end]]
        i = end


def _pieces(quote: str) -> list[str]:
    return [p for p in (normal(part).strip(" .,;:") for part in quote.split("…")) if len(p) > 2]


def quoted_output(path: Path) -> Iterator[tuple[int, str]]:
    """(line, piece) of each quoted piece of output the doc marks."""
    lines = path.read_text("utf-8").splitlines()
    for number, kind, block in _blocks(lines):
        if kind == "paragraph":
            text = " ".join(block)
            for match in QUOTED.finditer(text):
                for piece in _pieces(match.group(1) or match.group(2)):
                    yield number, piece
        else:
            for n, line in enumerate(block):
                for piece in _pieces(line):
                    yield number + n, piece


def money_figures(path: Path) -> Iterator[tuple[int, str]]:
    """(line, figure) of each money figure outside `code` and outside a block marked not-demo."""
    fenced = skip = False
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.strip() == NOT_DEMO:
            skip = True
            continue
        if line.startswith("```"):
            fenced = not fenced
            skip = skip and fenced  # a marked fence is skipped to its end
            continue
        if not line.strip() and not fenced:
            skip = False
        if skip:
            continue
        for figure in MONEY.findall(re.sub(r"`[^`]*`", "", line)):
            yield number, normal(figure).lstrip("+-")


def _money_lines(output: str) -> list[str]:
    """The demo's sentences with an amount in them, for the coordinator to copy from (at most 40)."""
    sentences = re.split(r"(?<=[.;])\s+", output)
    return list(dict.fromkeys(s for s in sentences if MONEY.search(s) and len(s) < 300))[:40]


def _missing(found: Iterator[tuple[Path, int, str]], output: str) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{n}: {text!r}" for path, n, text in found if text not in output]


def test_every_money_figure_of_the_docs_is_the_demos(output: str) -> None:
    figures = [(path, n, f) for path in DOCS for n, f in money_figures(path)]
    assert len(figures) > 10
    missing = _missing(iter(figures), output)
    assert not missing, (
        "figures the demo (audit, plan, migrate --demo) no longer prints:\n"
        + "\n".join(missing)
        + "\nthe demo's sentences with an amount, now:\n"
        + "\n".join(_money_lines(output))
    )


def test_every_quoted_output_of_the_docs_is_the_demos(output: str) -> None:
    pieces = [(path, n, p) for path in [*DOCS, ROOT / "README.md"] for n, p in quoted_output(path)]
    assert len(pieces) > 10
    missing = _missing(iter(pieces), output)
    assert not missing, "output the docs quote that the demo no longer prints:\n" + "\n".join(missing)


def test_the_marks_are_found() -> None:
    """A mark before a block the reader cannot tell (a heading, a list) is a mistake, said here."""
    for path in [*DOCS, ROOT / "README.md"]:
        lines = path.read_text("utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.strip() == MARK:
                after = lines[i + 1] if i + 1 < len(lines) else ""
                assert after.strip() and not after.startswith(("#", "- ", "|")), f"{path.name}:{i + 1}"
