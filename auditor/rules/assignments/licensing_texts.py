"""The fix of a user who should get a product from the policy's licensing group (details.licensing_group,
auditor/rules/assignments/licensing.py): join the group, and remove a direct copy once the group's is active."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from auditor.data.blocked import (
    BLOCKED_REASONS,
    GROUP_DYNAMIC,
    GROUP_KIND_UNKNOWN,
    GROUP_MAIL,
    GROUP_SYNCED,
    LICENSING_GROUP,
)

from ...guidance.details import Details
from ...guidance.library import ValueFormatter
from ...guidance.remediation import Action, TextRef, add_member, assign_license
from ...guidance.texts.declare import Text
from .licensing import (
    AMBIGUOUS,
    MEMBER,
    NOT_ASSIGNING,
    NOT_FOUND,
    PLANS_LOST,
    LicensingGroupEntry,
)


def _where(entry: LicensingGroupEntry) -> str:
    """ "policies/contoso.yaml:12": where the policy names the group."""
    file, line = entry.get("file") or "?", entry.get("line")
    return f"{file}:{line}" if line else file


def group_name(entry: LicensingGroupEntry) -> str:
    """The licensing group as the texts name it: its display name, else the policy's reference."""
    return entry.get("name") or entry.get("ref") or "?"


TEXTS = (
    Text("graph.join_licensing", "Adds {user} to the group {group}, which assigns {sku}.", counted=True),
    Text(
        "steps.group.join",
        "In the Microsoft Entra admin center, go to Groups > All groups, open the group "
        "{group}, select Members > Add members and add {user}. The group assigns {sku}.",
        counted=True,
    ),
    Text(
        "steps.group.needs_p1",
        "Group-based licensing needs Microsoft Entra ID P1, or a product Microsoft lists "
        "for it such as Office 365 E3 or Microsoft 365 Business Premium, for each user it licenses. Neither the "
        "products of the group {group} nor those of {user} qualify: assign {user} a product that carries P1 as "
        "well.",
    ),
    Text(
        "graph.licensing_group.not_found",
        'The policy names "{ref}" as the licensing group of {sku} ({where}), '
        "but no group of the tenant has that name or object id: correct the policy, or create the group and give "
        "it {sku}.",
    ),
    Text(
        "graph.licensing_group.ambiguous",
        'The policy names "{ref}" as the licensing group of {sku} ({where}), '
        "but {count} group of the tenant has that name: name the group by its object id in the policy.",
        'The policy names "{ref}" as the licensing group of {sku} ({where}), but {count} groups of the tenant '
        "have that name: name the group by its object id in the policy.",
    ),
    Text(
        "graph.licensing_group.dynamic",
        "The policy names the group {group} as the licensing group of {sku} "
        '({where}), but it is a dynamic group: its membership rule "{rule}" decides who is a member, so no call '
        "adds {user}. Change the rule, or the user's attributes it reads, so that it includes {user}.",
    ),
    Text(
        "graph.licensing_group.synced",
        "The policy names the group {group} as the licensing group of {sku} "
        "({where}), but the group is synced from on-premises Active Directory: add {user} to it there. The "
        "change reaches Microsoft Entra ID with the next synchronization.",
    ),
    Text(
        "graph.licensing_group.mail",
        "The policy names the group {group} as the licensing group of {sku} "
        "({where}), but it is a mail-enabled security group or a distribution list, whose members Microsoft "
        "Graph cannot change: add {user} to it in the Exchange admin center.",
    ),
    Text(
        "graph.licensing_group.unknown",
        "The policy names the group {group} as the licensing group of {sku} "
        "({where}), but the snapshot does not show whether it is a dynamic group or synced from on-premises "
        "Active Directory, so no call adds {user} to it: audit a new collection, which reads it, or add {user} "
        "by hand after checking the group.",
    ),
    Text(
        "graph.licensing_group.not_assigning",
        "The policy names the group {group} as the licensing group of {sku} "
        "({where}), but the group does not assign {sku}, so joining it would not give it: add {sku} to the group's "
        "licenses, or correct the policy.",
    ),
    Text(
        "graph.licensing_group.plans_lost",
        "The group {group} ({where}) gives {sku} with the service plan {plans} "
        "turned off, which the user's direct assignment turns on: moving the user to the group would switch it "
        "off. Change the group's license options first.",
        "The group {group} ({where}) gives {sku} with the service plans {plans} turned off, which the user's "
        "direct assignment turns on: moving the user to the group would switch them off. Change the group's "
        "license options first.",
    ),
    Text(
        "graph.licensing_group.member",
        "{user} is already a member of the group {group} ({where}), but the group's "
        "{sku} does not reach the user: check the group's license errors for the user, and whether the "
        "membership comes through another group, which group licensing does not follow.",
    ),
    Text(
        "graph.licensing_group.blocked",
        "The members of the group {group} ({where}) are not changed by a call of "
        "this tool: add {user} to it where the group is managed.",
    ),
)


