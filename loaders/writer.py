"""The load's writer: one thread that writes a batch while the next batch is being linked.

pyoxigraph releases the GIL while it bulk-loads, so the write and the Python work overlap.
A batch that fails to write is written again article by article, so that only the article at
fault is lost; link records that name a lost article are left out.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from .to_rdf import nquads


@dataclass
class Batch:
    articles: list                 # (Extracted, replaced)
    drops: list = field(default_factory=list)      # graphs to drop first (replaced, stale links)
    records: dict = field(default_factory=dict)    # link record IRI -> [(s, p, o)]
    extra: bytes = b""             # N-Quads of other shared quads (the run's start)


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
    def __init__(self, store, from_article: ox.NamedNode, on_failed: Callable):
        self.store = store
        self.from_article = from_article
        self.on_failed = on_failed          # (Extracted, reason) -> None
        self.lost: set = set()              # IRIs of articles that could not be written
        self._thread: threading.Thread | None = None
        self._batch: Batch | None = None
        self._error: BaseException | None = None
        self._written: set = set()          # shared N-Quads lines this load has written

    def submit(self, batch: Batch) -> None:
        self.wait()
        self._batch, self._error = batch, None
        self._thread = threading.Thread(target=self._run, name="newsgraph-writer", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Until the batch in hand is written (or, if it failed, written again one by one)."""
        if self._thread is None:
            return
        self._thread.join()
        self._thread = None
        if self._error is not None:
            self._error = None
            self._one_by_one(self._batch)
        self._batch = None

    def _run(self) -> None:
        try:
            self._write(self._batch)
        except BaseException as e:  # noqa: BLE001 - handled in wait(), in the loading thread
            self._error = e

    def _write(self, b: Batch) -> None:
        if b.drops:
            self._drop(b.drops)
        fresh = self._fresh_shared(b.articles)
        data = b"".join(x.data for x, _ in b.articles) + b"".join(fresh) + b.extra + self._records(b.records)
        self.store.add_graphs(data)
        del data
        self._written.update(fresh)     # only once written: a failed batch is written whole again
        if len(self._written) > WRITTEN_MAX:
            self._written.clear()
        for x, _ in b.articles:         # written: their N-Quads are not needed again
            x.data = x.shared = b""
        give_back_memory()

    def _fresh_shared(self, articles: list) -> dict:
        """The batch's shared N-Quads lines (entity descriptions) not yet written by this load,
        each once: an entity's description comes again with every article that names it."""
        written = self._written
        fresh: dict = {}
        for x, _ in articles:
            for line in x.shared.splitlines(keepends=True):
                if line not in written:
                    fresh[line] = None
        return fresh

    def _records(self, records: dict) -> bytes:
        keep = [(triples, g) for g, triples in records.items()
                if not self.lost or not any(p == self.from_article and o.value in self.lost for _, p, o in triples)]
        return nquads(keep)

    def _drop(self, graphs) -> None:
        self.store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))

    def _one_by_one(self, b: Batch) -> None:
        self._drop(list(b.drops) + [x.graph for x, _ in b.articles] + [g.value for g in b.records])
        for x, _ in b.articles:
            try:
                self.store.add_graphs(x.data + x.shared)
            except Exception as e:  # noqa: BLE001 - this article is lost, the others are not
                self.lost.add(x.article)
                self._drop([x.graph])
                self.on_failed(x, f"could not be written: {type(e).__name__}: {e}"[:300])
        self.store.add_graphs(b.extra + self._records(b.records))
