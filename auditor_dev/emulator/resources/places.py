"""GET /places/microsoft.graph.room, in the shape of Microsoft's place-list page
(learn.microsoft.com/graph/api/place-list, v1.0):

- the tenant's room mailboxes (the snapshot's users whose mailbox purpose is `room`), each a room
  with its `id`, `emailAddress` (the mailbox's address: the user principal name here) and
  `displayName`; a room the tenant's `rooms_hidden` names is left out, as the page says
  ("Rooms that are marked "Hidden from GAL" can't be retrieved through this endpoint");
- 100 places a page by default ("By default, this operation returns 100 places per page"), `$top`
  for another size, `@odata.nextLink` while rooms remain;
- 403 Authorization_RequestDenied without Place.Read.All (the only application permission the page
  lists);
- 400 "Resource not found for the segment" outside the global service (the page's table of national
  clouds marks US Government L4, L5 and 21Vianet as not available).
"""

from __future__ import annotations

import uuid
from typing import Any

from auditor.data.model import Cloud

from ..call import Answer, Call, Emulator
from ..errors import GraphError
from ..query import check_select, page

PLACE_ROLES = ("Place.Read.All",)
# the segment a cloud without the places listing does not know (GraphEmulator(unknown_segments=PLACES))
PLACES = ("places",)
ROOM_PROPERTIES = frozenset(("id", "emailAddress", "displayName"))
ROOM_TYPE = "#microsoft.graph.room"
MAX_ROOMS_TOP = 999


def _rooms(em: Emulator) -> list[tuple[str, str, str]]:
    """(place key, emailAddress, displayName) of each room listed: the room mailboxes, then the tenant's
    `rooms_more` (rooms whose address is written as given, e.g. one a person's sign-in name also has)."""
    hidden = {h.lower() for h in em.tenant.rooms_hidden}
    mailboxes = [
        (u.id, u.user_principal_name, u.display_name)
        for u in em.tenant.users
        if (u.mailbox_purpose or "").lower() == "room" and u.user_principal_name.lower() not in hidden
    ]
    return mailboxes + [(address, address, name) for address, name in em.tenant.rooms_more]


def _wire(room: tuple[str, str, str], select: tuple[str, ...] | None) -> dict[str, Any]:
    key, address, name = room
    full = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"room:{key}")),  # a place's own id, not the user's
        "emailAddress": address,
        "displayName": name,
    }
    names = select if select is not None else tuple(full)
    return {"@odata.type": ROOM_TYPE} | {n: full[n] for n in names}


def list_rooms(em: Emulator, call: Call) -> Answer:
    if em.tenant.snapshot.cloud in (Cloud.USGOV, Cloud.USGOV_DOD, Cloud.CHINA):
        raise GraphError(400, "BadRequest", "Resource not found for the segment 'places'.")
    em.require(PLACE_ROLES)
    query = call.query
    check_select(query.select, ROOM_PROPERTIES, "room")
    items = _rooms(em)
    return page(em.url, call.path, query, items, call.eventual, MAX_ROOMS_TOP, lambda u: _wire(u, query.select))
