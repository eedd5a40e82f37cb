"""Reading a tenant from Microsoft Graph: msgraph-sdk request adapter, paging, retries, auth.

client = GraphClient(base_url=..., credential=..., cloud=...)   # client.py (its retries: retries.py)
snapshot = await collect(client, CollectOptions(group_refs=(...), need_sign_in=True))  # collector.py, options.py
build_credential(AuthMode.AUTO, tenant_id=..., cloud=endpoints(cloud), env=os.environ)  # auth.py
add_graph_arguments(parser)                                     # arguments.py
read_tenant(GraphSource.of(args), ...)                          # arguments.py, auditor/graph_cli.py
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.common.lazy import lazy_exports

if TYPE_CHECKING:
    from .arguments import AuthMode
    from .auth import StaticTokenCredential, build_credential, check_permissions, token_claims
    from .client import GraphClient
    from .clouds import ENDPOINTS, CloudEndpoints, endpoints
    from .collector import MailboxCheck, collect, users_path
    from .options import CollectOptions
    from .progress import Progress, SilentProgress
    from .retries import GraphRequestError, RetryPolicy

# Loaded on first use: `--help`, `validate` and snapshot audits never load the Graph SDK.
_WHERE = {
    "StaticTokenCredential": "auth",
    "build_credential": "auth",
    "check_permissions": "auth",
    "token_claims": "auth",
    "AuthMode": "arguments",
    "GraphClient": "client",
    "GraphRequestError": "retries",
    "RetryPolicy": "retries",
    "ENDPOINTS": "clouds",
    "CloudEndpoints": "clouds",
    "endpoints": "clouds",
    "CollectOptions": "options",
    "MailboxCheck": "collector",
    "collect": "collector",
    "users_path": "collector",
    "Progress": "progress",
    "SilentProgress": "progress",
}
__all__ = [
    "ENDPOINTS",
    "AuthMode",
    "CloudEndpoints",
    "CollectOptions",
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


__getattr__ = lazy_exports(__name__, _WHERE)
