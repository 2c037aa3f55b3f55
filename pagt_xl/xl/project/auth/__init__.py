"""Authentication providers for xlwings Server (project overrides)."""
