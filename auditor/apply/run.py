"""`license-auditor apply PLAN` and `license-auditor undo JOURNAL`.

Both print each change (number, description, METHOD path) and what happened to it. Without
--yes they only read: each change's subject is re-read and its preconditions checked, and the
output says what a run with --yes would do. With --yes, before the first write they check that
the credential signs in to the plan's tenant and holds the permissions the changes need; then,
change by change, they re-read the subject, skip the change with a note when its preconditions no
longer hold (or a change it depends on was not applied), journal the change as "sending", send
the write, and journal its outcome (journal.py) before going on. A change Graph refused, or whose
outcome a re-read of the user settles, is journaled and the run goes on without what rests on it
(carry.py); a write whose outcome stays unknown, a failed re-read, a journal that cannot be
written, --max-failures refusals, or SIGTERM/SIGINT (after the write in flight is answered and
journaled) stop the run. Any change not made as planned ends in exit 3; the journal keeps every
change sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor.common.errors import EXIT_OK, AuditorError, AuthError, CollectionError, UsageError
from auditor.data.model import Cloud
from auditor.formats.change_model import PlanName

from ..formats.plan_json import GUID, Change, PlanFile, check_age, load_plan
from ..formats.plan_records import Filters
from ..graph.auth import build_credential
from ..graph.client import GraphClient
from ..graph.clouds import endpoints
from ..graph.progress import Progress
from . import permissions
from .agree import Refusal
from .arguments import WriteOptions
from .carry import Failures, summary
from .copilot_recheck import copilot_needed, copilot_unmet, seat_left_free
from .fresh import FreshPlan, Recompile
from .groups import group_unmet, what_leaving_takes
from .interrupts import Interrupts
from .journal import EarlierUnknown, JournalWriter, default_path, earlier_done, earlier_unknown
from .lock import hold, hold_plan
from .operator_policy import check_filters, check_policies, describe, operator_digests
from .plan_binding import changes_again, keep_plan
from .preconditions import unmet
from .session import ApplyStopped, Carried, Session
from .state import UserState
from .wait import DEFAULT_WAIT, Awaited, awaited, copies, duration, joins_of, wait_for_copies, without_awaited
from .write_engine import LICENCE, agreed


def clock() -> datetime:
    """apply's clock: the plan's age and the sign-in windows are measured against it (tests put another in)."""
    return datetime.now(UTC)


def bill_day(options: WriteOptions) -> date:
    """The day the bill's windows are judged on: today, or with --demo the sample's own day
    (WriteOptions.bill_moment, at apply's clock)."""
    return options.bill_moment(clock()).date()


# --- apply -------------------------------------------------------------------------------------


async def apply_plan(
    plan: PlanFile,
    session: Session,
    earlier: Sequence[EarlierUnknown] = (),
    wait: float = DEFAULT_WAIT,
    refused: Mapping[int, Refusal] | None = None,
    made: Mapping[int, EarlierUnknown] | None = None,
) -> None:
    """Apply the plan's changes in order; `wait`: the seconds a change may wait for a group's
    license after a join (wait.py); `refused`: the changes a fresh compile does not hold as they are
    (auditor.apply.agree), never sent; `made`: the changes an earlier run of the plan journaled as done."""
    refused = refused or {}
    made = made or {}
    changes = plan.changes
    by_n = {c.n: c for c in changes}
    mode = "applying" if session.execute else "dry run, nothing is written (--yes applies)"
    name = f"{plan.tenant_name} ({plan.tenant_id})" if plan.tenant_name else plan.tenant_id
    session.say(f"plan {plan.path}: {len(changes)} change(s) for tenant {name}, {plan.cloud.value}; {mode}")
    if plan.stopped:
        session.warn(
            f"the plan stopped early at change {plan.stopped.n}: {plan.stopped.reason}; "
            "the changes after it are not in it"
        )
    if not changes:
        return
    for line in earlier:
        session.warn(
            f"change {line.n} ({line.request}): outcome unknown in {line.journal} (line {line.line}); it is "
            "re-checked against the tenant like every change, and skipped if its preconditions no longer "
            "hold"
        )
    check = await session.verify(
        permissions.needed(
            (c.kind for c in changes),
            any(c.needs_sign_in for c in changes),
            any(c.group or _rests_on_group(c) for c in changes),
        )
        + copilot_needed(changes)
    )
    if check.missing and session.execute:
        raise AuthError(permissions.describe(check.missing, session.delegated) + "; no change was made")
    await session.load_products()
    _beyond_undo(session, changes)
    try:
        for change in changes:
            session.check_stop(f"change {change.n}")
            try:
                await _apply_one(session, change, changes, by_n, wait, refused.get(change.n), made.get(change.n))
            except Carried as exc:
                session.warn(str(exc))
                if freed := seat_left_free(session, change, by_n):
                    session.warn(freed)
                session.failures.add(change, exc.why)
                if session.failures.reached(session.tally.failed):
                    raise ApplyStopped(
                        f"{session.tally.failed} change(s) failed (--max-failures "
                        f"{session.failures.limit}): stopped there; the last: {exc}"
                    ) from None
    finally:
        summary(session, len(changes))
    t = session.tally
    if session.refused:
        raise ApplyStopped(
            f"{session.refused} change(s) refused, nothing sent for them: a fresh compile of the tenant under your "
            "policy does not make them as the plan says (each named above); every other change was "
            + ("applied or skipped as above" if session.execute else "checked as above")
        )
    if t.failed or t.unknown:
        raise ApplyStopped(
            f"{t.failed + t.unknown} change(s) did not go through ({t.failed} failed, {t.unknown} "
            f"outcome unknown; each journaled with Graph's answer), and "
            f"{len(session.failures.because)} resting on them were skipped; every other change was "
            "applied or skipped as above"
        )
    if check.missing:
        raise AuthError(
            permissions.describe(check.missing, session.delegated) + "; `apply --yes` would stop before the first write"
        )


async def _unmet_now(
    session: Session, change: Change, state: UserState, changes: Sequence[Change], by_n: dict[int, Change]
) -> list[str]:
    """Why the change's preconditions no longer hold on the user as re-read: its own and its kind's
    (preconditions.unmet), its group's (groups.group_unmet), a Copilot move's (copilot_recheck)."""
    reasons = unmet(change, state, clock(), session.products, session.group_labels(), session.plans)
    reasons = reasons or await group_unmet(session, change, state, changes, by_n)
    return reasons or await copilot_unmet(session, change, state, clock())


async def _refuse_or_skip(
    session: Session,
    change: Change,
    state: UserState,
    refusal: Refusal,
    changes: Sequence[Change],
    by_n: dict[int, Change],
    made: EarlierUnknown | None = None,
) -> None:
    """A change the fresh compile does not hold as it is is never sent. One it does not hold at all, whose
    preconditions the tenant shows no longer hold (made by an earlier run, or no longer needed), is skipped as
    any such change is, and so is one an earlier run of this plan journaled as done (`made`: a change whose
    preconditions stay true once made, a reprocess); every other is refused (_refuse)."""
    if refusal.absent:
        reasons = await _unmet_now(session, change, state, changes, by_n)
        if not reasons and made is not None:
            reasons = [f"made by an earlier run of this plan ({made.journal.name}, line {made.line})"]
        if reasons:
            session.skip(change.n, change, "; ".join(reasons), state.before(change.skus()))
            return
    _refuse(session, change, refusal)
    if freed := seat_left_free(session, change, by_n):  # a move whose give is refused after its take was made
        session.warn(freed)


def _refuse(session: Session, change: Change, refusal: Refusal) -> None:
    """A change the fresh compile does not hold as it is: named with the field that differs, journaled as
    failed (never sent), and what rests on it is skipped."""
    field = f" ({refusal.field})"
    why = f"refused{field}, nothing sent: {refusal.why}"
    session.failures.refuse(change, why)
    session.refused += 1
    session.warn(f"change {change.n}{field}: refused: {refusal.why}")
    if not session.execute:
        session.tally.would_skip += 1
        session.say(f"      -> would refuse: {refusal.why}")
        return
    session.tally.failed += 1
    if session.journal is not None:
        session.journal.write(
            change.n, change, session.request_doc(change), status=None, outcome="failed", note=why, before=None
        )
    session.say(f"      -> REFUSED{field}: {refusal.why}")


def _beyond_undo(session: Session, changes: Sequence[Change]) -> None:
    """Said before the first change: a product assigned to more users than its enabled seats (the
    rest suspended or locked out) gets back, from an undo, only the seats that are free then; a seat
    above the enabled count cannot be assigned again."""
    given: dict[str, int] = {}
    for change in changes:
        for part, n in change.seats.items():
            if n < 0:
                given[part] = given.get(part, 0) - n
    for sku_id, free in session.free.items():
        part = session.parts.get(sku_id, "")
        if free >= 0 or part not in given:
            continue
        name = session.products[sku_id]
        back = max(0, given[part] + free)
        session.warn(
            f"{name} is assigned to {-free} more user(s) than it has enabled seats (the other seats are "
            f"suspended or locked out, and cannot be assigned): of the {given[part]} these changes take away, "
            f"an undo can give back {back}"
        )


async def _apply_one(
    session: Session,
    change: Change,
    changes: Sequence[Change],
    by_n: dict[int, Change],
    wait: float,
    refusal: Refusal | None = None,
    made: EarlierUnknown | None = None,
) -> None:
    """Re-read, check and (with --yes) make one change; Carried when it did not go through; `refusal`: the
    fresh compile does not hold it as it is, so it is never sent; `made`: an earlier run journaled it done."""
    wanted = awaited(change, by_n)
    # a join whose user is a member already counts for a change that waits for its group's license
    joined = joins_of(change, by_n, wanted) & session.tally.joined
    failed = session.failures.blocked(change)
    blocked = [d for d in change.depends_on if d not in session.tally.applied and d not in joined]
    if failed or blocked:
        session.show(change.n, change)
        what = "would not be applied" if not session.execute else "was not applied"
        session.skip(
            change.n,
            change,
            failed or f"it depends on change {', '.join(map(str, blocked))}, which {what}",
            None,
        )
        return
    state = await session.read(change.n, change, shown=False)
    if change.group:
        await session.group(change.group, app_roles=change.kind == "remove_member")
    session.show(change.n, change)
    if change.kind == "add_member" and state.exists and change.group in (state.member_of or ()):
        session.tally.joined.add(change.n)
    if refusal is not None:
        await _refuse_or_skip(session, change, state, refusal, changes, by_n, made)
        return
    if wanted:
        await _after_join(session, change, state, wanted, wait)
        return
    before = state.before(change.skus())
    reasons = await _unmet_now(session, change, state, changes, by_n)
    if reasons:
        session.skip(change.n, change, "; ".join(reasons), before)
        return
    await session.write(change.n, change, before, note=_leaving(session, change))


async def _after_join(
    session: Session, change: Change, state: UserState, wanted: tuple[Awaited, ...], wait: float
) -> None:
    """A change that waits for the license of a group joined before it (wait.py): its other
    preconditions are checked first; then, with --yes, the user is re-read until the group's copy
    is active (then the change is made) or in error or the time runs out (then it is pending)."""
    reasons = unmet(
        without_awaited(change, wanted), state, clock(), session.products, session.group_labels(), session.plans
    )
    if reasons:
        session.skip(change.n, change, "; ".join(reasons), state.before(change.skus()))
        return
    ready, error = copies(state, wanted, session.products, session.group_labels())
    if not session.execute and not ready:
        if error:  # the run would leave it pending at once
            session.skip(
                change.n,
                change,
                f"{error} (with --yes it is journaled as pending)",
                state.before(change.skus()),
            )
            return
        # a dry run sends no join, so nothing can become active: it says what the run would do
        note = f"would wait up to {duration(wait)} (--wait) for the group's license to be active, then apply"
        session.tally.would += 1
        session.tally.applied.add(change.n)
        if session.journal is not None:
            session.journal.write(
                change.n,
                change,
                session.request_doc(change),
                status=None,
                outcome="dry-run",
                note=note,
                before=state.before(change.skus()),
            )
        session.say(f"      -> {note}")
        return
    if not ready:
        session.say(f"      waiting up to {duration(wait)} for the group's license to be active for the user")
        state, pending = await wait_for_copies(session, change, state, wanted, wait)
        if pending is not None:
            session.pend(change.n, change, pending, state.before(change.skus()))
            return
    # the state may have changed while it waited: every precondition is checked again, and the
    # group is read again (it may have been edited since the plan)
    before = state.before(change.skus())
    reasons = await _unmet_now(session, change, state, (), {})
    if reasons:
        session.skip(change.n, change, "; ".join(reasons), before)
        return
    await session.write(change.n, change, before)


def _rests_on_group(change: Change) -> bool:
    return any(cond.get("how") == "group" for cond in change.precondition)


def _leaving(session: Session, change: Change) -> str:
    """For a leave: what else the group gives (said on the console, and journaled with the outcome)."""
    group = session.groups.get(change.group or "")
    if change.kind != "remove_member" or group is None or not group.exists:
        return ""
    text = what_leaving_takes(group, session.products)
    session.say(f"      {text}")
    return text


# --- command line ------------------------------------------------------------------------------


def _client(options: WriteOptions, tenant_id: str, cloud: Cloud, source: str) -> GraphClient:
    """Sign in to the tenant the operator names (--tenant-id, else AZURE_TENANT_ID): never to the one
    the plan or journal names, which is only checked against it (here, and against the token)."""
    graph = options.graph
    if graph.cloud and graph.cloud is not cloud:
        raise UsageError(f"--cloud {graph.cloud.value}: {source} is for the {cloud.value} cloud")
    flag, named = (
        ("--tenant-id", graph.tenant_id)
        if graph.tenant_id
        else ("AZURE_TENANT_ID", os.environ.get("AZURE_TENANT_ID", "").strip())
    )
    if not named:
        raise UsageError(
            f"{options.command} needs the tenant to change: give --tenant-id or AZURE_TENANT_ID (the tenant "
            f"is never taken from {source}, which is for tenant {tenant_id})"
        )
    if GUID.match(named) and named.lower() != tenant_id:
        raise UsageError(f"{flag} {named}: {source} is for tenant {tenant_id}; refusing to apply it to another tenant")
    ep = endpoints(cloud)
    cred = build_credential(graph.auth, tenant_id=named, cloud=ep, env=os.environ)
    try:
        return GraphClient(
            base_url=graph.endpoint or ep.graph_v1,
            credential=cred.credential,
            cloud=cloud,
            scope=ep.scope,
            auth_description=cred.description,
            progress=Progress(sys.stderr),
        )
    except CollectionError as exc:
        raise UsageError(str(exc)) from None


def _writer(
    options: WriteOptions,
    default_dir: Path,
    prefix: str,
    tenant_id: str,
    cloud: Cloud,
    plan: PlanName | None = None,
) -> JournalWriter | None:
    if options.journal:
        return JournalWriter(Path(options.journal), tenant_id=tenant_id, cloud=cloud, plan=plan)
    if not options.yes:
        return None
    return JournalWriter(default_path(default_dir, prefix), tenant_id=tenant_id, cloud=cloud, plan=plan)


def cmd_apply(options: WriteOptions, recompile: Recompile) -> int:
    """`apply PLAN`: the plan's license changes, then with --commerce its commerce changes; each made only
    if `recompile` (the plan compiled again from the tenant as it is now, under the operator's policy files
    and filters) holds it equal in every field."""
    assert options.plan is not None  # the command layer names it (or --demo's)
    failures = Failures(options.max_failures)
    path = Path(options.plan)
    with hold(path, "the plan"), contextlib.ExitStack() as plan_lock:
        plan = load_plan(path)
        plan_lock.enter_context(hold_plan(plan.sha256))  # a copy of the plan is the same plan
        check_age(plan, timedelta(hours=options.max_age), clock())
        _operators(plan, options)  # the policy and the filters are the operator's, never the file's
        code = EXIT_OK
        if options.distributor or options.psa:  # the changes at the distributor, or in the PSA, only
            from .distributor import apply_distributor_changes  # the Pax8 client (httpx) loads for it only
            from .psa import apply_psa_changes  # the PSA's clients (httpx) likewise

            make = lambda: _client(options, plan.tenant_id, plan.cloud, f"the plan {options.plan}")  # noqa: E731
            return (apply_psa_changes if options.psa else apply_distributor_changes)(
                plan,
                make,
                bill_day(options),
                yes=options.yes,
                endpoints=options.endpoints,
                fresh=lambda: _fresh(plan, recompile, options),
                journal_path=options.journal,
            )
        only_commerce = options.commerce_only
        fresh: list[FreshPlan] = []  # one fresh compile for the license and the commerce changes
        if not only_commerce:  # the license changes (a commerce-only run leaves them to the apply job)
            # a signal from here on stops before the next write, the fresh compile's included (interrupts.py)
            with Interrupts() as interrupts:
                client = _client(options, plan.tenant_id, plan.cloud, f"the plan {options.plan}")
                if plan.changes:  # compiled before anything is written, a journal or the plan's copy
                    # the plan's changes let go while the tenant is read again, where apply's memory peaks
                    # (docs/performance.md), and read again after from the same bytes (plan_binding)
                    plan = replace(plan, changes=())
                    fresh.append(_fresh(plan, recompile, options, interrupts))
                    plan = changes_again(plan)
                journal = [Path(options.journal).resolve().parent] if options.journal else []
                directories = [path.resolve().parent, *journal]
                earlier = earlier_unknown(plan.sha256, directories) if plan.changes else []
                made = earlier_done(plan.sha256, directories) if plan.changes else {}
                writer = (
                    _writer(
                        options,
                        path.resolve().parent,
                        "journal",
                        plan.tenant_id,
                        plan.cloud,
                        {"file": path.name, "sha256": plan.sha256},
                    )
                    if plan.changes
                    else None
                )
                if writer is not None and options.yes:  # what an undo of this journal needs, whatever plan.json becomes
                    keep_plan(path, writer.path.parent, plan.sha256)
                wait = options.wait
                refused = _refusals(plan, fresh[0]) if fresh else {}
                code = _run(
                    client,
                    writer,
                    options.yes,
                    plan.tenant_id,
                    lambda s: apply_plan(plan, s, earlier, wait, refused, made),
                    failures,
                    interrupts,
                )
            interrupts.check("after the license changes, before the commerce changes")
        if only_commerce or options.commerce:  # the bill's commerce changes, after the license changes
            # the billing clients load only for --commerce
            from .commerce import apply_commerce_changes

            return (
                apply_commerce_changes(
                    options,
                    plan,  # its bytes are read again for the bill, and must be the ones checked
                    lambda: _client(options, plan.tenant_id, plan.cloud, f"the plan {options.plan}"),
                    bill_day(options),
                    lambda: fresh[0] if fresh else _fresh(plan, recompile, options),
                )
                or code
            )
        return code


def _operators(plan: PlanFile, options: WriteOptions) -> None:
    """Refuse (exit 2) a plan recorded under other policy files than the operator's --policies, or made for
    other findings than the filters apply was given (operator_policy). A plan that records no policy file is
    left to the fresh compile, which refuses it."""
    given = Filters(options.rules, options.min_severity, options.findings)
    check_filters(plan, given)
    if plan.policy_sha256:
        check_policies(plan, operator_digests(options.policies))


def _refusals(plan: PlanFile, fresh: FreshPlan) -> dict[int, Refusal]:
    """The plan's license changes `fresh` does not hold equal in every field: the engine's step of the fresh
    compile (write_engine.agreed); each is refused in turn (_refuse_or_skip), after what it rests on."""
    return agreed(LICENCE, plan.changes, fresh).refused


def _fresh(
    plan: PlanFile, recompile: Recompile, options: WriteOptions, interrupts: Interrupts | None = None
) -> FreshPlan:
    """The plan compiled again from the source as it is now (auditor.apply.fresh), its gaps said; ApplyStopped
    when a signal came meanwhile (`interrupts`: the run's, else caught for the compile alone)."""
    print(  # with the findings the plan was made and reviewed for (the filters apply was given: _operators)
        f"compiling the plan again from the tenant as it is now, under your policy files, for "
        f"{describe(plan.filters)} (only the changes both agree on are made)",
        file=sys.stderr,
        flush=True,
    )
    with contextlib.nullcontext(interrupts) if interrupts else Interrupts() as caught:
        stoppable = replace(options, graph=replace(options.graph, stop=caught.stop))
        try:
            fresh = recompile(plan, stoppable, clock())
        except AuditorError:
            caught.check("during the fresh compile, before any change was sent")  # the read was cancelled
            raise
        caught.check("during the fresh compile, before any change was sent")
    for gap in fresh.gaps:
        print(
            f"license-auditor: the fresh read is incomplete: {gap}; changes resting on what it hides are refused",
            file=sys.stderr,
        )
    return fresh


def _run(
    client: GraphClient,
    writer: JournalWriter | None,
    execute: bool,
    tenant_id: str,
    body: Any,
    failures: Failures | None = None,
    interrupts: Interrupts | None = None,
) -> int:
    session = Session(client, tenant_id=tenant_id, execute=execute, journal=writer, out=sys.stdout, err=sys.stderr)
    session.failures = failures or session.failures

    async def go() -> None:
        stopping = _on_signals(session, asyncio.get_running_loop(), asyncio.current_task())
        try:
            if interrupts is not None:  # a signal before the loop took them over (the compile, the steps after)
                session.stop_signal = session.stop_signal or interrupts.signal
                session.check_stop("the first change")
            await body(session)
        finally:
            stopping()
            await client.aclose()

    try:
        asyncio.run(go())
    except (asyncio.CancelledError, KeyboardInterrupt):
        if session.stop_signal is None:
            raise
        raise ApplyStopped(f"stopped by {session.stop_signal}; the journal keeps every change sent") from None
    finally:
        if writer is not None:
            writer.close()
            if writer.lines == 0:  # stopped before any change (tenant or permission check): no empty journal
                with contextlib.suppress(OSError):
                    writer.path.unlink()
    return EXIT_OK


def _on_signals(
    session: Session, loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any] | None
) -> Callable[[], None]:
    """SIGTERM and SIGINT stop the run: a write in flight is answered and journaled first (the loop
    stops before the next change); otherwise, or at a second signal, the run is cancelled where it
    is (a write then in flight is journaled as outcome unknown). Returns the function that puts the
    default handling back."""
    signals = (signal.SIGTERM, signal.SIGINT)

    def stop(sig: signal.Signals) -> None:
        first = session.stop_signal is None
        if first:
            session.stop_signal = sig.name
            session.warn(
                f"{sig.name}: stopping"
                + (" once the write in flight is answered and journaled" if session.in_flight else "")
            )
        if (not first or not session.in_flight) and task is not None:
            task.cancel()

    before = {sig: signal.getsignal(sig) for sig in signals}
    try:
        for sig in signals:
            loop.add_signal_handler(sig, stop, sig)
    except (ValueError, RuntimeError, NotImplementedError):  # not the main thread: leave the defaults
        return lambda: None

    def restore() -> None:  # the handling before (apply's Interrupts, or the default)
        for sig in signals:
            loop.remove_signal_handler(sig)
            if before[sig] is not None:
                signal.signal(sig, before[sig])

    return restore
