"""Cell functions served by xlwings Server: the same functions as the desktop add-in."""

from pagt_xl.xl.functions import antal, beloeb, bevilget, fordeling, tema, valider

__all__ = ["antal", "beloeb", "bevilget", "fordeling", "tema", "valider"]
