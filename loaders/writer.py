"""The load's writer: a thread that bulk-loads the batches in groups while the next ones are made.

Each batch's N-Quads go to a spool file as it comes. Once a group of them is waiting, the
thread bulk-loads them back to back (pyoxigraph releases the GIL meanwhile). RocksDB merges
bulk loads that come back to back while it compacts; spaced out, each one was merged into the
whole store on its own, and that cost grew with the store (bench/REPORT.md). A group grows with
what the load has written (half of it, up to SPOOL_BYTES), so that a merge's cost per article
stays flat, and a small load is written as it goes rather than all at its end. A group is
waited for only if a group's worth is still to come after it fills: its write takes about as
long as the extraction of as much, so otherwise it would be written after the extraction, with
nothing to overlap it. Near the end of a load each batch is written as it comes.

Checkpoints take their turn in the queue, so the loader never waits for one. A batch that fails
to write is written again article by article, with the batches spooled after it, so that only
the article at fault is lost; link records that name a lost article are dropped.
"""

from __future__ import annotations

import ctypes
import shutil
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from .to_rdf import nquads


@dataclass
class Batch:
    articles: list                 # (Extracted, replaced)
    drops: list = field(default_factory=list)      # graphs to drop first (replaced, stale links)
    records: dict = field(default_factory=dict)    # link record IRI -> [(s, p, o)]
    extra: bytes = b""             # N-Quads of other shared quads (the run's start)


@dataclass
class Spooled:
    """A batch in its spool file: the articles' own N-Quads, then the shared lines it writes
    first, then the run's start and the link records (from `tail` on)."""

    path: Path
    articles: list                 # (Extracted, start, end) of its own N-Quads in the file
    drops: list
    records: list                  # the link records' graphs
    tail: int
    size: int
    made_from: dict = field(default_factory=dict)   # article IRI -> graphs of the records made from it


#: a checkpoint's place in the queue
CHECKPOINT = "checkpoint"

#: the largest group: the spooled batches are bulk-loaded back to back once this much is
#: waiting (about 900 synthetic articles), or half of what the load has written if that is
#: less; the loader waits while twice as much is.
SPOOL_BYTES = 256 * 2**20


def group_bytes(loaded: int) -> int:
    """How much spooled N-Quads make a group, once the load has bulk-loaded `loaded` bytes."""
    return min(SPOOL_BYTES, loaded // 2)

#: shared lines remembered as written (~20 MB of them; beyond, they are forgotten and written
#: again). Of a synthetic load's lines, 8 % were entity descriptions written before.
WRITTEN_MAX = 100_000


def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):        # TypeError: Windows has no CDLL(None)
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _malloc_trim()


def give_back_memory() -> bool:
    """Return the C heap's free pages to the system; False where that cannot be done.

    A batch's write frees a few hundred MB (its N-Quads, the bulk loader's sorted keys), and
    glibc keeps freed pages for reuse: over a load of 8,000 articles the free memory it held grew
    from 140 to 320 MB, and the peak resident memory from 551 MB (first 30 s) to 732 MB. Trimmed
    after every batch (~20 ms, in the writer thread, which has let go of the batch's N-Quads), the
    peak was 498 MB in the first 30 s and 574 MB at most.
    """
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


