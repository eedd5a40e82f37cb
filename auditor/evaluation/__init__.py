"""The evaluation: the policy set's rules over the tenant (engine), then the facts each fix needs, added to
the findings once every rule has run (enrichment)."""
