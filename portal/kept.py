"""Values a process works out once and reuses: HTML or addresses that depend only on a few
inputs, all of them in the key. Nothing here can go stale, because nothing outside the key
changes what `make` returns; so unlike shared fragments (portal.fragments) it needs no
versions and may live in one worker's memory."""
from collections.abc import Callable, Hashable

from flask import current_app

LIMIT = 256  # values kept under one name; more than that starts again


def kept_in(name: str) -> dict:
    """Everything kept under `name` in this process: for a caller looking up many values,
    which passes it to `kept` as `store`."""
    return current_app.extensions.setdefault("kept", {}).setdefault(name, {})


def kept(name: str, key: Hashable, make: Callable[[], object], limit: int = LIMIT,
         store: dict | None = None):
    """What `make()` returns for `key`, made once per process and name."""
    if store is None:
        store = kept_in(name)
    found = store.get(key)
    if found is None:
        found = put(store, key, make(), limit)
    return found


def put(store: dict, key: Hashable, value, limit: int = LIMIT):
    """Keep `value` for `key` in `store` (from kept_in); a full store starts again."""
    if len(store) >= limit:
        store.clear()
    store[key] = value
    return value
