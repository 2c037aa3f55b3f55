"""pagt_xl."""
