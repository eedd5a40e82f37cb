"""Reading a tenant from Microsoft Graph: msgraph-sdk request adapter, paging, retries, auth.

client = GraphClient(base_url=..., credential=..., cloud=...)   # client.py
snapshot = await collect(client, group_refs=[...], need_sign_in=True)  # collector.py
build_credential(AuthMode.AUTO, tenant_id=..., cloud=endpoints(cloud), env=os.environ)  # auth.py
add_graph_arguments(parser); snapshot_from_args(args, ...)       # cli_options.py
"""

from __future__ import annotations

from .auth import AuthMode, StaticTokenCredential, build_credential, check_permissions, token_claims
from .client import GraphClient, GraphRequestError, RetryPolicy
from .clouds import ENDPOINTS, CloudEndpoints, endpoints
from .collector import MailboxCheck, collect, users_path
from .progress import Progress, SilentProgress

__all__ = [
    "ENDPOINTS",
    "AuthMode",
    "CloudEndpoints",
    "GraphClient",
    "GraphRequestError",
    "MailboxCheck",
    "Progress",
    "RetryPolicy",
    "SilentProgress",
    "StaticTokenCredential",
    "build_credential",
    "check_permissions",
    "collect",
    "endpoints",
    "token_claims",
    "users_path",
]