class Writer:
    """Writes batches through `store.add_graphs`, in order. `submit` spools a batch and returns;
    `wait` returns once everything submitted is written; `close` ends the thread."""

    def __init__(self, store, from_article: ox.NamedNode, on_failed: Callable, spool: str | None = None,
                 records_of: Callable | None = None):
        self.store = store
        self.from_article = from_article
        self.on_failed = on_failed          # (Extracted, reason) -> None
        self.records_of = records_of        # (article IRIs) -> graphs of the link records made from them
        self.lost: set = set()              # IRIs of articles that could not be written
        self._written: set = set()          # shared N-Quads lines spooled by this load
        self._temp = tempfile.TemporaryDirectory(prefix="newsgraph-spool-") if spool is None else None
        self._dir = Path(self._temp.name if self._temp else spool)
        if self._temp is None:              # left by a load that broke off: the store rolled back
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir.mkdir(parents=True)
        self._count = 0
        self.spooled = 0                    # bytes spooled by this load
        self._cond = threading.Condition()
        self._queue: deque = deque()        # Spooled or CHECKPOINT, oldest first; the first may be loading
        self._waiting = 0                   # bytes in the queue
        self._loaded = 0                    # bytes bulk-loaded by this load
        self._checkpoints = 0               # CHECKPOINTs in the queue
        self._group = 0                     # items of the group under way still to load
        self._drain = False                 # wait() wants the queue empty
        self._left: int | None = None       # bytes still to come, as the loader estimates them
        self._error: BaseException | None = None   # the first batch in the queue failed
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="newsgraph-writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ the loading thread's side

    def submit(self, batch: Batch) -> None:
        self._recover()
        item = self._spool(batch)
        self.spooled += item.size
        with self._cond:
            while self._waiting >= 2 * SPOOL_BYTES and self._error is None:
                self._cond.wait()
            self._queue.append(item)
            self._waiting += item.size
            self._cond.notify_all()

    def checkpoint(self) -> None:
        """A checkpoint once what was submitted so far is written (without waiting for it)."""
        with self._cond:
            if self._checkpoints:
                return
            self._queue.append(CHECKPOINT)
            self._checkpoints += 1
            self._cond.notify_all()

    def expect(self, left: int) -> None:
        """About `left` bytes of N-Quads are still to come in this load."""
        with self._cond:
            self._left = left
            self._cond.notify_all()

    def spooled_records(self, articles) -> list[str]:
        """Graphs of the link records made from these articles that are still in the spool,
        where the store cannot show them yet. (Asked before the store: a batch leaves the
        queue only once it is written.)"""
        with self._cond:
            return [g for item in self._queue if item is not CHECKPOINT
                    for a in articles for g in item.made_from.get(a, ())]

    def wait(self) -> None:
        """Until everything submitted is written (a batch that failed, article by article)."""
        with self._cond:
            self._drain = True
            self._cond.notify_all()
            while self._queue and self._error is None:
                self._cond.wait()
            self._drain = False
        self._recover()

    def close(self) -> None:
        """End the thread (after the bulk load in hand) and remove the spool; what was not
        written yet is not."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join()
        self._queue.clear()                 # their files go with the spool
        if self._temp is not None:
            self._temp.cleanup()
        else:
            shutil.rmtree(self._dir, ignore_errors=True)

    def _spool(self, b: Batch) -> Spooled:
        self._count += 1
        path = self._dir / f"{self._count}.nq"
        articles, at = [], 0
        fresh = self._fresh_shared(b.articles)
        made_from = self._made_from(b.records)
        with open(path, "wb") as f:
            for x, _ in b.articles:
                f.write(x.data)
                articles.append((x, at, at + len(x.data)))
                at += len(x.data)
                x.data, x.summary = b"", None       # in the file now; the linker has the summary
            for line in fresh:
                f.write(line)
                at += len(line)
            tail = at
            at += f.write(b.extra) + f.write(self._records(b.records, made_from))
        self._written.update(fresh)
        if len(self._written) > WRITTEN_MAX:
            self._written.clear()
        return Spooled(path, articles, list(b.drops), [g.value for g in b.records], tail, at, made_from)

    def _fresh_shared(self, articles: list) -> dict:
        """The batch's shared N-Quads lines (entity descriptions) not yet spooled by this load,
        each once: an entity's description comes again with every article that names it."""
        written = self._written
        fresh: dict = {}
        for x, _ in articles:
            for line in x.shared.splitlines(keepends=True):
                if line not in written:
                    fresh[line] = None
        return fresh

    def _made_from(self, records: dict) -> dict:
        """{article IRI: graphs of the link records made from it}"""
        made_from: dict = {}
        for g, triples in records.items():
            for _, p, o in triples:
                if p == self.from_article:
                    made_from.setdefault(o.value, []).append(g.value)
        return made_from

    def _records(self, records: dict, made_from: dict) -> bytes:
        """The link records' N-Quads, less those made from an article that could not be written."""
        lost = {g for a in self.lost & made_from.keys() for g in made_from[a]}
        return nquads([(triples, g) for g, triples in records.items() if g.value not in lost])

    def _recover(self) -> None:
        """If a batch failed: write it and the ones spooled after it article by article (they
        count on shared lines it was to write), then forget which shared lines were written."""
        with self._cond:
            if self._error is None:
                return
            items = list(self._queue)
            self._queue.clear()
            self._waiting = self._checkpoints = self._group = 0
            self._error = None
            self._cond.notify_all()
        self._written.clear()
        lost_before = set(self.lost)
        try:
            for item in items:
                self.store.checkpoint() if item is CHECKPOINT else self._one_by_one(item)
        finally:
            for item in items:
                if item is not CHECKPOINT:
                    item.path.unlink(missing_ok=True)
        if self.lost - lost_before and self.records_of is not None:
            # link records made from them, spooled before they were lost
            self._drop([g.value for g in self.records_of(sorted(self.lost - lost_before))])

    def _one_by_one(self, item: Spooled) -> None:
        self._drop(item.drops + [x.graph for x, _, _ in item.articles] + item.records)
        data = item.path.read_bytes()
        for x, start, end in item.articles:
            try:
                self.store.add_graphs(data[start:end] + x.shared)
            except Exception as e:  # noqa: BLE001 - this article is lost, the others are not
                self.lost.add(x.article)
                self._drop([x.graph])
                self.on_failed(x, f"could not be written: {type(e).__name__}: {e}"[:300])
        self.store.add_graphs(data[item.tail:])

    def _drop(self, graphs) -> None:
        if graphs:
            self.store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))

    # ------------------------------------------------------------ the writer thread's side

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._due():
                    self._cond.wait()
                if self._closed:
                    return
                if not self._group:         # a group: what is in the queue now
                    self._group = len(self._queue)
                item = self._queue[0]
            try:
                self.store.checkpoint() if item is CHECKPOINT else self._load(item)
            except BaseException as e:  # noqa: BLE001 - handled by _recover, in the loading thread
                with self._cond:
                    self._error, self._group = e, 0
                    self._cond.notify_all()
                continue
            with self._cond:
                self._queue.popleft()
                if item is CHECKPOINT:
                    self._checkpoints -= 1
                else:
                    self._waiting -= item.size
                    self._loaded += item.size
                    item.path.unlink(missing_ok=True)
                self._group -= 1
                self._cond.notify_all()

    def _due(self) -> bool:
        """Is there something to write now: a group is under way or waiting (enough bytes, or a
        checkpoint, or too little still to come to fill one and then as much again), or wait()
        was called."""
        if self._error is not None or not self._queue:
            return False
        group = group_bytes(self._loaded)
        return (self._group > 0 or self._drain or self._checkpoints > 0 or self._waiting >= group
                or (self._left is not None and self._waiting + self._left < 2 * group))

    def _load(self, item: Spooled) -> None:
        self._drop(item.drops)
        data = item.path.read_bytes()
        self.store.add_graphs(data)
        del data
        give_back_memory()
