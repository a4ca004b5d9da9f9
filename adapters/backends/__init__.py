"""Provider backends: one module per provider, each pure (dicts in, dicts out)."""
