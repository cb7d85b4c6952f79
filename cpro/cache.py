"""A Redis cache that degrades instead of failing when Redis cannot be reached.

The cache only holds disposable data (allauth's rate-limit counters, template fragments):
losing it for a while is acceptable, a 500 on every page (starting with the login page) is
not. Connection errors and timeouts are logged and treated as a miss (reads) or ignored
(writes); after a failure the backend does not try Redis again for `RETRY_AFTER` seconds, so
a Redis that hangs costs one short timeout per process, not one per cache call.

Consequence while Redis is down: allauth's rate limits are not enforced (their counters cannot
be stored); they resume as soon as Redis answers again.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Connection refused or reset, timeouts, and anything that is not a Redis answering properly.
_ERRORS = (RedisError, OSError)
# Per process, per Redis location (Django builds one cache backend per thread).
_DOWN_UNTIL: dict[str, float] = {}


class DegradingRedisCache(RedisCache):
    RETRY_AFTER = 10.0  # seconds without trying Redis after a connection failure

    def __init__(self, server, params):
        params = {**params, "OPTIONS": dict(params.get("OPTIONS", {}))}
        options = params["OPTIONS"]
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        # redis-py's own retries (with back-off) would multiply the timeouts.
        options.setdefault("retry_on_timeout", False)
        super().__init__(server, params)
        self._location = str(server)

    @property
    def est_disponible(self) -> bool:
        return time.monotonic() >= _DOWN_UNTIL.get(self._location, 0.0)

    def _panne(self, exc: Exception) -> None:
        _DOWN_UNTIL[self._location] = time.monotonic() + self.RETRY_AFTER
        logger.warning("Cache Redis injoignable, ignoré pendant %ss : %s", self.RETRY_AFTER, exc)

    def _call(self, fallback, method, *args, **kwargs):
        if not self.est_disponible:
            return fallback
        try:
            return method(*args, **kwargs)
        except _ERRORS as exc:
            self._panne(exc)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True: callers that use add() as a lock (allauth) must not wait for it.
        return self._call(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        if not self.est_disponible:
            raise ValueError(f"Key '{key}' not found.")
        try:
            return super().incr(key, delta, version)
        except _ERRORS as exc:
            self._panne(exc)
            raise ValueError(f"Key '{key}' not found.") from exc

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(None, super().delete_many, keys, version)

    def clear(self):
        return self._call(False, super().clear)
