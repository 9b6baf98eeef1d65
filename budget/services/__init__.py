"""The budget's writes: each takes the acting user as keyword-only ``by`` (``None``: the system) and enforces
``budget.access`` itself."""
