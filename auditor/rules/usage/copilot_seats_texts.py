"""The guidance of copilot-seat-idle (auditor/rules/usage/copilot_seats.py): its texts, message,
remediation and docs. A seat that goes to a candidate is the holder's removal and the candidate's
assignment, one finding's two calls (the plan keeps them as one move)."""

from __future__ import annotations

from auditor.data.usage_data import workload_title

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails, iso_date, number
from ...guidance.examples import USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values, removal
from ...guidance.remediation import ASSIGN_LICENSE, Action, Remediation, TextRef, resting_on
from ...guidance.texts.declare import Text
from . import copilot_seats as rules

COPILOT = "639dec6b-copilot"  # shortened, as the other example ids (auditor/guidance/examples.py)


TEXTS = (
    Text("rule.copilot-seat-idle.title", "Idle Copilot seat"),
    Text(
        "rule.copilot-seat-idle.describe",
        "The user holds a Copilot seat that the Copilot usage report has shown unused for a long time; it "
        "can go to someone who waits for one, or leave the bill.",
        note='TRANSLATORS: "hold(s)"/"held" means has or contains (a license, data), not a preservation hold.',
    ),
    Text(
        "rule.copilot-seat-idle.message",
        "{user} holds {sku} but has not used Copilot for at least {count} day (last activity: "
        "{last_activity}); the seat can go to {candidate}.",
        "{user} holds {sku} but has not used Copilot for at least {count} days (last activity: "
        "{last_activity}); the seat can go to {candidate}.",
        note='TRANSLATORS: "hold(s)"/"held" means has or contains (a license, data), not a preservation hold.',
    ),
    Text(
        "rule.copilot-seat-idle.message.never",
        "{user} holds {sku} but the Copilot usage report shows no use of Copilot in the last {count} day; "
        "the seat can go to {candidate}.",
        "{user} holds {sku} but the Copilot usage report shows no use of Copilot in the last {count} days; "
        "the seat can go to {candidate}.",
        note='TRANSLATORS: "hold(s)"/"held" means has or contains (a license, data), not a preservation hold.',
    ),
    Text(
        "rule.copilot-seat-idle.message.reduce",
        "{user} holds {sku} but has not used Copilot for at least {count} day (last activity: "
        "{last_activity}); nobody waits for the seat.",
        "{user} holds {sku} but has not used Copilot for at least {count} days (last activity: "
        "{last_activity}); nobody waits for the seat.",
        note='TRANSLATORS: "hold(s)"/"held" means has or contains (a license, data), not a preservation hold.',
    ),
    Text(
        "rule.copilot-seat-idle.message.reduce_never",
        "{user} holds {sku} but the Copilot usage report shows no use of Copilot in the last {count} day; "
        "nobody waits for the seat.",
        "{user} holds {sku} but the Copilot usage report shows no use of Copilot in the last {count} days; "
        "nobody waits for the seat.",
        note='TRANSLATORS: "hold(s)"/"held" means has or contains (a license, data), not a preservation hold.',
    ),
    Text("steps.copilot_seat.give.call", "Assign {sku} to {candidate}."),
    Text(
        "steps.copilot_seat.give",
        "Then, in the Microsoft 365 admin center, assign {sku} to {candidate} (Users > Active users > Licenses "
        "and apps).",
    ),
    Text("summary.copilot_seat.give", "Then assign it to {candidate}."),
    Text("message.copilot_seat.moves", "moves to {candidate}: no saving"),
    Text(
        "message.copilot_seat.moves_audit_log",
        "moves to {candidate}, with {count} Copilot Chat interaction record in the audit log's window: no saving",
        "moves to {candidate}, with {count} Copilot Chat interaction records in the audit log's window: no saving",
    ),
)


