"""Regenerate the bundled sample tenant: python -m auditor_dev.sample [USERS] [OUTPUT]."""

import sys
from pathlib import Path

from auditor.snapshot import save_snapshot

from .access import with_access_scope, with_license_insight
from .credits import with_copilot_chat_use, with_copilot_credits
from .generate import generate_tenant

users = int(sys.argv[1]) if len(sys.argv) > 1 else 240
out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parent / "sample-tenant.json"
tenant = with_copilot_credits(with_license_insight(with_access_scope(generate_tenant(users))))
save_snapshot(with_copilot_chat_use(tenant), out)
print(f"wrote {out}", file=sys.stderr)
