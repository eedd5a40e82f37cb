"""An idle Copilot seat moved to who waits for one (copilot-seat-idle's `reassign`): the plan keeps
the holder's removal and the candidate's assignment together, the second resting on the first; on
the demo tenant, through the emulator, apply moves the seat and undo gives it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.demo_write import DEMO_STATE
from auditor.plan.schedule import Draft
from auditor.plan.seat_moves import join_moves
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor.snapshot import load_snapshot

COPILOT = "639dec6b-bb19-468b-871c-c5c441c4b0cb"
HOLDER = "copilot.never@contoso.example"
CANDIDATE = "user000006@contoso.example"


def draft(user: str, seats: dict[str, int], findings: list[str], kind: str = "assign_license") -> Draft:
    return Draft(kind, f"/users/{user}/assignLicense", None, user, None, [], seats, findings)


def test_a_move_is_one_unit_and_the_give_rests_on_the_take() -> None:
    other = [draft("c", {"X": -1}, ["f2"])]
    taker = [draft("b", {"P": 1}, ["f1"]), draft("b", {}, ["f3"], kind="reprocess")]
    taker[1].deps = [0]
    giver = [draft("a", {"P": -1}, ["f1"])]
    joined = join_moves([taker, other, giver])
    assert [[d.user for d in c] for c in joined] == [["c"], ["a", "b", "b"]]
    unit = joined[1]
    assert unit[1].deps == [0] and unit[2].deps == [1]  # the give after the take; the reprocess re-based
    # a product freed for another finding is no move
    assert len(join_moves([[draft("b", {"P": 1}, ["f1"])], [draft("a", {"P": -1}, ["f9"])]])) == 2


def _pairwise(chains: list[list[Draft]]) -> list[list[Draft]]:
    """join_moves as its docstring says it, every chain against every other (the reference)."""
    out = [list(c) for c in chains]
    joined: set[int] = set()
    for gi, giver in enumerate(out):
        g = next((i for i, d in enumerate(giver) if d.kind == "assign_license"), None)
        if g is None or gi in joined:
            continue
        for ti, taker in enumerate(out):
            t = next((i for i, d in enumerate(taker) if d.kind == "assign_license"), None)
            freed = {p for p, n in giver[g].seats.items() if n < 0}
            if ti == gi or ti in joined or t is None:
                continue
            if not freed & {p for p, n in taker[t].seats.items() if n > 0}:
                continue
            if not set(giver[g].findings) & set(taker[t].findings):
                continue
            base = len(giver)
            for d in taker:
                d.deps = [base + j for j in d.deps]
            taker[t].deps = sorted({*taker[t].deps, g})
            giver.extend(taker)
            joined.add(ti)
            break
    return [c for i, c in enumerate(out) if i not in joined]


def test_moves_among_many_chains_join_as_every_chain_against_every_other() -> None:
    # givers and takers of three products over shared findings, some chains with no license change, some
    # takers wanted by two givers, some givers that took a seat themselves first
    def chains() -> list[list[Draft]]:
        out = []
        for i in range(400):
            product = "PQR"[i % 3]
            finding = f"f{i % 37}"
            if i % 11 == 0:
                out.append([draft(f"u{i}", {}, [finding], kind="reprocess")])
            elif i % 2:
                out.append([draft(f"u{i}", {product: -1, "PQR"[(i + 1) % 3]: i % 5 == 0}, [finding, f"g{i % 5}"])])
            else:
                out.append([draft(f"u{i}", {}, [finding], kind="reprocess"), draft(f"u{i}", {product: 1}, [finding])])
        return out

    def shape(joined: list[list[Draft]]) -> list[list[tuple[str, str, list[int]]]]:
        return [[(d.user, d.kind, d.deps) for d in c] for c in joined]

    joined = join_moves(chains())
    assert len(joined) < 400  # moves were made
    assert shape(joined) == shape(_pairwise(chains()))


def _holds(state: Path, upn: str) -> bool:
    user = next(u for u in load_snapshot(state).users if u.user_principal_name == upn)
    return COPILOT in user.sku_ids


def test_the_demo_moves_the_idle_seat_and_undo_gives_it_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main(["plan", "--demo"]) == 0
    report = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    (finding,) = [
        f
        for f in report["findings"]
        if f["rule"] == CopilotSeatIdle.id
        and f["details"]["disposition"] == "reassign"
        and f["subject"]["upn"] == HOLDER
    ]  # the never-used seat, which goes to the waiting list's member (the next goes to the audit log's Chat user)
    assert finding["subject"]["upn"] == HOLDER and finding["details"]["candidate"] == CANDIDATE
    plan = json.loads((tmp_path / "reports" / "plan.json").read_text("utf-8"))
    take, give = [c for c in plan["changes"] if finding["id"] in c["findings"]]
    assert give["n"] == take["n"] + 1 and give["depends_on"] == [take["n"]]
    assert take["body"]["removeLicenses"] == [COPILOT] and give["body"]["addLicenses"][0]["skuId"] == COPILOT
    assert "user000006@contoso.example" in give["description"]

    assert main(["apply", "--demo", "--yes", "--wait", "0"]) == 0
    state = tmp_path / "reports" / DEMO_STATE
    assert not _holds(state, HOLDER) and _holds(state, CANDIDATE)
    (journal,) = (tmp_path / "reports").glob("journal-*.jsonl")
    lines = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    done = {entry["n"] for entry in lines if entry.get("outcome") == "done"}
    assert {take["n"], give["n"]} <= done

    assert main(["undo", "--demo", "--yes", "--wait", "0"]) == 0
    assert _holds(state, HOLDER) and not _holds(state, CANDIDATE)
