"""Python's cyclic garbage collector kept out of the way of a cell call (internal to :mod:`pagt_xl.xl`).

A cell call over a new 10,000-row range decodes a few MB of JSON and builds a
table: a few hundred thousand objects that mostly stay alive (the range cache)
or die by reference counting. The collector would walk them again and again
and find nothing to free; worse, a *full* collection walks every cached range
(70-100 ms each time, measured). So:

* :func:`paused` switches the collector off for the length of a call (nested
  and concurrent calls share one pause: it is on again when the last one ends);
* :func:`settle` moves every object alive now out of the collector's sight
  (``gc.freeze``) — after start-up and after a new range is cached, whose
  objects are known to be acyclic (freed by reference counting when the
  range leaves the cache). The cost: a reference cycle that is alive at that
  moment and dies later is never collected.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_we_disabled = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off while the block runs (unless someone else switched it off: then left to them)."""
    global _depth, _we_disabled
    with _lock:
        if _depth == 0:
            _we_disabled = gc.isenabled()
            if _we_disabled:
                gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _we_disabled:
                _we_disabled = False
                gc.enable()


def settle() -> None:
    """Freeze every object alive now: later collections no longer walk them (see the module's docstring)."""
    gc.freeze()


def start_up() -> None:
    """Once the server is imported: collect what start-up left behind, then freeze the rest."""
    gc.collect()
    gc.freeze()
