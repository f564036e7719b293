"""Login throttling: after LOGIN_FAILURE_LIMIT failed attempts for one account or from one address,
both are locked out for LOGIN_LOCKOUT_SECONDS. Counters live in the cache (Redis in production via
CACHE_URL, so every web worker sees the same counts)."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    # Hash so that e-mail addresses never appear in cache keys or their logs.
    return f"login:{kind}:" + hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_locked(email: str, ip: str) -> bool:
    return bool(cache.get(_key("lock-email", email)) or cache.get(_key("lock-ip", ip)))


def register_failure(email: str, ip: str) -> bool:
    """Count one failure; return True when this failure starts a lockout."""
    locked = False
    for kind, value in (("email", email), ("ip", ip)):
        if not value:
            continue
        key = _key(f"fail-{kind}", value)
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
            count = 1
        if count >= settings.LOGIN_FAILURE_LIMIT:
            locked = True
    if locked:
        cache.set(_key("lock-email", email), 1, settings.LOGIN_LOCKOUT_SECONDS)
        cache.set(_key("lock-ip", ip), 1, settings.LOGIN_LOCKOUT_SECONDS)
    return locked


def reset(email: str, ip: str) -> None:
    cache.delete_many([_key("fail-email", email), _key("fail-ip", ip)])
