"""What the journal promises when apply cannot finish: a full disk, SIGTERM/SIGINT while a write is
in flight, and answers that leave a write's outcome unknown. apply runs as a real process (or the
real CLI) with the msgraph-sdk adapter against the Graph emulator on 127.0.0.1."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest
from emulator_faults import Fault, FaultKind

from auditor.apply.journal import read_journal
from auditor_dev.emulator import Drop, Reply, Request, error_document
from tests import agreeing

from .conftest import (
    ANNA,
    BEN,
    CARL,
    DORA,
    E3,
    E5,
    G_E3,
    G_E5,
    TEAMS,
    TENANT,
    Graph,
    RereadFails,
    add_member,
    assign,
    journal_lines,
    remove_member,
    run,
    wall_clock,
    write_plan,
)

ROOT = Path(__file__).parents[2]
# seconds a held write, or the test waiting for a process, waits at most: a guard against a hang, longer
# than a busy machine takes to start apply and send its write (a regression fails, never hangs)
HOLD_AT_MOST = 240.0


def _five(tmp_path: Path) -> Path:
    return write_plan(
        tmp_path,
        [
            assign(BEN, remove=[E5]),
            assign(ANNA, add=[(E3, [])]),
            add_member(DORA, G_E3),
            remove_member(CARL, G_E5),
            add_member(ANNA, G_E3),
        ],
        created_at=wall_clock(),
    )  # applied in another process: its own clock


def _cli(graph: Graph, *args: str, file_limit: int | None = None) -> subprocess.Popen[str]:
    """`python -m auditor ARGS` in its own process, signed in with the emulator's token."""
    env = {**os.environ, "AUDITOR_ACCESS_TOKEN": graph.token, "AZURE_TENANT_ID": TENANT, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)

    def limit() -> None:  # as `ulimit -f` would: every file this process writes stays under file_limit bytes
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.Popen(
        [sys.executable, str(agreeing.__file__), *args, "--graph-endpoint", graph.url, "--auth", "token"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )


def _intact(path: Path) -> list[dict[str, Any]]:
    """The journal's lines that are whole JSON objects (a cut last line is left out)."""
    out = []
    for raw in path.read_bytes().split(b"\n"):
        try:
            doc = json.loads(raw)
        except ValueError:
            continue
        if isinstance(doc, dict):
            out.append(doc)
    return out


# --- a full disk -------------------------------------------------------------------------------


def test_a_full_disk_never_loses_a_change_graph_made(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    journal = tmp_path / "j.jsonl"
    proc = _cli(graph, "apply", str(_five(tmp_path)), "--yes", "--journal", str(journal), file_limit=4096)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, err
    assert "5 of 5" not in out
    assert "journal" in err and "File too large" in err
    # every write Graph accepted is in the journal, recorded before it was sent
    plan = json.loads((tmp_path / "plan.json").read_text())
    sent = {(w.method, w.path) for w in graph.writes() if 200 <= w.status < 300}
    journaled = {(x["request"]["method"], x["request"]["path"]) for x in _intact(journal)}
    assert sent and sent <= journaled
    assert len(sent) < 5, "the run stopped when it could no longer journal"
    assert {(c["method"], c["path"]) for c in plan["changes"][len(sent) :]}.isdisjoint(sent)
    # the part of a line the disk could not take was cut off again: whole lines only
    assert journal.read_bytes().endswith(b"\n") and len(_intact(journal)) == len(journal.read_bytes().splitlines())
    # undo reads the journal as it is: each change sent is either journaled as done (and undone), or
    # its `sending` line is there without an outcome, and undo re-reads the user, finds it made, and
    # undoes it as done
    done = {(x["request"]["method"], x["request"]["path"]) for x in _intact(journal) if x["outcome"] == "done"}
    capsys.readouterr()
    code = run("undo", journal, graph)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "not a JSON object" not in captured.err
    assert f"journal {journal}: {len(sent)} change(s) done" in captured.out
    for method, path in sent - done:
        assert f"({method} {path}): outcome unknown; the user, re-read, shows the change made: undone" in captured.out


def test_undo_uses_every_intact_line_and_names_the_cut_one(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    journal = tmp_path / "j.jsonl"
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(DORA, G_E3), assign(ANNA, remove=[E5])])
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    data = journal.read_bytes()
    journal.write_bytes(data[: len(data) - 40])  # the last line is cut, as a full disk or a crash leaves it
    cut = len([x for x in data.split(b"\n") if x])
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    err = capsys.readouterr().err
    assert f"{journal}: line {cut}: " in err and "cut or damaged" in err
    # the changes of the intact lines are undone; the cut one is named, not guessed at
    assert graph.direct(BEN) == {E5: ()}
    assert not graph.member(DORA, G_E3)
    assert graph.direct(ANNA) == {}, "the cut line's change is left for a person"


def test_a_sending_line_without_its_outcome_reads_as_outcome_unknown(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    journal = tmp_path / "j.jsonl"
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), assign(ANNA, remove=[E5])])
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    lines = journal_lines(journal)
    assert [(x["n"], x["outcome"]) for x in lines] == [(1, "sending"), (1, "done"), (2, "sending"), (2, "done")]
    assert lines[0]["status"] is None and lines[0]["before"] == lines[1]["before"]
    # the process died after change 2 was sent: only its `sending` line is there
    journal.write_text("".join(json.dumps(x) + "\n" for x in lines[:3]), encoding="utf-8")
    capsys.readouterr()
    # the next apply of the plan says so, and re-checks that change against the tenant
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "again.jsonl")) == 0
    captured = capsys.readouterr()
    assert f"change 2 (POST /users/{ANNA}/assignLicense): outcome unknown in {journal} (line 3)" in captured.err
    assert "the user does not hold" in captured.out
    # that run settled it (skipped): the next one no longer warns
    assert run("apply", plan, graph) == 0
    assert "outcome unknown" not in capsys.readouterr().err
    # undo re-reads Anna to settle it: the removal shows, so it is undone as a change done
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    out = capsys.readouterr().out
    assert (
        f"line 3: change 2 (POST /users/{ANNA}/assignLicense): outcome unknown; the user, re-read, shows "
        "the change made: undone" in out
    )
    assert graph.direct(BEN) == {E5: ()}, "the done change is undone"
    assert graph.direct(ANNA) == {E5: (TEAMS,)}, "and the one the re-read showed made"


