"""The object-handle stores of the add-in server: per user, short-lived, bounded, and Redis failures as 503.

A ``PAGT.DATA`` cell holds an object handle: xlwings keeps the packed range on
the server under a random id (``uuid4``, 122 random bits), and the workbook
keeps only that id. Upstream (xlwings Server 1.20) keys the object by the id
alone unless ``XLWINGS_OBJECT_CACHE_PARTITION_BY_USER`` is set, and the in-memory
store is never partitioned: an id copied from one person's workbook gave any
other caller that person's whole overview, for about a week (Redis expiry
``0 12 * * sat``), and the in-memory store was bounded by count only.

:func:`install` replaces xlwings' store (``xlwings.pro.object_handles.cache``,
which xlwings' converter and :func:`pagt_xl.xl.functions.data_argument` look up
at every call) with one of these:

* :class:`MemoryHandleStore` (no ``XLWINGS_OBJECT_CACHE_URL``): keys are
  ``(user id, handle id)``; each object expires ``PAGT_XL_HANDLE_LIFETIME_HOURS``
  after it was made; the store holds at most ``PAGT_XL_HANDLE_CACHE_MB`` of
  serialized objects (measured in bytes), dropping the least recently used.
* :class:`RedisHandleStore` (``XLWINGS_OBJECT_CACHE_URL``): keys are always
  ``object:<user id>:<handle id>`` and expire after the same lifetime; any Redis
  error becomes :class:`~xlwings_server.object_handles.XlwingsOperationalError`
  with a Danish message, which the server answers with 503 and ``Retry-After``,
  a status xlwings' JavaScript client retries.

The user id is the one xlwings Server sets for each cell-function call
(``user_id_context``: the Entra ID object id, ``token:<name>``, or ``n/a``
without authentication). A handle of another user is simply not found: the
cell gets the same Danish "genberegn" refusal as an expired one, so an id says
nothing about whether it exists for somebody else.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import redis
from xlwings import XlwingsError
from xlwings.pro import object_handles as core
from xlwings_server.object_handles import RedisObjectCache, XlwingsOperationalError
from xlwings_server.routers import xlwings as xlwings_router
from xlwings_server.serializers import deserialize, serialize

from pagt_xl.xl.settings import ServerSettings

logger = logging.getLogger(__name__)

#: What a cell shows while Redis does not answer (the server answers 503, and Excel tries again).
REDIS_DOWN = "serverens fælles cache (Redis) svarer ikke lige nu; prøv igen om lidt (Ctrl+Alt+F9)"
#: Seconds Excel is asked to wait before it tries again after a 503.
RETRY_AFTER = 5


def _user() -> str:
    """The id of the user of the current call ("" outside a call, e.g. in a test)."""
    user_id = xlwings_router.user_id_context.get()
    return "" if user_id is None else str(user_id)


class MemoryHandleStore:
    """In-process handles keyed by user and id, expiring, bounded by bytes (least recently used goes first).

    ``max_bytes``: largest total size of the stored (serialized) objects;
    ``lifetime``: seconds an object lives after it was stored; ``clock``: a
    monotonic clock in seconds (tests pass their own).
    """

    def __init__(self, max_bytes: int, lifetime: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_bytes = max_bytes
        self.lifetime = lifetime
        self._clock = clock
        self._store: OrderedDict[tuple[str, str], tuple[str, int, float]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._bytes

    def get(self, cache_id: str) -> Any:
        """The object stored by the current user under ``cache_id``; ``None`` if absent, expired or another's."""
        key = (_user(), str(cache_id))
        with self._lock:
            hit = self._store.get(key)
            if hit is None:
                return None
            value, _, expires = hit
            if self._clock() >= expires:
                self._drop(key)
                return None
            self._store.move_to_end(key)
        return deserialize(value)

    def set(self, cache_id: str, obj: Any) -> None:
        """Store ``obj`` for the current user; refuses (Danish) an object larger than the whole store."""
        value = serialize(obj)
        size = len(value.encode("utf-8", "surrogatepass"))
        if size > self.max_bytes:
            raise XlwingsError(
                f"dataene fylder {size / 1e6:.0f} MB, mere end serverens grænse for PAGT.DATA "
                f"({self.max_bytes / 1e6:.0f} MB, PAGT_XL_HANDLE_CACHE_MB); brug området direkte"
            )
        key = (_user(), str(cache_id))
        now = self._clock()
        with self._lock:
            if key in self._store:
                self._drop(key)
            self._expire(now)
            while self._store and self._bytes + size > self.max_bytes:
                self._drop(next(iter(self._store)))
            self._store[key] = (value, size, now + self.lifetime)
            self._bytes += size

    def delete(self, cache_id: str) -> None:
        """Remove the current user's object under ``cache_id`` if present (xlwings' superseded-generation cleanup)."""
        with self._lock:
            self._drop((_user(), str(cache_id)))

    def clear(self) -> None:
        """Forget every object of every user."""
        with self._lock:
            self._store.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._store)

    def _drop(self, key: tuple[str, str]) -> None:
        hit = self._store.pop(key, None)
        if hit is not None:
            self._bytes -= hit[1]

    def _expire(self, now: float) -> None:
        for key in [k for k, (_, _, expires) in self._store.items() if expires <= now]:
            self._drop(key)


