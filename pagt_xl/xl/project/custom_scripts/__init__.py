"""Button scripts served by xlwings Server (task pane buttons)."""

from pagt_xl.xl.scripts import beregn_fordelinger, lav_statusrapport, valider

__all__ = ["beregn_fordelinger", "lav_statusrapport", "valider"]