def test_a_failed_line_without_an_answer_is_failed_even_with_no_sending_line(tmp_path: Path, graph_for: Any) -> None:
    """Every journal is written ahead (a "sending" line first); a journal without one is not read
    as an older kind, in which a "failed" line with no answer once meant "outcome unknown"."""
    graph = graph_for()
    journal = tmp_path / "j.jsonl"
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), assign(ANNA, remove=[E5])])
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    lines = [x for x in journal_lines(journal) if x["outcome"] != "sending"]
    lines[1] |= {"outcome": "failed", "status": None, "note": "never sent"}
    journal.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    read = read_journal(journal)
    assert [(x.n, x.outcome, x.status) for x in read.lines] == [(1, "done", 200), (2, "failed", None)]
    assert read.unknown == ()


# --- SIGTERM / SIGINT --------------------------------------------------------------------------


class _Said:
    """What a process writes on one of its pipes, read line by line on a thread of its own: a test
    waits for a line the process writes, never for a while."""

    def __init__(self, pipe: IO[str] | None) -> None:
        assert pipe is not None
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: IO[str]) -> None:
        for line in pipe:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, text: str) -> bool:
        """True once a line holding `text` was written (False after HOLD_AT_MOST: a guard against a hang)."""
        with self._changed:
            return self._changed.wait_for(lambda: any(text in line for line in self.lines), HOLD_AT_MOST)

    @property
    def text(self) -> str:
        """Everything written (once the process has ended: all it wrote)."""
        self._thread.join(HOLD_AT_MOST)
        return "".join(self.lines)


IN_FLIGHT = "stopping once the write in flight is answered and journaled"  # apply's answer to a first signal


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_a_write_is_in_flight_finishes_it_then_stops(
    tmp_path: Path, graph_for: Any, sig: signal.Signals
) -> None:
    # the write is held until apply has taken the signal: in flight then, however slowly a busy machine runs
    held = threading.Event()
    slow = Fault(
        FaultKind.SLOW, match=r"^POST /v1\.0/users/[^/]+/assignLicense$", count=1, delay=HOLD_AT_MOST, release=held
    )
    graph = graph_for(responders=[slow])
    journal = tmp_path / "j.jsonl"
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(DORA, G_E3)], created_at=wall_clock())
    proc = _cli(graph, "apply", str(plan), "--yes", "--journal", str(journal))
    said, errors = _Said(proc.stdout), _Said(proc.stderr)
    try:
        assert slow.arrived.wait(HOLD_AT_MOST), "the write never reached Graph"
        proc.send_signal(sig)
        assert errors.wait_for(f"{sig.name}: {IN_FLIGHT}"), errors.text
    finally:
        held.set()
    assert proc.wait(HOLD_AT_MOST) == 3, errors.text
    out, err = said.text, errors.text
    lines = journal_lines(journal)
    assert [(x["n"], x["outcome"]) for x in lines] == [(1, "sending"), (1, "done")]
    assert graph.direct(BEN) == {}
    assert not graph.member(DORA, G_E3), "nothing is sent after the signal"
    assert f"stopped by {sig.name}" in err
    assert "1 of 2 change(s) applied, 0 skipped, 1 left (not attempted)" in out


