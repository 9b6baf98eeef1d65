"""The budget's writes, one module per area (``data``: years, funds, programs, lines, actuals, links, the import;
``analyses``: cost-benefit analyses): each takes the acting user as keyword-only ``by`` (``None``: the system) and
enforces ``budget.access`` itself. Import them from their module."""
