"""The counts README.md and docs/*.md quote from the demo are the counts the demo prints (issue 89, point
6: "Microsoft 365 E3: 202 of 203 in use" long after the tool said 203 of 204). The money figures and the
sentences marked as output are held by test_docs_quote_the_demo.py; this holds the other figures: users,
products, seats, changes, moves.

FIGURES is the table: the file, the text as the doc says it with each figure a `{}`, and how to read those
figures from the demos' outputs. The demos run once. When the sample changes, the failure names the file,
the line, what it says and what the tool prints, so the doc (or this table) is updated in a minute."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.rules.moves import SubscriptionMove
from tests.demo_runs import DemoRuns

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample"


@dataclass(frozen=True)
class Outputs:
    """The folders the demos wrote, and what `plan` printed."""

    audit: Path  # audit --demo, then plan --report-dir
    plan_printed: str
    many: Path  # audit --demo --tenants
    moves: Path  # audit --demo with the moves example and the sample's billing, then plan --report-dir
    migration: Path  # migrate --demo, then audit --demo --migration
    tickets_said: tuple[str, str]  # what `tickets --demo --yes` said on stderr, the first night and the second

    def report(self, folder: Path) -> dict[str, Any]:
        report: dict[str, Any] = json.loads((folder / "report.json").read_text("utf-8"))
        return report

    def plan(self, folder: Path) -> dict[str, Any]:
        plan: dict[str, Any] = json.loads((folder / "plan.json").read_text("utf-8"))
        return plan


def _run(*argv: str) -> str:
    return _said(*argv)[0]


def _said(*argv: str) -> tuple[str, str]:
    """What the command printed on stdout and on stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(list(argv))
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, demo_runs: DemoRuns) -> Outputs:
    where = tmp_path_factory.mktemp("docs-figures")
    demo_runs.fleet(where)  # `audit --demo --tenants --output-dir many` (the session's, copied: tickets writes)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(where)
        mp.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
        _run("audit", "--demo", "--output-dir", "audit", "--fail-on", "never")
        printed = _run("plan", "--report-dir", "audit")
        # the tickets demo as docs/msp.md gives it (`tickets --demo [--yes]`), on that run, two nights
        nights = tuple(_said("tickets", "many", "--demo", "--yes")[1] for _ in range(2))
        moves = ["--policies", str(ROOT / "examples"), "--policies", str(SAMPLE / "moves-example.yaml")]
        billing = ["--billing", str(SAMPLE / "sample-billing.csv")]
        _run("audit", "--demo", *moves, *billing, "--output-dir", "moves", "--fail-on", "never")
        _run("plan", "--report-dir", "moves")
        _run("migrate", "--demo", "--output-dir", "migration")
        migration = ["--migration", "migration/migration.json", "--format", "json,html"]
        _run("audit", "--demo", *migration, "--output-dir", "migration/audit", "--fail-on", "never")
    return Outputs(
        where / "audit", printed, where / "many", where / "moves", where / "migration", (nights[0], nights[1])
    )


def _n(value: int) -> str:
    return f"{value:,}"


def _sku(o: Outputs, folder: Path, part: str) -> dict[str, Any]:
    return next(s for s in o.report(folder)["skus"] if s["sku"] == part)


def e3_in_use(o: Outputs) -> tuple[str, ...]:
    e3 = _sku(o, o.audit, "SPE_E3")
    return _n(e3["consumed"]), _n(e3["enabled"] + e3["warning"])


def contoso_users(o: Outputs) -> tuple[str, ...]:
    report = o.report(o.audit)
    return _n(report["summary"]["users"]["total"]), _n(len(report["skus"]))


def contoso_licensed(o: Outputs) -> tuple[str, ...]:
    users = o.report(o.many / "contoso")["summary"]["users"]
    with (o.many / "contoso" / "licensed-users.csv").open(encoding="utf-8-sig", newline="") as f:
        listed = sum(1 for _ in csv.DictReader(f))
    assert listed == users["licensed"]
    return _n(users["total"]), _n(users["licensed"])


def fabrikam_users(o: Outputs) -> tuple[str, ...]:
    return (_n(o.report(o.many / "fabrikam")["summary"]["users"]["total"]),)


def findings_waived(o: Outputs) -> tuple[str, ...]:
    """As the audit prints them ("91 findings (…), 1 waived"): the findings not waived, then the waived."""
    summary = o.report(o.audit)["summary"]
    return _n(summary["unwaived"]), _n(summary["waived"])


def plan_size(o: Outputs) -> tuple[str, ...]:
    plan = o.plan(o.audit)
    return _n(len(plan["changes"])), _n(len({s["finding"] for s in plan["skipped"] if s["reason"] != "waived"}))


def reprocessed(o: Outputs) -> tuple[str, ...]:
    return (_n(sum(1 for c in o.plan(o.audit)["changes"] if c["kind"] == "reprocess")),)