def _removal_in_flight(
    tmp_path: Path, graph_for: Any, delay: float, release: threading.Event | None = None
) -> tuple[Graph, Path, subprocess.Popen[str]]:
    """apply of Ben's E5 removal in its own process, returned once its `sending` line is written: Graph
    answers the write after `delay` seconds, or once `release` is set."""
    slow = Fault(
        FaultKind.SLOW, match=r"^POST /v1\.0/users/[^/]+/assignLicense$", count=1, delay=delay, release=release
    )
    graph = graph_for(responders=[slow])
    journal = tmp_path / "j.jsonl"
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])], created_at=wall_clock())
    proc = _cli(graph, "apply", str(plan), "--yes", "--journal", str(journal))
    deadline = time.monotonic() + HOLD_AT_MOST
    while not (journal.exists() and b'"sending"' in journal.read_bytes()):
        assert proc.poll() is None and time.monotonic() < deadline, "no `sending` line before the write"
        time.sleep(0.05)
    if release is not None:  # held until released: in flight once Graph has it, whatever the machine's load
        assert slow.arrived.wait(HOLD_AT_MOST), "the write never reached Graph"
    return graph, journal, proc


def test_a_second_signal_stops_at_once_and_the_write_reads_as_outcome_unknown(tmp_path: Path, graph_for: Any) -> None:
    held = threading.Event()  # Graph answers the write only once apply has stopped
    _graph, journal, proc = _removal_in_flight(tmp_path, graph_for, delay=HOLD_AT_MOST, release=held)  # in flight
    _Said(proc.stdout)  # read as it comes: a full pipe never holds the process
    errors = _Said(proc.stderr)
    try:
        proc.send_signal(signal.SIGTERM)
        assert errors.wait_for(IN_FLIGHT), errors.text  # the first taken (two signals at once would be one)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(HOLD_AT_MOST) == 3, errors.text
    finally:
        held.set()
    lines = journal_lines(journal)
    assert [(x["n"], x["outcome"], x["status"]) for x in lines] == [(1, "sending", None), (1, "unknown", None)]
    assert "stopped while sending (SIGTERM)" in lines[1]["note"]


