"""Authentication providers for xlwings Server: ``auth.custom`` overrides the package's example."""