def moves(o: Outputs) -> tuple[str, ...]:
    e5 = _sku(o, o.moves, "SPE_E5")
    free = e5["enabled"] + e5["warning"] - e5["consumed"]
    ids = {f["id"] for f in o.report(o.moves)["findings"] if f["rule"] == SubscriptionMove.id}
    moved = sum(1 for c in o.plan(o.moves)["changes"] if c["kind"] == "assign_license" and set(c["findings"]) & ids)
    return _n(free), _n(moved)


def migration_line(o: Outputs) -> tuple[str, ...]:
    summary = json.loads((o.migration / "migration.json").read_text("utf-8"))["summary"]
    digest = (o.migration / "audit" / "digest.txt").read_text("utf-8")
    bought = re.search(r"Next deadline: buy ([\d,]+) licenses", digest)
    assert bought, "the digest's migration line"
    return _n(summary["moving"]), _n(summary["users"]), _n(summary["blocked"]), bought[1]


def tickets_opened(o: Outputs) -> tuple[str, ...]:
    said = re.search(r"tickets opened: ([\d,]+), already open: 0,", o.tickets_said[0])
    assert said, f"the first night's tickets line: {o.tickets_said[0][-300:]!r}"
    return (said[1],)


def tickets_found(o: Outputs) -> tuple[str, ...]:
    said = re.search(r"tickets opened: 0, already open: ([\d,]+),", o.tickets_said[1])
    assert said, f"the second night's tickets line: {o.tickets_said[1][-300:]!r}"
    return (said[1],)


Reader = Callable[[Outputs], tuple[str, ...]]
IN_USE = "Microsoft 365 E3: {} of {} in use"
FIGURES: list[tuple[str, str, Reader]] = [
    ("README.md", "(Contoso, {} users, {} products)", contoso_users),
    ("README.md", IN_USE, e3_in_use),
    ("README.md", "It gives the same {} findings, {} waived", findings_waived),
    ("README.md", "except that the {} users whose group licenses the plan reprocessed", reprocessed),
    ("docs/reports.md", IN_USE, e3_in_use),
    ("docs/reports.md", "{} changes; {} findings need a person", plan_size),
    ("docs/msp.md", IN_USE, e3_in_use),
    ("docs/msp.md", "It audits Contoso ({} users, {} of them licensed", contoso_licensed),
    ("docs/msp.md", "Fabrikam ({} users, nearly clean", fabrikam_users),
    ("docs/msp.md", "tickets opened: {}, already open: 0", tickets_opened),
    ("docs/msp.md", "tickets opened: 0, already open: {}", tickets_found),
    ("docs/plan-and-apply.md", "plan: {} changes; {} findings need a person", plan_size),
    ("docs/migration.md", "{} of {} users can move, {} cannot. Next deadline: buy {} licenses", migration_line),
    ("auditor_dev/sample/moves-example.yaml", "E5 has {} free seats: the first {} (alphabetically) move", moves),
    ("auditor/fleet/lists.py", IN_USE, e3_in_use),
]


def _pattern(template: str) -> re.Pattern[str]:
    """The template as found in a file: a figure where `{}` is, any line break (a comment's "#" too)
    where a space is."""
    parts = [re.escape(part).replace("\\ ", r"\s+(?:#\s+)?") for part in template.split("{}")]
    return re.compile(r"([\d,]+)".join(parts))


@pytest.mark.parametrize(("name", "template", "reader"), FIGURES, ids=[f"{f[0]}: {f[1]}" for f in FIGURES])
def test_each_figure_the_docs_quote_is_what_the_demo_prints(
    outputs: Outputs, name: str, template: str, reader: Reader
) -> None:
    text = (ROOT / name).read_text("utf-8")
    found = list(_pattern(template).finditer(text))
    assert found, f"{name} no longer says {template!r}: update tests/core/test_docs_figures.py's FIGURES"
    printed = reader(outputs)
    said = template.format(*printed)
    wrong = [
        f"{name}:{text.count(chr(10), 0, m.start()) + 1}: says {m.group(0)!r}, the demo prints {said!r}"
        for m in found
        if m.groups() != printed
    ]
    assert not wrong, "\n".join(wrong)


def test_msp_md_quotes_every_line_of_the_three_way_table(outputs: Outputs) -> None:
    """docs/msp.md quotes Contoso's three-way table whole, so the roll-up's sums it quotes after it can be
    added up from the lines above them."""
    lines = (outputs.many / "contoso" / "report.md").read_text("utf-8").splitlines()
    start = lines.index(r"**What the customer is billed \(ConnectWise\)**") + 2
    end = lines.index("", start)
    printed = [re.sub(r"\\(.)", r"\1", line).removeprefix("- ") for line in lines[start:end]]
    doc = (ROOT / "docs" / "msp.md").read_text("utf-8").splitlines()
    said = next(i for i in range(doc.index("### The three-way table"), len(doc)) if "report says:" in doc[i])
    first = said + 3  # the quote, after its blank line and its demo-output mark
    quoted = [line.removeprefix("> ") for line in doc[first : doc.index("", first)]]
    assert quoted == printed, "docs/msp.md's three-way quote is not Contoso's table as report.md prints it"
