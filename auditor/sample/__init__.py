"""The bundled sample tenant (sample-tenant.json) and the generator that makes it."""
