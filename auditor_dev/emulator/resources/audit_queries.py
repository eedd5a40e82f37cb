"""The unified audit log's query API's routes (the queries and their records: ../audit_queries.py)."""

from __future__ import annotations

import json

from ..audit_queries import READ_ROLES
from ..call import Answer, Call, Emulator
from ..errors import bad
from ..query import page

RECORDS_TOP = 150  # the emulator's page size cap for records (Microsoft documents none)


def create_query(em: Emulator, call: Call) -> Answer:
    em.require(READ_ROLES)
    try:
        body = json.loads(call.body or b"null")
    except ValueError:
        raise bad("The request body is not valid JSON.") from None
    return 201, em.audit_queries.create(body)


def get_query(em: Emulator, call: Call) -> Answer:
    em.require(READ_ROLES)
    return 200, em.audit_queries.look(call.params["query"])


def list_records(em: Emulator, call: Call) -> Answer:
    em.require(READ_ROLES)
    items = em.audit_queries.records(call.params["query"])
    return page(em.url, call.path, call.query, items, False, RECORDS_TOP)
