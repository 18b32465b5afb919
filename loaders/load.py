"""Load files into a store: read -> extract -> map to RDF -> write.

A file that fails is reported and the others load regardless. Articles are written in
batches; if a batch fails, its articles are retried one by one so that only the bad one is
lost. What a load writes becomes visible at the store's checkpoints (whole batches only), and a
crash rolls the store back to the last one. An article whose input hash is already in the
store is skipped, so reloading changes nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from newsgraph import ONTOLOGY_DIR
from newsgraph.config import DEFAULT_BASE
from newsgraph.store import MEMORY, Store
from newsgraph.terms import check_base, mint, ng, ontology_iri, short_hash

from .link import Linker
from .pipeline import check_stages
from .read import RDF_EXTENSIONS, Task, is_article_file, tasks
from .to_rdf import Mapper, Run, literal, nquads
from .work import Extracted, Job, extract_files, fewer_collections
from .writer import Batch, Writer

RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3,
}


@dataclass
class Report:
    loaded: int = 0
    unchanged: int = 0
    duplicates: int = 0                            # copies of an article met earlier in the run
    rdf_files: int = 0
    failed: list = field(default_factory=list)     # (source, reason)
    warnings: list = field(default_factory=list)   # (source, message)
    skipped: list = field(default_factory=list)    # files of no known type inside folders
    run: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed


def iter_files(paths: Iterable) -> Iterator[tuple[Path, bool]]:
    """(file, named explicitly) for each path; folders are walked recursively, in order."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name, False
        else:
            yield p, True


#: the smallest batch near the end of a load (see Loader._batch_full)
TAPER_MIN = 20


