"""Running a query within a time limit, streaming pyoxigraph's native serialisation.

pyoxigraph cannot cancel a query from Python, and it releases the GIL while it evaluates. So
the evaluation and the serialisation run in a helper thread that writes chunks into a queue;
the request thread waits for them with a deadline. A query that is not done in time gets a
clear 503, and the app is told (``on_timeout``) so that under gunicorn the worker process is
replaced after answering, which is what stops the runaway evaluation for good.
"""

from __future__ import annotations

import io
import os
import queue
import threading
import time
from typing import Callable, Iterator

CHUNK = 64 * 1024       # the serialiser's buffer
#: bytes handed to the request thread at once: an answer under this size is sent whole (one
#: hand-over between the threads, and one body for the server to send, where 64 KB pieces
#: made an aggregate's ~300 KB five hand-overs and a streamed body)
HANDOVER = 1024 * 1024
AHEAD = 8           # hand-overs the evaluation may get ahead of the sending


class QueryTimeout(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"the query ran longer than the {seconds:g} s limit and was stopped")
        self.seconds = seconds


class ResultTooLarge(Exception):
    pass


def too_large(max_bytes: int) -> str:
    return f"the result is larger than {max_bytes // 1_000_000} MB; add a LIMIT or narrow the query"


class _Pipe(io.RawIOBase):
    """A binary writer for pyoxigraph's serialisers that hands chunks to a queue (behind an
    io.BufferedWriter, so the serialiser's many small writes stay in C).

    The queue is the C SimpleQueue (a hand-over through queue.Queue costs about 50 µs, more
    than a point lookup's own work); `room` bounds how far the writer gets ahead of the reader.
    """

    def __init__(self, q: queue.SimpleQueue, max_bytes: int, deadline: float):
        self.q = q
        self.room: threading.Semaphore | None = None     # made with the first chunk
        self.deadline = deadline
        self.buf = bytearray()
        self.total = 0
        self.max_bytes = max_bytes
        self.cancelled = False

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.cancelled:
            raise ResultTooLarge("the client has gone or the query was stopped")
        self.buf += data
        self.total += len(data)
        if self.total > self.max_bytes:
            raise ResultTooLarge(too_large(self.max_bytes))
        if len(self.buf) >= HANDOVER:
            if self.room is None:
                self.room = threading.Semaphore(AHEAD)
            if not self.room.acquire(timeout=max(0.0, self.deadline - time.monotonic())):
                raise ResultTooLarge("the answer was not sent within the time limit")
            self.q.put(("chunk", bytes(self.buf)))
            self.buf.clear()
        return len(data)



class _Threads:
    """Daemon threads kept for the next query (starting one per request costs more than the
    query); a thread stuck in a runaway is simply not idle, and a new one is started."""

    def __init__(self):
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.idle = 0
        self.lock = threading.Lock()

    def submit(self, fn) -> None:
        with self.lock:
            if self.idle:
                self.idle -= 1
                start = False
            else:
                start = True
        if start:
            threading.Thread(target=self._loop, daemon=True, name="newsgraph-query").start()
        self.jobs.put(fn)

    def _loop(self) -> None:
        while True:
            self.jobs.get()()
            with self.lock:
                self.idle += 1


_threads: _Threads | None = None
_threads_pid = 0


def threads() -> _Threads:
    global _threads, _threads_pid
    if _threads is None or _threads_pid != os.getpid():     # none survive a fork
        _threads, _threads_pid = _Threads(), os.getpid()
    return _threads


class Running:
    """A query being answered: the first part (or all) of its body, then the rest as it comes."""

    def __init__(self, produce: Callable[[_Pipe], None], timeout: float, max_bytes: int,
                 on_timeout: Callable[[], None] | None = None):
        self.q: queue.SimpleQueue = queue.SimpleQueue()
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.pipe = _Pipe(self.q, max_bytes, self.deadline)
        self.on_timeout = on_timeout or (lambda: None)
        threads().submit(lambda: self._work(produce))

    def _work(self, produce) -> None:
        try:
            out = io.BufferedWriter(self.pipe, CHUNK)
            produce(out)
            out.flush()
            self.q.put(("last", bytes(self.pipe.buf)))
        except BaseException as e:  # noqa: BLE001 - handed to the request thread
            self.q.put(("error", e))

    def _next(self):
        remaining = self.deadline - time.monotonic()
        try:
            item = self.q.get(timeout=max(0.0, remaining))
        except queue.Empty:
            self.pipe.cancelled = True
            self.on_timeout()
            raise QueryTimeout(self.timeout) from None
        if item[0] == "chunk":
            self.pipe.room.release()
        return item

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
