"""Extraction of whole files, in this process or in a pool of worker processes.

A worker reads a file, runs the pipeline and the mapping, and sends back N-Quads bytes: the
parent never holds Python objects for quads it only passes on to the store, and only a bounded
number of files is in flight, so memory stays flat however large the corpus.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator

import pyoxigraph as ox

from newsgraph import __version__

from .link_data import summarise
from .pipeline import build_pipeline
from .read import STREAMED, ReadError, Task, read_task
from .to_rdf import Mapper, Run

#: below this many files a pool costs more (starting workers) than it saves
POOL_THRESHOLD = 40
#: articles' worth of work handed to the workers ahead of the loading process: enough that they
#: keep extracting while it links and writes a batch, few enough that memory stays bounded
AHEAD = 600
#: a piece of a bulk file is counted as this many articles per megabyte
ARTICLES_PER_MB = 250


@dataclass
class Extracted:
    """One article, extracted and mapped (or the reason it was not)."""

    source: str
    warnings: list = field(default_factory=list)
    error: str | None = None
    graph: str | None = None
    article: str | None = None
    input_hash: str | None = None
    unchanged: bool = False
    data: bytes = b""          # N-Quads of the article's graph
    shared: bytes = b""        # N-Quads of its shared quads (entity descriptions)
    quads: int = 0
    summary: dict | None = None   # what the linker needs (link_data)
    partial: bool = False         # read from a summary only


@dataclass
class FileResult:
    path: str
    error: str | None = None
    articles: list = field(default_factory=list)
    last: bool = True             # the last piece of its file
    size: int = 0                 # bytes of input it covers


@dataclass(frozen=True)
class Job:
    """What a worker needs to know, sent once when it starts."""

    base: str
    run_iri: str
    run_started: datetime
    stages: tuple | None
    known: dict                # graph IRI -> input hash already in the store


class Extractor:
    def __init__(self, job: Job):
        self.job = job
        self.pipeline = build_pipeline(list(job.stages) if job.stages is not None else None)
        self.mapper = Mapper(job.base)
        self.run = Run(job.base, job.run_started, ox.NamedNode(job.run_iri))
        self.pipeline_id = (f"newsgraph {__version__}; stages {','.join(self.pipeline.names)}; "
                            f"data {self.pipeline.data_version}")

    def file(self, task: Task | str) -> FileResult:
        task = (task, 0, None, 1) if isinstance(task, str) else task
        result = FileResult(task[0], last=task[2] is None, size=_size(task))
        try:
            for article in read_task(task):
                result.articles.append(self.article(article))
        except ReadError as e:
            result.error = str(e)
        except Exception as e:  # noqa: BLE001 - one bad file must not stop the load
            result.error = f"{type(e).__name__}: {e}"
        return result

    def article(self, article) -> Extracted:
        out = Extracted(article.source, list(article.warnings), partial=article.partial)
        if article.error:
            out.error = article.error
            return out
        if not article.body:
            out.error = "no body text"
            return out
        out.input_hash = hashlib.sha256(
            (self.pipeline_id + "\x1f" + article.content_hash()).encode()).hexdigest()
        try:
            graph = self.mapper.graph_of(article)
            if self.job.known.get(graph.value) == out.input_hash:
                out.graph, out.unchanged = graph.value, True
                return out
            article = self.pipeline(article)
            mapped = self.mapper.article(article, self.run, out.input_hash)
            out.data, out.shared = mapped.nquads()
            out.summary = summarise(mapped.triples + mapped.shared_triples, self.mapper.ng.iri,
                                    article=mapped.article.value)
        except Exception as e:  # noqa: BLE001
            out.error = f"extraction failed: {type(e).__name__}: {e}"
            return out
        out.graph, out.article, out.quads = mapped.graph.value, mapped.article.value, len(mapped)
        return out


#: a load makes millions of short-lived objects and frees them by reference counting; with the
#: default thresholds the collector also walked the whole (growing) heap 16 times per 1,000
#: articles: 2.2 s of the loading thread's 18 s. With these, 36 young collections, no full one,
#: and the peak memory within 1 %.
LOAD_GC_THRESHOLD = (20_000, 50, 1_000)


@contextmanager
def fewer_collections():
    """The load's thresholds while it runs; the old ones back after it, even after an error."""
    old = gc.get_threshold()
    gc.set_threshold(*LOAD_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*old)


_worker: Extractor | None = None


def _start(job: Job) -> None:
    global _worker
    gc.set_threshold(*LOAD_GC_THRESHOLD)        # a worker process does nothing but extract
    _worker = Extractor(job)


def _run(task: Task) -> FileResult:
    return _worker.file(task)


def default_jobs() -> int:
    """Worker processes for extraction: the loading process itself and the store's writer need
    about a core between them, so one worker per core beyond the second; on two cores, none
    (measured: 60 articles/s extracting in-process, 47 with one worker, 55 with two)."""
    cores = os.cpu_count() or 1
    return 1 if cores <= 2 else cores - 1


def extract_files(paths: Iterable[Task | str], job: Job, jobs: int = 0, n_files: int | None = None
                  ) -> Iterator[FileResult]:
    """Results in the order of the paths (or pieces of files, see read.tasks); `jobs` worker
    processes (0: see default_jobs; 1: here)."""
    jobs = jobs or default_jobs()
    if jobs <= 1 or (n_files is not None and n_files < POOL_THRESHOLD):
        ex = Extractor(job)
        for p in paths:
            yield ex.file(p)
        return
    # spawn, not fork: the parent may hold an open RocksDB, which must not be forked
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs, initializer=_start, initargs=(job,)) as pool:
        pending: deque = deque()        # (result to come, its weight)
        ahead = 0
        for p in paths:
            w = _weight(p)
            pending.append((pool.apply_async(_run, (p,)), w))
            ahead += w
            while ahead >= AHEAD:
                result, w = pending.popleft()
                ahead -= w
                yield result.get()
        while pending:
            yield pending.popleft()[0].get()


def _size(task: Task) -> int:
    """Bytes of input a piece of work covers (0 if the file cannot be read)."""
    path, start, end = task[:3]
    try:
        return (end if end is not None else os.path.getsize(path)) - start
    except OSError:
        return 0


def _weight(task: Task | str) -> int:
    """About how many articles a piece of work holds: one per file, more for a bulk file's piece."""
    path, start, end = (task, 0, None) if isinstance(task, str) else task[:3]
    if os.path.splitext(path)[1].lower() not in STREAMED:
        return 1
    size = (end - start) if end is not None else 1 << 20      # the last piece: at most about that
    return max(1, size * ARTICLES_PER_MB >> 20)
