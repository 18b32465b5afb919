"""A small response cache: whole answers keyed by (store version, request key).

Repeated queries dominate Linked Data traffic; keying by the store's version means a load or
an update makes old entries unreachable, so nothing stale is ever served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class ResponseCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_entry: int = 2 * 1024 * 1024):
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self._data: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key, value: bytes) -> None:
        if self.max_bytes <= 0 or len(value) > self.max_entry:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._data[key] = value
            self._size += len(value)
            while self._size > self.max_bytes and self._data:
                _, dropped = self._data.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._size = 0
