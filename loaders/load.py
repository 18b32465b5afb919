"""Load files into a store: read -> extract -> map to RDF -> write, one article at a time.

A file that fails is reported and the others load regardless. Articles are written in
batches, each batch one transaction; if a batch fails, its articles are retried one by one so
that only the bad one is lost. An article whose input hash is already in the store is skipped,
so reloading changes nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from newsgraph.config import DEFAULT_BASE
from newsgraph.store import Store
from newsgraph.terms import check_base, mint, ng, ontology_iri, short_hash
from newsgraph import ONTOLOGY_DIR, __version__

from .link import Linker
from .pipeline import build_pipeline
from .read import RDF_EXTENSIONS, ReadError, is_article_file, read_file
from .to_rdf import Mapper, Run, literal

RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3,
}


@dataclass
class Report:
    loaded: int = 0
    unchanged: int = 0
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


class Loader:
    def __init__(self, store: Store, base: str | None = None, graph: str | None = None,
                 stages=None, batch_size: int = 50,
                 progress: Callable[[str], None] | None = None, link: bool = True):
        self.store = store
        self.base = check_base(store.resolve_base(base, DEFAULT_BASE))
        self.graph = ox.NamedNode(graph) if graph else None
        self.pipeline = build_pipeline(stages)
        self.mapper = Mapper(self.base)
        self.linker = Linker(store, self.base) if link else None
        self.batch_size = batch_size
        self.progress = progress or (lambda source: None)
        self.report = Report()
        self.run = Run(self.base)
        self._run_started = False
        self._batch: list = []          # (source, Output)
        self._known = self._known_hashes()
        self._pipeline_id = f"newsgraph {__version__}; stages {','.join(self.pipeline.names)}; " \
                            f"data {self.pipeline.data_version}"

    # ------------------------------------------------------------ entry points

    def load(self, paths) -> Report:
        self._setup_graphs()
        for path, explicit in iter_files(paths):
            self.load_file(path, explicit)
        self.flush()
        self._finish()
        return self.report

    def load_file(self, path: Path, explicit: bool = True) -> None:
        suffix = path.suffix.lower()
        if not path.exists():
            self.report.failed.append((str(path), "no such file"))
        elif suffix in RDF_EXTENSIONS:
            self._load_rdf(path)
        elif is_article_file(path):
            self._load_articles(path)
        elif explicit:
            self.report.failed.append((str(path), f"unknown file type {suffix or '(no extension)'!r}"))
        else:
            self.report.skipped.append(str(path))

    # ------------------------------------------------------------ articles

    def _load_articles(self, path: Path) -> None:
        try:
            for article in read_file(path):
                self.add_article(article)
        except ReadError as e:
            self.report.failed.append((str(path), str(e)))
        except Exception as e:  # noqa: BLE001 - one bad file must not stop the load
            self.report.failed.append((str(path), f"{type(e).__name__}: {e}"))
        self.progress(str(path))

    def add_article(self, article) -> None:
        """Extract and map one article, and queue it for writing."""
        source = article.source
        for w in article.warnings:
            self.report.warnings.append((source, w))
        if not article.body:
            self.report.failed.append((source, "no body text"))
            return
        input_hash = hashlib.sha256(
            (self._pipeline_id + "\x1f" + article.content_hash()).encode()).hexdigest()
        try:
            article = self.pipeline(article)
            output = self.mapper.article(article, self.run, input_hash)
        except Exception as e:  # noqa: BLE001
            self.report.failed.append((source, f"extraction failed: {type(e).__name__}: {e}"))
            return
        if self._known.get(output.graph.value) == input_hash:
            self.report.unchanged += 1
            return
        self._known[output.graph.value] = input_hash
        self._batch.append((source, output))
        if len(self._batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        try:
            self._write(batch)
            self.report.loaded += len(batch)
        except Exception:  # noqa: BLE001 - find the article that spoils the batch
            if len(batch) == 1:
                source, output = batch[0]
                self._known.pop(output.graph.value, None)
                self.report.failed.append((source, f"could not be written: {_why()}"))
                return
            for item in batch:
                self._batch = [item]
                self.flush()

    def _write(self, batch) -> None:
        graphs = {out.graph: out.quads for _, out in batch}
        shared = [q for _, out in batch for q in out.shared]
        if not self._run_started:
            shared.extend(self.mapper.run_start(self.run))
        self.store.replace_graphs(graphs, shared)
        self._run_started = True
        if self.linker is not None:
            self._link([out.article for _, out in batch])

    def _link(self, articles: list) -> None:
        """Link the new articles with what the store holds (one transaction)."""
        try:
            iris = [a.value for a in articles]
            stale = self.linker.stale(iris)
            records: dict = {}
            for q in dict.fromkeys(self.linker.link(iris, self.run)):
                records.setdefault(q.graph_name, []).append(q)
            graphs = {g: [] for g in stale}
            graphs.update(records)
            if graphs:
                self.store.replace_graphs(graphs)
        except Exception as e:  # noqa: BLE001 - the articles are in; their links can be remade
            self.report.warnings.append(("(links)", f"cross-source links not made: {type(e).__name__}: {e}"))

    # ------------------------------------------------------------ RDF files

    def _load_rdf(self, path: Path) -> None:
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
            self.store.load_file(path, fmt, self.graph)
        except (SyntaxError, ValueError, OSError) as e:
            self.report.failed.append((str(path), f"not valid {fmt.name}: {e}"))
            return
        n = self.mapper.ng
        self.store.replace_graphs({}, [
            ox.Quad(record, n.inputHash, literal(digest), self.mapper.runs_graph),
            ox.Quad(record, n.sourceFile, literal(path.name), self.mapper.runs_graph),
        ])
        self._known[record.value] = digest
        self.report.rdf_files += 1
        self.progress(str(path))

    # ------------------------------------------------------------ bookkeeping

    def _known_hashes(self) -> dict:
        n = ng(self.base)
        rows = self.store.select(
            "SELECT ?g ?h ?hashed WHERE { GRAPH ?x { ?g ?hashed ?h } }",
            substitutions={ox.Variable("hashed"): n.inputHash})
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
            self.store.replace_graphs(graphs)
            self._known[onto.value] = digest
            self._known[self.mapper.void_graph.value] = void_hash

    def _finish(self) -> None:
        if self._run_started:
            self.store.replace_graphs({}, self.mapper.run_end(self.run, self.report.loaded))
            self.report.run = self.run.iri.value


def _why() -> str:
    import sys

    e = sys.exc_info()[1]
    return f"{type(e).__name__}: {e}"[:300]


def load_paths(store: Store, paths, **options) -> Report:
    """Load article and RDF files and folders; see :class:`Loader`."""
    return Loader(store, **options).load(paths)
