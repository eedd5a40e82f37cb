"""The bundled sample tenant (sample-tenant.json) and the generator that makes it."""

from datetime import datetime

# The sample's clock: when the bundled tenant was "collected", and what `audit --demo` evaluates
# as of. Here rather than in generate.py so the CLI does not import the generator for it.
REFERENCE = datetime(2026, 11, 1, 6, 0, 0)
