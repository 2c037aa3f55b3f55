"""Extra routes for xlwings Server: ``routers.custom`` is included in its app when present."""
