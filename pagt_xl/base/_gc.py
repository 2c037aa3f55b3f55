"""Python's cyclic garbage collector kept out of the way while a table is built (internal).

Reading and validating an overview builds a table: a few hundred thousand
objects per 10,000 rows (millions for 100,000) that stay alive or die by
reference counting, and no reference cycles (checked for the grids path).
:func:`pagt_xl.pipeline.run_validation` reads with the collector paused. A cell
call over a new 10,000-row range also decodes a few MB of JSON first, and its
table stays in the range cache. The collector would walk them again and again
and find nothing to free; worse, a *full* collection walks every cached range
(70-100 ms each time, measured). So:

* :func:`paused` switches the collector off for the length of a call (nested
  and concurrent calls share one pause: it is on again when the last one ends);
* :func:`settle` moves every object alive now out of the collector's sight
  (``gc.freeze``) — after start-up and after a new range is cached, whose
  objects are known to be acyclic (freed by reference counting when the
  range leaves the cache), when no other call is under way. The cost: a
  reference cycle that is alive at that moment and dies later is never
  collected.
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
#: calls (requests, threads) holding a pause now; a call's nested pauses count once
_calls = 0
_we_disabled = False
_held: contextvars.ContextVar[bool] = contextvars.ContextVar("pagt_xl_gc_paused", default=False)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off while the block runs (unless someone else switched it off: then left to them).

    Nested pauses of one call (the app's around the request, the range reader's
    inside it) count once; concurrent calls share the pause, which ends with the last.
    """
    global _calls, _we_disabled
    if _held.get():
        yield
        return
    token = _held.set(True)
    with _lock:
        if _calls == 0:
            _we_disabled = gc.isenabled()
            if _we_disabled:
                gc.disable()
        _calls += 1
    try:
        yield
    finally:
        with _lock:
            _calls -= 1
            if _calls == 0 and _we_disabled:
                _we_disabled = False
                gc.enable()
        _held.reset(token)


def settle() -> None:
    """Freeze every object alive now: later collections no longer walk them (see the module's docstring).

    Only when no other call is under way: another call's garbage (a report's
    figures, say, while the collector is paused) would be frozen with it and
    never collected. Skipped, the objects are frozen at the next quiet moment.
    """
    with _lock:
        if _calls <= 1:
            gc.freeze()


def start_up() -> None:
    """Once the server is imported: collect what start-up left behind, then freeze the rest."""
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a table is read or validated, on again afterwards.

    Reading 100,000 rows allocates millions of objects that all stay alive; the
    collector would walk them again and again (a quarter of a validation's time)
    and find nothing to free. Reference counting still frees as usual. When the
    collector is already off (paused by a caller), it is left alone.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
