"""Running a query within a time limit, streaming pyoxigraph's native serialisation.

pyoxigraph cannot cancel a query from Python, and it releases the GIL while it evaluates. So
the evaluation and the serialisation run in a helper thread that writes chunks into a queue;
the request thread waits for them with a deadline. A query that is not done in time gets a
clear 503, and the app is told (``on_timeout``) so that under gunicorn the worker process is
replaced after answering, which is what stops the runaway evaluation for good.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Callable, Iterator

CHUNK = 64 * 1024


class QueryTimeout(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"the query ran longer than the {seconds:g} s limit and was stopped")
        self.seconds = seconds


class ResultTooLarge(Exception):
    pass


class _Pipe:
    """A binary writer for pyoxigraph's serialisers that hands chunks to a queue."""

    def __init__(self, q: queue.Queue, max_bytes: int):
        self.q = q
        self.buf = bytearray()
        self.total = 0
        self.max_bytes = max_bytes
        self.cancelled = False

    def write(self, data) -> int:
        if self.cancelled:
            raise ResultTooLarge("the client has gone or the query was stopped")
        self.buf += data
        self.total += len(data)
        if self.total > self.max_bytes:
            raise ResultTooLarge(f"the result is larger than {self.max_bytes // 1_000_000} MB; "
                                 "add a LIMIT or narrow the query")
        if len(self.buf) >= CHUNK:
            self.q.put(("chunk", bytes(self.buf)))
            self.buf.clear()
        return len(data)

    def flush(self) -> None:
        pass


class Running:
    """A query being answered: the first part (or all) of its body, then the rest as it comes."""

    def __init__(self, produce: Callable[[_Pipe], None], timeout: float, max_bytes: int,
                 on_timeout: Callable[[], None] | None = None):
        self.q: queue.Queue = queue.Queue(maxsize=64)
        self.pipe = _Pipe(self.q, max_bytes)
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.on_timeout = on_timeout or (lambda: None)
        self.thread = threading.Thread(target=self._work, args=(produce,), daemon=True,
                                       name="newsgraph-query")
        self.thread.start()

    def _work(self, produce) -> None:
        try:
            produce(self.pipe)
            self.q.put(("last", bytes(self.pipe.buf)))
        except BaseException as e:  # noqa: BLE001 - handed to the request thread
            self.q.put(("error", e))

    def _next(self):
        remaining = self.deadline - time.monotonic()
        try:
            return self.q.get(timeout=max(0.0, remaining))
        except queue.Empty:
            self.pipe.cancelled = True
            self.on_timeout()
            raise QueryTimeout(self.timeout) from None

    def first(self) -> tuple[bytes, bool]:
        """The first chunk and whether it is the whole body; raises the query's error."""
        kind, value = self._next()
        if kind == "error":
            raise value
        return value, kind == "last"

    def rest(self) -> Iterator[bytes]:
        """The remaining chunks; a timeout or an error now can only cut the stream short."""
        try:
            while True:
                try:
                    kind, value = self._next()
                except QueryTimeout:
                    return
                if kind == "error":
                    return
                if value:
                    yield value
                if kind == "last":
                    return
        finally:
            self.pipe.cancelled = True
