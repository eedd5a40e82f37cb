"""A ticket's write goes through the engine's one write-ahead path (auditor.apply.write_engine.written): the
`sending` line is on disk before the PSA is called, and a journal that cannot take a line stops the run naming
whether the request went out (nothing sent, or what the PSA made)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import pytest

from auditor.apply.journal import JournalError, LineFile
from auditor.fleet.tickets import JournalLine, Session


@dataclass
class _Answer:
    status: int
    body: bytes


@dataclass
class _Client:
    """A PSA that makes each record it is sent, and says what the journal held when it was called."""

    journal: Path
    seen: list[list[str]] = field(default_factory=list)

    def request(self, method: str, path: str, body: object = None) -> _Answer:
        self.seen.append([msgspec.json.decode(x)["outcome"] for x in self.journal.read_bytes().splitlines()])
        return _Answer(201, b'{"id": 40127}')

    def decode(self, body: bytes, what: str) -> object:
        return msgspec.json.decode(body)


@dataclass
class _Desk:
    client: _Client

    def made(self, doc: object) -> int | None:
        return doc.get("id") if isinstance(doc, dict) else None


class _Full(LineFile):
    """A journal whose disk takes `room` lines and no more."""

    room = 0

    def append(self, line: object) -> None:  # type: ignore[override]
        if self.lines >= self.room:
            raise JournalError(f"cannot write the journal {self.path}: No space left on device")
        super().append(line)  # type: ignore[arg-type]


def _session(tmp_path: Path, room: int | None) -> tuple[Session, _Client]:
    path = tmp_path / "tickets.jsonl"
    journal = LineFile(path, "the tickets journal") if room is None else _Full(path, "the tickets journal")
    if isinstance(journal, _Full):
        journal.room = room or 0
    client = _Client(path)
    return Session(_Desk(client), journal, write=True), client  # type: ignore[arg-type]


WHAT = JournalLine(at="", n=0, tenant="contoso", kind="ticket", key="license-auditor:08db", company=250)


def test_the_sending_line_is_on_disk_before_the_psa_is_called(tmp_path: Path) -> None:
    session, client = _session(tmp_path, None)
    assert session.send(WHAT, "/service/tickets", {"summary": "s"}) == 40127
    assert client.seen == [["sending"]]
    lines = [msgspec.json.decode(x) for x in (tmp_path / "tickets.jsonl").read_bytes().splitlines()]
    assert [(x["n"], x["outcome"], x.get("id")) for x in lines] == [(1, "sending", None), (2, "done", 40127)]


def test_a_journal_that_cannot_take_the_sending_line_sends_nothing(tmp_path: Path) -> None:
    session, client = _session(tmp_path, 0)
    with pytest.raises(JournalError, match=r"No space left on device; contoso: ticket license-auditor:08db was not"):
        session.send(WHAT, "/service/tickets", {"summary": "s"})
    assert client.seen == []


def test_a_journal_that_cannot_take_the_outcome_names_what_was_made(tmp_path: Path) -> None:
    session, client = _session(tmp_path, 1)
    with pytest.raises(JournalError, match=r"contoso: ticket license-auditor:08db was MADE, and its journal line"):
        session.send(WHAT, "/service/tickets", {"summary": "s"})
    assert client.seen == [["sending"]]
