"""Snapshot files: tenant state as versioned JSON whose field names follow Microsoft Graph.

The format (layout, names, the msgspec types of Graph's users) is auditor.snapshot.format; reading
Graph's answers and a snapshot's items is auditor.snapshot.decode, a whole snapshot file
auditor.snapshot.files; writing snapshots is
auditor.snapshot.write. The names below are the ones the rest of the product imports.
"""

from .decode import (
    BadItem,
    BadValue,
    SignInTimes,
    UserDecoder,
    gap_from_json,
    group_from_graph,
    group_kind,
    group_wire,
    shared_times,
    sign_in_times,
    sku_from_graph,
    subscription_from_graph,
    with_sign_ins,
)
from .files import check_readable, load_snapshot, replace_lone_surrogates, snapshot_from_json, with_agents
from .format import (
    KIND,
    LEAVE_DATE,
    LICENSE_ERROR_GROUPS,
    MAILBOX_SETTINGS,
    SCHEMA_VERSION,
    SELECTED_USER_FIELDS,
    SIGN_IN_ACTIVITY,
    NonEmpty,
    WireGroup,
)
from .write import (
    group_to_json,
    license_to_json,
    save_snapshot,
    sku_to_json,
    subscription_to_json,
    user_to_json,
    write_snapshot,
)

__all__ = [
    "KIND",
    "LEAVE_DATE",
    "LICENSE_ERROR_GROUPS",
    "MAILBOX_SETTINGS",
    "SCHEMA_VERSION",
    "SELECTED_USER_FIELDS",
    "SIGN_IN_ACTIVITY",
    "BadItem",
    "BadValue",
    "NonEmpty",
    "SignInTimes",
    "UserDecoder",
    "WireGroup",
    "check_readable",
    "gap_from_json",
    "group_from_graph",
    "group_kind",
    "group_to_json",
    "group_wire",
    "license_to_json",
    "load_snapshot",
    "replace_lone_surrogates",
    "save_snapshot",
    "shared_times",
    "sign_in_times",
    "sku_from_graph",
    "sku_to_json",
    "snapshot_from_json",
    "subscription_from_graph",
    "subscription_to_json",
    "user_to_json",
    "with_agents",
    "with_sign_ins",
    "write_snapshot",
]