def _redis_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except redis.RedisError as exc:
            logger.error("Redis: %s: %s", exc.__class__.__name__, exc)
            raise XlwingsOperationalError(REDIS_DOWN) from None

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


class RedisHandleStore(RedisObjectCache):
    """xlwings Server's Redis store, always partitioned by user, with a lifetime in seconds, failures as 503."""

    def __init__(self, lifetime: float) -> None:
        self.lifetime = max(1, round(lifetime))

    @staticmethod
    def _key(cache_id: Any) -> str:
        return f"object:{_user()}:{cache_id}"

    @staticmethod
    def _client() -> redis.Redis:
        client = xlwings_router.redis_client_context.get(None)
        if not client:
            raise XlwingsOperationalError(REDIS_DOWN)
        return client

    @_redis_errors
    def get(self, cache_id: Any) -> Any:
        """The current user's object under ``cache_id``; ``None`` if absent, expired or another user's."""
        return super().get(cache_id)

    @_redis_errors
    def set(self, cache_id: Any, obj: Any) -> None:
        """Store ``obj`` for the current user for :attr:`lifetime` seconds."""
        import zlib

        from xlwings_server.config import settings

        value = serialize(obj).encode()
        if settings.object_cache_enable_compression:
            value = zlib.compress(value)
        self._client().set(self._key(cache_id), value, ex=self.lifetime)

    @_redis_errors
    def delete(self, cache_id: Any) -> None:
        """Remove the current user's object under ``cache_id``."""
        super().delete(cache_id)

    @_redis_errors
    def evict_superseded(self, scope: str, new_ids: set[str]) -> None:
        """xlwings' superseded-generation cleanup, with the producer map expiring as the objects do."""
        client = self._client()
        map_key = f"object:producer:{scope}"
        old_value = client.get(map_key)
        old_ids = set(old_value.decode().split()) if old_value else set()
        for cache_id in old_ids - new_ids:
            self.delete(cache_id)
        if new_ids:
            client.set(map_key, " ".join(sorted(new_ids)), ex=self.lifetime)
        else:
            client.delete(map_key)

    @_redis_errors
    def clear(self) -> None:
        """Remove every object of every user."""
        super().clear()


def install(settings: ServerSettings, redis_url: bool) -> MemoryHandleStore | RedisHandleStore:
    """Put the store for ``settings`` in place of xlwings' own; returns it.

    ``redis_url``: whether xlwings Server has ``XLWINGS_OBJECT_CACHE_URL`` (then Redis).
    """
    lifetime = settings.handle_lifetime_hours * 3600
    store: MemoryHandleStore | RedisHandleStore
    if redis_url:
        store = RedisHandleStore(lifetime)
    else:
        store = MemoryHandleStore(int(settings.handle_cache_mb * 1024 * 1024), lifetime)
    core.cache = store
    return store


__all__ = ["REDIS_DOWN", "RETRY_AFTER", "MemoryHandleStore", "RedisHandleStore", "install"]
