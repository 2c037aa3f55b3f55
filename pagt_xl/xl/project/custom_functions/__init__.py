"""Cell functions served by xlwings Server (PAGT.BELØB, PAGT.TEMA, ...): pagt_xl.xl.functions."""

from pagt_xl.xl.functions import (
    antal,
    beloeb,
    bevilget,
    data,
    fordeling,
    maalstatus,
    restramme,
    tema,
    udbetalt,
    valider,
)

__all__ = ["antal", "beloeb", "bevilget", "data", "fordeling", "maalstatus", "restramme", "tema", "udbetalt", "valider"]
