"""Button scripts served by xlwings Server (the task pane's buttons): pagt_xl.xl.scripts."""

from pagt_xl.xl.scripts import (
    beregn_fordelinger,
    lav_breve,
    lav_indstilling,
    lav_statusrapport,
    udbetalinger,
    valider,
)

__all__ = ["beregn_fordelinger", "lav_breve", "lav_indstilling", "lav_statusrapport", "udbetalinger", "valider"]
