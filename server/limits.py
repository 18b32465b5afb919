"""How many requests one client may have under way at once, across all worker processes.

A client that sends a flood of expensive queries gets at most this many evaluated at a time;
the rest are answered 503 with Retry-After at once, so the other clients' cheap queries still
find a free worker. Counts live in a small file shared by the workers (memory-mapped, updated
under a file lock, and under a thread lock too: the file lock belongs to the open file, so it
does not keep a worker's own threads apart); a count not touched for longer than a query may
run is stale (a worker that died holding it) and starts again from zero.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import tempfile
import threading
import time
from contextlib import contextmanager

SLOTS = 4096
SLOT = struct.Struct("<iid")          # requests under way, bodies being read, time of the last change


class ClientLimiter:
    def __init__(self, limit: int, path: str | None = None, stale_after: float = 120.0):
        self.limit = limit
        self.stale_after = stale_after
        if limit <= 0:
            return
        if path is None:
            fd, path = tempfile.mkstemp(prefix="newsgraph-limits-")
            os.unlink(path)                       # private to this process
        else:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = SLOTS * SLOT.size
        if os.fstat(fd).st_size < size:
            os.ftruncate(fd, size)
        self.fd = fd
        self.map = mmap.mmap(fd, size)
        self.lock = threading.Lock()

    def _slot(self, client: str) -> int:
        return int.from_bytes(hashlib.blake2b(client.encode(), digest_size=4).digest(), "little") % SLOTS * SLOT.size

    def acquire(self, client: str, reading: bool = False, wait: float = 0.0) -> bool:
        """Take a place for this client (`reading`: to read a request's body in); False if it
        has `limit` requests under way or bodies being read already. While what is in the way
        is a body being read (which a client sending its body at once holds for microseconds),
        it waits up to `wait` seconds for a place."""
        if self.limit <= 0:
            return True
        deadline = time.monotonic() + wait
        while True:
            taken, readers = self._take(client, reading)
            if taken:
                return True
            if not readers or time.monotonic() >= deadline:
                return False
            time.sleep(0.001)

    def _take(self, client: str, reading: bool) -> tuple[bool, int]:
        """(taken, bodies being read when not taken)."""
        at = self._slot(client)
        with _locked(self.lock, self.fd):
            count, readers, when = SLOT.unpack_from(self.map, at)
            now = time.time()
            if now - when > self.stale_after:
                count = readers = 0
            if count + readers >= self.limit:
                return False, readers
            SLOT.pack_into(self.map, at, count + (not reading), readers + reading, now)
            return True, 0

    def full(self, client: str) -> bool:
        """Whether this client has `limit` requests under way, bodies being read not counted
        (read without the locks: a request that takes no place asks only this)."""
        if self.limit <= 0:
            return False
        count, _, when = SLOT.unpack_from(self.map, self._slot(client))
        return count >= self.limit and time.time() - when <= self.stale_after

    def release(self, client: str, reading: bool = False) -> None:
        if self.limit <= 0:
            return
        at = self._slot(client)
        with _locked(self.lock, self.fd):
            count, readers, _ = SLOT.unpack_from(self.map, at)
            if reading:
                readers = max(0, readers - 1)
            else:
                count = max(0, count - 1)
            SLOT.pack_into(self.map, at, count, readers, time.time())

class Busy:
    """Which threads of all the workers are answering in their worker's lane now (front.py): a
    byte each in a small file shared by the workers, written only by its own thread (so no lock
    to mark it), to tell whether a core is idle. A thread claims its byte at its first mark,
    under a file lock, beside the id of its process; a claim first frees the bytes of processes
    that are gone (a worker killed while marked busy), and a thread's byte is freed when it ends."""

    SLOTS = 1024
    OWNER = struct.Struct("<i")         # the process owning a byte, after the SLOTS bytes

    def __init__(self, path: str | None, cores: int):
        self.cores = cores
        self.mine = threading.local()
        self.lock = threading.Lock()
        size = self.SLOTS * (1 + self.OWNER.size)
        self.fd = None
        if path is None:
            self.map = bytearray(size)       # one process: its own threads only
            return
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self.fd).st_size < size:
            os.ftruncate(self.fd, size)
        self.map = mmap.mmap(self.fd, size)

    def mark(self, on: bool) -> None:
        slot = getattr(self.mine, "slot", None)
        if slot is None:
            slot = self._claim()
        self.map[slot.index] = on

    def core_idle(self) -> bool:
        return self.marked() < self.cores

    def marked(self) -> int:
        """How many threads are marked busy."""
        return self.map[:self.SLOTS].count(1)

    def _owner(self, i: int) -> int:
        return self.OWNER.unpack_from(self.map, self.SLOTS + i * self.OWNER.size)[0]

    def _own(self, i: int, pid: int) -> None:
        self.map[i] = 0
        self.OWNER.pack_into(self.map, self.SLOTS + i * self.OWNER.size, pid)

    def _claim(self) -> "_Slot":
        pid = os.getpid()
        with _locked(self.lock, self.fd):
            alive: dict = {pid: True}
            free = None
            for i in range(self.SLOTS):
                owner = self._owner(i)
                if owner and owner not in alive:
                    alive[owner] = _alive(owner)
                if owner and not alive[owner]:
                    self._own(i, 0)             # (its process is gone)
                    owner = 0
                if not owner and free is None:
                    free = i
            index = free if free is not None else hash((pid, threading.get_ident())) % self.SLOTS
            self._own(index, pid)
        slot = self.mine.slot = _Slot(self, index)
        return slot

    def _release(self, index: int) -> None:
        with _locked(self.lock, self.fd):
            if self._owner(index) == os.getpid():
                self._own(index, 0)

class _Slot:
    """A thread's byte in Busy, given back when the thread ends (its thread-local goes)."""

    def __init__(self, busy: Busy, index: int):
        self.busy, self.index = busy, index

    def __del__(self):
        try:
            self.busy._release(self.index)
        except Exception:  # noqa: BLE001 - at exit, the file may be closed already
            pass


@contextmanager
def _locked(lock: threading.Lock, fd: int | None):
    """This process's threads kept apart by `lock`, the processes by a lock on the shared file
    (`fd`; None: one process). The file lock belongs to the open file, not to a thread, so it
    does not keep a process's own threads apart."""
    with lock:
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Releasing:
    """A WSGI response body that gives the client's place back when the server closes it."""

    def __init__(self, body, release):
        self.body = body
        self._release = release

    def __iter__(self):
        yield from self.body
        self._give_back()               # all sent: some callers never close the body

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()