class CopilotSeatIdle(RuleGuidance[rules.CopilotSeatIdleDetails]):
    id = rules.CopilotSeatIdle.id
    texts = TEXTS
    example_finding = (
        USER,
        ["Microsoft_365_Copilot"],
        {
            "days": 30,
            "workloads": list(rules.COPILOT_WORKLOADS),
            "last_activity": "2026-08-14",
            "report_date": "2026-10-30",
            "disposition": rules.REASSIGN,
            "direct": True,
            "candidate": "kim.waits@contoso.example",
            "candidate_id": "5b1f2c7e-kim",
            "candidate_name": "Kim Waits",
            "assigned_by_group": {"Microsoft_365_Copilot": []},
            "sku_ids": {"Microsoft_365_Copilot": COPILOT},
        },
    )

    def message(self, f: RuleDetails[rules.CopilotSeatIdleDetails], w: ValueFormatter) -> Message:
        values = {
            **base_values(f, w),
            "count": number(f.own.days, w.word("unknown")),
            "candidate": f.own.candidate_name or f.own.candidate or w.word("unknown"),
        }
        last = iso_date(f.own.last_activity)
        reduce = f.own.disposition != rules.REASSIGN
        if last is None:
            return self.message_key(".reduce_never" if reduce else ".never"), values
        return self.message_key(".reduce" if reduce else ""), {**values, "last_activity": last}

    def row_note(self, f: RuleDetails[rules.CopilotSeatIdleDetails], w: ValueFormatter) -> Message | None:
        return _moves(f, w)

    def remediation(self, f: RuleDetails[rules.CopilotSeatIdleDetails], v: Variant, w: ValueFormatter) -> Remediation:
        """The seat's removal from the holder (as product-unused proposes it); for a seat that goes to
        a candidate, then the call that assigns the same product to them, in one finding."""
        values = {  # Copilot as a whole: its Chat and agents are the seat's use too
            "workloads": workload_title(rules.COPILOT_WORKLOADS[0]),
            "count": number(f.own.days, w.word("unknown")),
            "user": f.label(),
        }
        remedy = removal(f, v, w, list(f.skus), intro=[TextRef("steps.usage.confirm", values)])
        since = f.own.since
        if since:  # apply re-reads the Copilot report: a holder who used Copilot since keeps the seat
            remedy = resting_on(remedy, {"copilot_idle_since": since})
        candidate_id = f.own.candidate_id
        if f.own.disposition != rules.REASSIGN or not candidate_id or not f.skus:
            return remedy
        part = f.skus[0]
        given = {
            "sku": w.product(part),
            "candidate": f.own.candidate_name or f.own.candidate or candidate_id,
            "user": f.label(),
        }
        # the removal's steps, then the candidate's: an admin who follows the report gives the seat on
        # (native review 9, E2), as the call does
        remedy.steps = [*remedy.steps, TextRef("steps.copilot_seat.give", given)]
        summary = remedy.summary if isinstance(remedy.summary, tuple) else (remedy.summary,)
        remedy.summary = (*summary, TextRef("summary.copilot_seat.give", given))
        groups = tuple(f.own.candidate_groups)
        remedy.actions = [*remedy.actions, give_seat(candidate_id, f.sku_id(part), part, given, groups)]
        return remedy


def give_seat(candidate_id: str, sku_id: str, part: str, given: dict[str, str], groups: tuple[str, ...] = ()) -> Action:
    """The candidate's assignLicense of the seat the holder gives up: it needs the product to be
    still missing, the account enabled and (`groups`) still in a `candidates` group when it runs;
    one seat consumed (the holder's frees one)."""
    waiting: tuple[dict[str, object], ...] = ({"in_any_group": list(groups)},) if groups else ()
    return Action(
        "POST",
        f"/users/{candidate_id}/assignLicense",
        {"addLicenses": [{"disabledPlans": [], "skuId": sku_id}], "removeLicenses": []},
        TextRef("steps.copilot_seat.give.call", given),
        ASSIGN_LICENSE,
        candidate_id,
        precondition=({"lacks": sku_id}, {"account_enabled": True}, *waiting),
        seats={part: 1},
    )


def _moves(f: RuleDetails[rules.CopilotSeatIdleDetails], w: ValueFormatter) -> Message | None:
    """A seat that goes to a candidate: where it goes, in place of a price (it saves nothing: the removal's
    steps alone would read as a saving)."""
    if f.own.disposition != rules.REASSIGN:
        return None
    candidate = f.own.candidate_name or f.own.candidate or w.word("unknown")
    interactions = f.own.candidate_interactions
    if f.own.candidate_source == rules.FROM_AUDIT_LOG and interactions:  # found in the audit log
        return "message.copilot_seat.moves_audit_log", {"candidate": candidate, "count": number(interactions, "")}
    return "message.copilot_seat.moves", {"candidate": candidate}
