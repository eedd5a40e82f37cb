"""A closed loopback server (the Graph emulator's, every vendor stand-in's) leaves no thread behind.

A client that keeps its keep-alive connections open used to leave the server's connection threads
waiting in `recv` after the server was closed; the process then exited with them alive, and they woke
inside the interpreter's finalization: `audit --demo --tenants` was seen to die by signal 11 (issue 110,
and a CI run of tests/delivery/test_workflow_kept_reads.py). These tests hold what the server decides:
its connections are counted while open, and closing it ends every one of their threads."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from auditor.cli import main
from auditor.data.model import TenantSnapshot
from auditor_dev.commerce.server import Reply, StandIn
from auditor_dev.emulator import GraphEmulator
from auditor_dev.loopback import LoopbackServer


def _connection_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "loopback-connection"]


class _Answers(StandIn):
    def route(self, asked: object) -> Reply:
        return Reply(200, {"ok": True})


def test_a_stand_in_closed_under_a_kept_connection_leaves_no_thread() -> None:
    before = set(_connection_threads())
    client = httpx.Client(timeout=10)  # never closed before the server is: its connections stay open
    with _Answers(token=None) as stand_in:
        for _ in range(3):
            assert client.get(f"{stand_in.url}/ping").status_code == 200
        server = stand_in._server
        assert isinstance(server, LoopbackServer)
        assert server.open_connections() == 1  # one kept-alive connection, its thread waiting for more
        assert len(set(_connection_threads()) - before) == 1
    assert server.open_connections() == 0
    assert set(_connection_threads()) - before == set()
    client.close()


def test_the_graph_emulator_stopped_under_kept_connections_leaves_no_thread(tenant: TenantSnapshot) -> None:
    before = set(_connection_threads())
    clients = [httpx.Client(timeout=10) for _ in range(4)]
    emulator = GraphEmulator(tenant).start()
    url = emulator.url
    for client in clients:
        client.get(f"{url}/organization")  # unauthorized or not, the connection is kept
    assert len(set(_connection_threads()) - before) == 4
    emulator.stop()
    assert set(_connection_threads()) - before == set()
    for client in clients:
        client.close()


def test_the_many_tenant_demo_ends_with_no_server_thread_alive(tmp_path: Path) -> None:
    """The whole demo fleet, in this process: when `audit --demo --tenants` returns, every emulator and
    stand-in it started is closed and none of their threads is left to outlive the program."""
    before = {t.ident for t in threading.enumerate()}
    code = main(["audit", "--demo", "--tenants", "--output-dir", str(tmp_path / "out")])
    assert code in (0, 1)
    left = [t for t in threading.enumerate() if t.ident not in before]
    assert left == [], [t.name for t in left]
