"""A seat that moves from one user to another, planned as one unit (copilot-seat-idle's `reassign`).

A finding whose changes take a product from one user and give it to another (the holder's
assignLicense removal and the candidate's assignLicense addition) is a move: the two users' chains
(auditor.plan.schedule.chain) become one, the holder's first, and the candidate's license change
depends on the holder's. `order` then places them together: the seat is freed and taken in the same
step (a move needs no spare seat), apply makes the second only when the first was applied (each
after re-reading its own user), and undo, which reverts a journal from its end, gives the seat back
to the holder after taking it from the candidate.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.plan.schedule import Draft


def _license(chain: Sequence[Draft]) -> int | None:
    return next((i for i, d in enumerate(chain) if d.kind == "assign_license"), None)


def _moved(giver: Draft, taker: Draft) -> bool:
    """The giver's license change frees a product the taker's consumes, for one finding of both."""
    freed = {p for p, n in giver.seats.items() if n < 0}
    taken = {p for p, n in taker.seats.items() if n > 0}
    return bool(freed & taken) and bool(set(giver.findings) & set(taker.findings))


def join_moves(chains: Sequence[list[Draft]]) -> list[list[Draft]]:
    """The chains with each move's two users' chains joined, the holder's first; the others as given.
    Each holder is joined to the first chain (in the given order) whose license change takes a product
    it frees for one finding of both: only the chains that share a finding with it are looked at, so a
    plan of many users is not a comparison of every chain with every other."""
    out = [list(c) for c in chains]
    # a move's two license changes share a finding: the chains are looked up by their license change's
    # findings, not each against every other (a tenant's chains, one per user, are many)
    licenses = [_license(c) for c in out]  # a chain's own: what a join appends comes after it
    by_finding: dict[str, list[int]] = {}
    for i, (c, at) in enumerate(zip(out, licenses, strict=True)):
        for f in dict.fromkeys(c[at].findings) if at is not None else ():
            by_finding.setdefault(f, []).append(i)
    joined: set[int] = set()
    for gi, giver in enumerate(out):
        g = licenses[gi]
        if g is None or gi in joined:
            continue
        for ti in sorted({i for f in giver[g].findings for i in by_finding.get(f, ())}):
            taker, t = out[ti], licenses[ti]
            if ti == gi or ti in joined or t is None or not _moved(giver[g], taker[t]):
                continue
            base = len(giver)
            for d in taker:
                d.deps = [base + j for j in d.deps]
            taker[t].deps = sorted({*taker[t].deps, g})
            giver.extend(taker)
            joined.add(ti)
            break
    return [c for i, c in enumerate(out) if i not in joined]