class Loader:
    """Loads files through one write session (see :meth:`newsgraph.store.Store.session`).

    Extraction runs in `jobs` worker processes (0: one per core); the articles come back in
    file order and are written in batches, each followed by the links it makes.
    """

    def __init__(self, store: Store, base: str | None = None, graph: str | None = None,
                 stages=None, batch_size: int = 200, jobs: int = 0,
                 progress: Callable[[str], None] | None = None, link: bool = True,
                 checkpoint_every: float = 60.0):
        self.store = store
        self.base = check_base(store.resolve_base(base, DEFAULT_BASE))
        self.graph = ox.NamedNode(graph) if graph else None
        self.stages = tuple(stages) if stages is not None else None
        check_stages(stages)     # a bad stage list fails here, before anything is written
        self.mapper = Mapper(self.base)
        self.link = link
        self.linker: Linker | None = None
        self.batch_size = batch_size
        self.jobs = jobs
        self.checkpoint_every = checkpoint_every
        self.progress = progress or (lambda source: None)
        self.report = Report()
        self.run = Run(self.base)
        self._run_started = False
        self._batch: list = []          # Extracted articles waiting to be written
        self._known: dict = {}
        self._taken: dict = {}          # graph -> (source, partial) of the copy this run took
        self._retaken: set = set()      # graphs of which this run took a fuller copy after a summary
        self._in_total = self._in_read = 0  # bytes of article files to read, and read so far
        self._in_articles = self._in_taken = 0   # articles those bytes held, and taken so far
        self.w: Store = store           # the write session, while loading
        self.writer: Writer | None = None

    # ------------------------------------------------------------ entry points

    def load(self, paths) -> Report:
        files = list(iter_files(paths))
        with self.store.session(self.checkpoint_every) as w, fewer_collections():
            self.w = w
            self._known = self._known_hashes()
            self._setup_graphs()
            if self.link:
                self.linker = Linker(w, self.base, w.side_file("links.sqlite3"))
            side = w.side_file("spool")
            self.writer = Writer(w, self.mapper.ng.fromArticle, self._lost, None if side == MEMORY else side,
                                 self.linker.stale if self.linker is not None else None)
            try:
                job = Job(self.base, self.run.iri.value, self.run.started, self.stages, dict(self._known))
                n_articles = sum(1 for p, _ in files if p.suffix.lower() not in RDF_EXTENSIONS)
                self._in_total, self._in_read = input_bytes(files), 0
                for result in extract_files(self._article_paths(files), job, self.jobs, n_articles):
                    if result.error:
                        self.report.failed.append((result.path, result.error))
                    self._in_read += result.size        # read, whatever its articles make
                    self._in_articles += len(result.articles)
                    for x in result.articles:
                        self._in_taken += 1
                        self._take(x)
                    if result.last:
                        self.progress(result.path)
                self.flush()
                self.writer.wait()
                self._finish()
                if self._large():
                    try:
                        w.compact()
                    except Exception as e:  # noqa: BLE001 - the data is written; reads are only slower
                        self.report.warnings.append(("(store)", f"not compacted: {type(e).__name__}: {e}"[:300]))
            finally:
                self.writer.close()
                if self.linker is not None:
                    self.linker.close()
        return self.report

    def _large(self) -> bool:
        """Did this load write a fifth or more of the store's articles? Then the store is
        compacted for reading (its cost grows with the store, not with the load)."""
        return self.report.loaded > 0 and self.report.loaded * 5 >= len(self._known)

    def _lost(self, x: Extracted, reason: str) -> None:
        """An article the writer could not write."""
        self.report.loaded -= 1
        self.report.failed.append((x.source, reason))
        self._known.pop(x.graph, None)
        if self.linker is not None:
            self.linker.index.forget_articles([x.article])

    def _article_paths(self, files) -> Iterator[Task]:
        """The article files to extract; RDF files load here, in their turn."""
        for path, explicit in files:
            suffix = path.suffix.lower()
            if not path.exists():
                self.report.failed.append((str(path), "no such file"))
            elif suffix in RDF_EXTENSIONS:
                self.flush()
                self._load_rdf(path)
            elif is_article_file(path):
                yield from tasks(path)
            elif explicit:
                self.report.failed.append((str(path), f"unknown file type {suffix or '(no extension)'!r}"))
            else:
                self.report.skipped.append(str(path))

    # ------------------------------------------------------------ articles

    def _take(self, x: Extracted) -> None:
        for w in x.warnings:
            self.report.warnings.append((x.source, w))
        if x.error:
            self.report.failed.append((x.source, x.error))
            return
        first = self._taken.get(x.graph)
        if first is not None:               # the same article again (same canonical URL, or headline and day)
            if x.partial or not first[1]:
                self.report.duplicates += 1
                self.report.warnings.append((x.source, f"a copy of {first[0]}: not loaded twice"))
                return
            # the fuller copy wins: it takes the summary's place (or replaces it, if written)
            self._retaken.add(x.graph)
            self._batch = [(y, r) for y, r in self._batch if y.graph != x.graph]
        elif x.partial and x.graph in self._known and self._known[x.graph] != x.input_hash:
            self.report.unchanged += 1
            self.report.warnings.append((x.source, "only a summary: the copy already in the store is kept"))
            return
        self._taken[x.graph] = (x.source, x.partial)
        if x.unchanged or self._known.get(x.graph) == x.input_hash:
            self.report.unchanged += 1
            return
        replaced = x.graph in self._known
        self._known[x.graph] = x.input_hash
        self._batch.append((x, replaced))
        if self._batch_full():
            self.flush()

    def _batch_full(self) -> bool:
        """A batch holds batch_size articles; near the end of the load, as many as are still to
        come (at least TAPER_MIN): the last batch is written after the extraction, with nothing
        to overlap it, so the batches shrink towards it."""
        n = len(self._batch)
        if n >= self.batch_size:
            return True
        return n >= TAPER_MIN and self._in_read > 0 and n >= self._to_come()

    def _to_come(self) -> int:
        """About how many articles are still to come: those read and not taken yet (a bulk
        file's piece comes whole), and those in the input still to read, at the rate the input
        read so far held them."""
        unread = max(self._in_total - self._in_read, 0) * self._in_articles // self._in_read
        return self._in_articles - self._in_taken + unread

    def flush(self) -> None:
        """Link the batch, and hand it to the writer (which writes while the next one is made)."""
        batch, self._batch = self._batch, []
        if not batch:
            return
        drops = [x.graph for x, replaced in batch if replaced]
        records: dict = {}
        replaced = [x.article for x, again in batch if again]
        if self.linker is not None and any(x.graph in self._retaken for x, _ in batch):
            self.writer.wait()      # the copy it replaces may not be written yet, nor its links
        if self.linker is not None:
            try:
                if replaced:        # their old link records: in the spool (made earlier in this load), or written
                    drops += self.writer.spooled_records(replaced)
                    drops += [g.value for g in self.linker.stale(replaced)]
                records = self.linker.link([x.summary for x, _ in batch if x.summary], self.run)
            except Exception as e:  # noqa: BLE001 - the articles go in; their links can be remade
                self.report.warnings.append(("(links)", f"cross-source links not made: {type(e).__name__}: {e}"))
        extra = b""
        if not self._run_started:
            extra = nquads([([(q.subject, q.predicate, q.object) for q in self.mapper.run_start(self.run)],
                             self.mapper.runs_graph)])
            self._run_started = True
        self.writer.submit(Batch(batch, drops, records, extra))
        if self._in_read:       # N-Quads to come, at the rate the articles taken so far made them
            self.writer.expect(self.writer.spooled * self._to_come() // self._in_taken)
        self.w.coming()
        self.report.loaded += len(batch)
        if self.w.due():
            self.writer.checkpoint()

    # ------------------------------------------------------------ RDF files

    def _load_rdf(self, path: Path) -> None:
        self.writer.wait()
        fmt = RDF_FORMATS[path.suffix.lower()]
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as e:
            self.report.failed.append((str(path), f"cannot read: {e.strerror}"))
            return
        target = self.graph.value if self.graph else ""
        record = mint(self.base, "graph", "file-" + short_hash(path.name, target))
        if self._known.get(record.value) == digest:
            self.report.unchanged += 1
            return
        try:
            self.w.load_file(path, fmt, self.graph)
        except (SyntaxError, ValueError, OSError) as e:
            self.report.failed.append((str(path), f"not valid {fmt.name}: {e}"))
            return
        n = self.mapper.ng
        self.w.replace_graphs({}, [
            ox.Quad(record, n.inputHash, literal(digest), self.mapper.runs_graph),
            ox.Quad(record, n.sourceFile, literal(path.name), self.mapper.runs_graph),
        ])
        self._known[record.value] = digest
        self.report.rdf_files += 1
        self.progress(str(path))

    # ------------------------------------------------------------ bookkeeping

    def _known_hashes(self) -> dict:
        n = ng(self.base)
        rows = self.w.select(f"SELECT ?g ?h WHERE {{ GRAPH ?x {{ ?g {n.inputHash} ?h }} }}")
        return {r["g"].value: r["h"].value for r in rows}

    def _setup_graphs(self) -> None:
        """The ontology and the VoID description, written when they changed."""
        onto = ox.NamedNode(ontology_iri(self.base))
        text = (ONTOLOGY_DIR / "newsgraph.ttl").read_bytes()
        digest = hashlib.sha256(text).hexdigest()
        graphs = {}
        if self._known.get(onto.value) != digest:
            quads = [ox.Quad(q.subject, q.predicate, q.object, onto)
                     for q in ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=self.base)]
            quads.append(ox.Quad(onto, ng(self.base).inputHash, literal(digest), onto))
            graphs[onto] = quads
        void = self.mapper.void()
        void_hash = hashlib.sha256("".join(map(str, void)).encode()).hexdigest()
        if self._known.get(self.mapper.void_graph.value) != void_hash:
            void.append(ox.Quad(self.mapper.void_graph, ng(self.base).inputHash,
                                literal(void_hash), self.mapper.void_graph))
            graphs[self.mapper.void_graph] = void
        if graphs:
            self.w.replace_graphs(graphs)
            self._known[onto.value] = digest
            self._known[self.mapper.void_graph.value] = void_hash

    def _finish(self) -> None:
        if self._run_started:
            self.w.replace_graphs({}, self.mapper.run_end(self.run, self.report.loaded))
            self.report.run = self.run.iri.value


def input_bytes(files) -> int:
    """The size of the article files among (path, explicit) pairs."""
    total = 0
    for path, _ in files:
        if is_article_file(path):
            try:
                total += path.stat().st_size
            except OSError:
                pass
    return total


def _why() -> str:
    import sys

    e = sys.exc_info()[1]
    return f"{type(e).__name__}: {e}"[:300]


def load_paths(store: Store, paths, **options) -> Report:
    """Load article and RDF files and folders; see :class:`Loader`."""
    return Loader(store, **options).load(paths)