def test_after_kill_9_with_a_write_in_flight_undo_re_reads_the_user_and_undoes_it(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    held = threading.Event()  # Graph answers the write only once apply is killed
    graph, journal, proc = _removal_in_flight(tmp_path, graph_for, delay=HOLD_AT_MOST, release=held)  # in flight
    proc.kill()
    proc.communicate(timeout=60)
    held.set()
    assert proc.returncode == -signal.SIGKILL
    assert [x["outcome"] for x in journal_lines(journal)] == ["sending"]
    deadline = time.monotonic() + 30
    while graph.direct(BEN):  # Graph still makes the write it received
        assert time.monotonic() < deadline, "the write never landed"
        time.sleep(0.05)
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    out = capsys.readouterr().out
    assert (
        f"line 1: change 1 (POST /users/{BEN}/assignLicense): outcome unknown; the user, re-read, shows "
        "the change made: undone" in out
    )
    assert graph.direct(BEN) == {E5: ()}, "the change made in flight is undone"


# --- answers that leave the outcome unknown ----------------------------------------------------


def _reply(status: int) -> Any:
    def answer(request: Request) -> Reply | None:
        if request.method == "POST" and request.path.endswith("/assignLicense"):
            return Reply(status, error_document("UnknownError", "Something went wrong."))
        return None

    return answer


def _drop(request: Request) -> Drop | None:
    return Drop() if request.method == "POST" else None


def _encoded(request: Request) -> Reply | None:
    if request.method == "POST":  # an encoding the client never asked for
        return Reply(200, b"\x00\x01\x02", headers={"Content-Encoding": "br"}, content_type="application/json")
    return None


def _garbled(request: Request) -> Reply | None:
    if request.method == "POST":  # gzip promised, the body is not gzip
        return Reply(200, b"this is not gzip", headers={"Content-Encoding": "gzip"}, content_type="application/json")
    return None


@pytest.mark.parametrize(
    "responder",
    [_reply(500), _reply(502), _reply(504), _drop, _encoded, _garbled],
    ids=["500", "502", "504", "drop", "encoding", "exception"],
)
def test_an_answer_that_does_not_settle_the_write_is_outcome_unknown(
    tmp_path: Path, graph_for: Any, responder: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # the re-read that would settle it fails too (else the run goes on: test_carry_on.py)
    reread = RereadFails()
    graph = graph_for(responders=[reread, responder])
    journal = tmp_path / "j.jsonl"
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(ANNA, G_E3), add_member(DORA, G_E3)])
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 3
    captured = capsys.readouterr()
    lines = journal_lines(journal)
    assert [(x["n"], x["outcome"]) for x in lines] == [(1, "sending"), (1, "unknown")]
    assert "may or may not have applied it" in lines[1]["note"]
    assert "0 of 3 change(s) applied, 0 skipped, 1 outcome unknown, 2 left (not attempted)" in captured.out
    assert len([r for r in graph.emulator.requests if r.method == "POST"]) == 1, "never sent again"
    # undo re-reads Ben: Graph never made the removal (the fault answered instead), so nothing to undo
    reread.armed = False  # (apply's re-read may not have come: the user can be read again)
    assert run("undo", journal, graph, "--yes") == 0
    out = capsys.readouterr().out
    assert (
        f"line 2: change 1 (POST /users/{BEN}/assignLicense): outcome unknown; the user, re-read, does not "
        "show the change: it was not made"
        in out
        and "nothing to undo" in out
    )
    assert graph.direct(BEN) == {E5: ()} and graph.writes()[1:] == []


def test_undo_warns_about_each_line_whose_outcome_is_unknown(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(responders=[RereadFails(), _reply(502)])
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run("apply", write_plan(tmp_path, [assign(BEN, remove=[E5])]), graph, "--yes", "--journal", str(first)) == 3
    assert (
        run(
            "apply",
            write_plan(tmp_path, [assign(ANNA, remove=[E5])], name="p2.json"),
            graph,
            "--yes",
            "--journal",
            str(second),
        )
        == 3
    )
    both = tmp_path / "both.jsonl"
    both.write_bytes(first.read_bytes() + second.read_bytes())
    capsys.readouterr()
    # undo cannot re-read the users either: each change stays unknown, named, exit 3
    graph.emulator.responders.insert(0, _users_unreadable)
    assert run("undo", both, graph, "--yes") == 3
    err = capsys.readouterr().err
    for line, user in ((2, BEN), (4, ANNA)):
        assert f"line {line}: change 1 (POST /users/{user}/assignLicense): outcome unknown" in err
    assert "the user could not be re-read" in err


def _users_unreadable(request: Request) -> Reply | None:
    if request.method == "GET" and request.path.count("/") == 2 and request.path.startswith("/users/"):
        return Reply(403, error_document("Authorization_RequestDenied", "Insufficient privileges."))
    return None


# --- redirects ---------------------------------------------------------------------------------


def test_a_write_follows_no_redirect(tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = graph_for()
    moved = elsewhere.url

    def redirect(request: Request) -> Reply | None:
        if request.method == "POST":
            return Reply(307, b"", headers={"Location": f"{moved}{request.path}"}, content_type="text/plain")
        return None

    graph = graph_for(responders=[RereadFails(), redirect])
    journal = tmp_path / "j.jsonl"
    assert (
        run("apply", write_plan(tmp_path, [assign(BEN, remove=[E5])]), graph, "--yes", "--journal", str(journal)) == 3
    )
    assert elsewhere.writes() == [], "the body is never sent to the redirect's host"
    lines = journal_lines(journal)
    assert [(x["outcome"], x["status"]) for x in lines] == [("sending", None), ("unknown", 307)]
    assert "redirect" in lines[1]["note"]
    assert "redirect" in capsys.readouterr().err
    assert graph.direct(BEN) == {E5: ()} and graph.direct(ANNA) == {E5: (TEAMS,)}