def problem_line(f: Details, w: ValueFormatter, part: str, entry: LicensingGroupEntry) -> TextRef:
    """What keeps the fix from joining the product's licensing group, in words."""
    problem = entry.get("problem") or ""
    values = {
        "ref": entry.get("ref") or "?",
        "where": _where(entry),
        "sku": w.product(part),
        "group": group_name(entry),
    }
    if problem == AMBIGUOUS:
        return TextRef("graph.licensing_group.ambiguous", values | {"count": str(entry.get("matches") or 2)})
    if problem == PLANS_LOST:
        return TextRef(
            "graph.licensing_group.plans_lost", values | w.listing("plans", entry.get("plans") or (), products=False)
        )
    key = {
        NOT_FOUND: "graph.licensing_group.not_found",
        NOT_ASSIGNING: "graph.licensing_group.not_assigning",
        MEMBER: "graph.licensing_group.member",
        GROUP_DYNAMIC: "graph.licensing_group.dynamic",
        GROUP_SYNCED: "graph.licensing_group.synced",
        GROUP_MAIL: "graph.licensing_group.mail",
        GROUP_KIND_UNKNOWN: "graph.licensing_group.unknown",
    }.get(problem, "graph.licensing_group.blocked")
    return TextRef(key, values | {"rule": entry.get("rule") or ""})


def join(f: Details, w: ValueFormatter, parts: Sequence[str], entry: LicensingGroupEntry) -> Action:
    """The call that adds the user to the parts' licensing group: ready, or waiting with the reason."""
    gid = entry.get("id") or ""
    problem = entry.get("problem")
    gives = list(entry.get("gives") or ())
    if problem is not None:
        blocked = problem if problem in BLOCKED_REASONS else LICENSING_GROUP
        return replace(add_member(f, gid, [], problem_line(f, w, parts[0], entry)), blocked=blocked)
    values = {"group": entry.get("name") or gid, **w.listing("sku", list(parts))}
    return add_member(f, gid, gives, TextRef("graph.join_licensing", values))


def remove_after_join(f: Details, w: ValueFormatter, parts: Sequence[str], entry: LicensingGroupEntry) -> Action:
    """The direct copies of `parts` removed once the group's copy of each is active: apply runs it
    after the join, waiting for the group's copy (`apply --wait`). The user keeps holding each
    product (through the group), so it frees no seat: the join took none for them either."""
    gid = (entry.get("id") or "").lower()
    action = assign_license(f, [], list(parts), TextRef("graph.remove_after_group", w.listing("sku", list(parts))))
    active = tuple({"holds": f.sku_id(p).lower(), "how": "group", "group": gid, "active": True} for p in parts)
    return replace(action, precondition=(*action.precondition, *active), seats={})


def by_group(
    found: Mapping[str, LicensingGroupEntry], parts: Sequence[str]
) -> list[tuple[LicensingGroupEntry, list[str]]]:
    """(entry, the parts it gives) for each licensing group among `parts` (`found`: a finding's
    details.licensing_group), one entry per group that can be joined (its id) and one per part whose
    group cannot."""
    out: dict[str, tuple[LicensingGroupEntry, list[str]]] = {}
    for part in parts:
        entry = found.get(part)
        if entry is None:
            continue
        key = f"id:{entry.get('id')}" if entry.get("problem") is None else f"part:{part}"
        out.setdefault(key, (entry, []))[1].append(part)
    return list(out.values())


def join_steps(w: ValueFormatter, entry: LicensingGroupEntry, parts: Sequence[str]) -> list[TextRef]:
    """Joining the group, and P1 as well when the group's products do not open group-based licensing
    to the user (entry `needs_p1`)."""
    steps = [TextRef("steps.group.join", {"group": group_name(entry), **w.listing("sku", list(parts))})]
    if entry.get("needs_p1") is True:
        steps.append(TextRef("steps.group.needs_p1", {"group": group_name(entry)}))
    return steps
