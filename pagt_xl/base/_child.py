"""Run one function in a child process with bounded memory, CPU time and wall time (internal).

A reader that aborts (python-calamine on a file it cannot allocate for ends the whole process with
SIGABRT, never an exception) or a template that loops for ever must not take the run with it: the
work goes to a child, and whatever becomes of the child comes back as a value or as
:class:`ChildFailed` naming what happened, in Danish.

* ``fork`` (Linux, when this process runs no other Python thread): the child starts in milliseconds
  with everything already imported; the command line and scheduled runs read files this way.
* ``forkserver`` (POSIX) or ``spawn`` (Windows) otherwise: the child starts from a clean
  interpreter (safe from a threaded server), which costs an import of what it runs.

Limits are set in the child (POSIX ``setrlimit``): its address space (``RLIMIT_AS``, so an allocation
beyond it fails there, not in the machine) and CPU seconds (``RLIMIT_CPU``: SIGXCPU, which the child
turns into :class:`CpuTimeExceeded` where it stands, then SIGKILL). The parent waits at most the wall
time and kills the child after it. On Windows only the wall time applies.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pagt_xl.base import _gc

#: Danish names of the signals a child may die of
_SIGNALS = {
    "SIGABRT": "afbrudt af læseren (SIGABRT; typisk: for lidt hukommelse)",
    "SIGKILL": "stoppet af systemet (SIGKILL; typisk: for lidt hukommelse eller for lang tid)",
    "SIGSEGV": "styrtede ned (SIGSEGV)",
    "SIGBUS": "styrtede ned (SIGBUS)",
    "SIGXCPU": "brugte for lang CPU-tid (SIGXCPU)",
    "SIGTERM": "blev stoppet (SIGTERM)",
}


@dataclass(frozen=True)
class Limits:
    """Bounds for one child. ``None``: no bound of that kind."""

    #: address space of the child in bytes, on top of what it has when it starts (``RLIMIT_AS``)
    memory: int | None = None
    #: CPU seconds (``RLIMIT_CPU``)
    cpu_seconds: int | None = None
    #: seconds the parent waits for the answer before it kills the child
    wall_seconds: float | None = None


class ChildFailed(Exception):
    """The child ended without an answer. ``str(exc)`` is a Danish reason; ``signal`` the signal number."""

    def __init__(self, reason: str, signal_number: int | None = None) -> None:
        super().__init__(reason)
        self.signal = signal_number

    def __reduce__(self) -> Any:
        return (ChildFailed, (str(self), self.signal))


class CpuTimeExceeded(Exception):
    """Raised in the child where it stands when its CPU time runs out (SIGXCPU)."""


def _on_xcpu(signum: int, frame: Any) -> None:
    raise CpuTimeExceeded


def start_method() -> str:
    """``fork`` on Linux when no other Python thread runs here; ``forkserver`` on other POSIX systems; ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _address_space() -> int | None:
    """This process's address space in bytes (Linux: /proc/self/statm), ``None`` where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _apply(limits: Limits) -> None:
    try:
        import resource
    except ImportError:  # Windows: the wall time is all
        return
    if limits.memory is not None:
        now = _address_space() or 0
        cap = now + limits.memory
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    if limits.cpu_seconds is not None:
        used = int(sum(os.times()[:2]))
        soft = used + limits.cpu_seconds
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        hard_cap = soft + 5 if hard == resource.RLIM_INFINITY else min(hard, soft + 5)
        signal.signal(signal.SIGXCPU, _on_xcpu)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard_cap))


def _quiet() -> None:
    """No crash report from the child on the user's terminal (a Rust backtrace, Python's faulthandler): the
    parent says in one Danish line what became of it."""
    import faulthandler

    faulthandler.disable()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def _main(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> None:
    """The child: limits, the call, one answer (``("ok", value)`` or ``("error", exception)``)."""
    try:
        _quiet()
        _apply(limits)
        answer: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # MemoryError, RecursionError, CpuTimeExceeded, a PagtError ...
        answer = ("error", exc)
    try:
        conn.send_bytes(_dumps(answer))
    except BaseException as exc:  # an answer that cannot be pickled, or no memory left to pickle it
        failed = ChildFailed(f"kunne ikke sende svaret ({exc.__class__.__name__})")
        with contextlib.suppress(BaseException):
            conn.send_bytes(pickle.dumps(("error", failed)))
    finally:
        conn.close()


def _dumps(answer: tuple[str, Any]) -> bytes:
    """The answer pickled. A value (grids: lists of lists of cells) without the pickler's memo of every
    object it has seen: ten times faster for a 100,000-row sheet, and a tree has no shared parts to lose;
    anything with a cycle falls back to the ordinary pickler."""
    import gc

    if answer[0] == "ok":
        gc.disable()  # the many small objects of a sheet are not garbage: no collection while they are walked
        try:
            buf = io.BytesIO()
            pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.fast = True
            pickler.dump(answer)
            return buf.getvalue()
        except (ValueError, RecursionError):
            pass
    return pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)


def run(fn: Callable[..., Any], *args: Any, limits: Limits = Limits(), method: str | None = None) -> Any:
    """``fn(*args)`` in a child process within ``limits``; its value, or its exception raised here.

    ``fn`` and ``args`` must be picklable (a module-level function) unless the start method is
    ``fork``. Raises :class:`ChildFailed` when the child dies (a signal, a crash), runs over the
    wall time (it is killed), or cannot send its answer.
    """
    ctx = multiprocessing.get_context(method or start_method())
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_main, args=(send, fn, args, limits), daemon=True)
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() with other OS threads (numpy's BLAS pool); the child only reads
        warnings.simplefilter("ignore", DeprecationWarning)
        child.start()
    send.close()
    try:
        if not receive.poll(limits.wall_seconds):
            child.kill()
            raise ChildFailed(f"tog over {limits.wall_seconds:.0f} sekunder og blev stoppet")
        try:
            data = receive.recv_bytes()
        except (EOFError, OSError):
            child.join(10)
            raise _died(child.exitcode) from None
        with _gc.paused():  # unpickling a sheet's cells: 3 times faster without the cyclic collector
            status, value = pickle.loads(data)
        del data
    finally:
        receive.close()
        child.join(10)
        if child.is_alive():
            child.kill()
            child.join()
    if status == "ok":
        return value
    raise value


def _died(exitcode: int | None) -> ChildFailed:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return ChildFailed(_SIGNALS.get(name, f"stoppede ({name})"), -exitcode)
    return ChildFailed(f"stoppede uden svar (exit-kode {exitcode})")
