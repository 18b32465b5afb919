"""The one module that reaches the triple store.

``open_store(location)`` gives a :class:`Store`:

* a directory: an embedded, persistent Oxigraph store (the default);
* ``":memory:"``: an in-memory Oxigraph store (tests);
* an ``http(s)://`` URL: a remote SPARQL 1.1 store (see ``newsgraph.remote``).

On disk, RocksDB lets one process write. So the directory holds the read-write database and
read-only checkpoints of it::

    DIR/db/              the read-write database (only a writer opens it, under DIR/write.lock)
    DIR/snapshots/N/     checkpoint N: hard links to the database's immutable files
    DIR/VERSION          N, replaced atomically after each committed write
    DIR/DIRTY            present while a write is under way; found by the next writer, it means
                         the last write never finished, and db/ is rolled back to checkpoint N

Readers (the server's workers, ``query``, ``export``) open the newest checkpoint read-only and
move to a newer one when VERSION changes, so a load or an update becomes visible to a running
server without a restart, and no reader ever opens files a writer is changing (which pyoxigraph
documents as undefined behaviour).

A long load writes through a :meth:`Store.session`: one open database, bulk writes, and a
checkpoint every so often and at the end. A crash (even kill -9) in between loses only the work
since the last checkpoint, and the store comes back exactly as it was then.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import pyoxigraph as ox

from .sparql_text import apply_using, declares_dataset

MEMORY = ":memory:"
log = logging.getLogger(__name__)

#: superseded checkpoints are kept this long, for queries still running on them (six default
#: query timeouts); each one pins files the live database has compacted away, so a long load
#: with a checkpoint a minute holds about SNAPSHOT_GRACE_S / 60 + 2 of them on disk
SNAPSHOT_GRACE_S = float(os.environ.get("NEWSGRAPH_SNAPSHOT_GRACE", "180"))
#: a long-lived reader (a server worker) removes them too, at most this often: after a load
#: nothing else would, and a load's last checkpoints pin the files its final compaction dropped
#: (at 10,000 articles, 5.8 GB beside a 2.6 GB database)
TIDY_EVERY_S = 60.0


class TripleResult(list):
    """A CONSTRUCT or DESCRIBE answer from a remote store (newsgraph.remote): its triples."""


def is_graph(result) -> bool:
    """Is a query's answer a graph (CONSTRUCT, DESCRIBE), from any backend?"""
    return isinstance(result, (ox.QueryTriples, TripleResult))


class StoreError(Exception):
    """The store cannot be opened or written; the message says which and why."""


class StoreBusy(StoreError):
    """Another process is writing; try again later."""


class Store:
    """What the loaders, the server and the command line need from a triple store."""

    location: str
    #: whether a query with no ORDER BY answers in the same order every time for one version of
    #: the data (Oxigraph's does: index order); a remote store is not assumed to
    stable_order: bool = False
    #: queries are evaluated in this process (no network wait): a query of bounded cost may be
    #: answered without a time limit (server.front)
    in_process: bool = False

    def query(self, query: str, *, substitutions=None, default_graph=None, named_graphs=None,
              base_iri=None):
        """Evaluate SPARQL; the default graph is the union of all graphs unless given."""
        raise NotImplementedError

    def snapshot(self) -> ox.Store | None:
        """The pyoxigraph store of the current version, to read index patterns from directly
        (several reads from it see one version); None for a store in another process."""
        return None

    def update(self, update: str, *, base_iri=None, using=(), using_named=()) -> None:
        """Run SPARQL Update; `using` and `using_named` are the protocol's using-graph-uri and
        using-named-graph-uri (a DatasetConflict if the update names its own dataset too)."""
        raise NotImplementedError

    def replace_graphs(self, graphs: Mapping[ox.NamedNode, list], shared: Iterable = ()) -> None:
        """In one transaction: each named graph becomes exactly the given quads; the shared quads
        (entity descriptions, run records) are added to their graphs."""
        raise NotImplementedError

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode | None) -> None:
        raise NotImplementedError

    def dump(self, output, fmt: ox.RdfFormat) -> None:
        raise NotImplementedError

    def version(self) -> str:
        """Changes whenever the data may have changed (used for ETags and caches)."""
        raise NotImplementedError

    def pin(self) -> None:
        """Until unpin(), this thread's reads see one version of the data (a request's reads:
        its ETag and its body from the same version). A no-op where versions are not kept."""

    def unpin(self) -> None:
        pass

    def last_modified(self) -> float:
        raise NotImplementedError

    def close(self) -> None:
        pass

    @contextlib.contextmanager
    def session(self, checkpoint_every: float = 60.0) -> Iterator["Store"]:
        """A store to do many writes through (a load): its queries see its own writes; other
        readers see them at each checkpoint. The default: every write stands on its own."""
        yield self

    def checkpoint(self) -> None:
        """Make the writes so far visible and durable (a session commits here)."""

    def compact(self) -> None:
        """Reorganise the storage for reading, after a large write (a store that sees to this
        itself does nothing)."""

    def due(self) -> bool:
        """Is it time for a checkpoint?"""
        return False

    def coming(self) -> None:
        """Writes are on their way (spooled by the loader): the time to a checkpoint runs."""

    def side_file(self, name: str) -> str:
        """Where a derived file (an index the loader keeps) lives: beside the data, or in memory."""
        return MEMORY

    def add_graphs(self, data: bytes) -> None:
        """Add N-Quads (graphs not in the store yet, and shared quads), as fast as the store can.
        Only for N-Quads written by loaders.to_rdf.nquads: a store may trust them to be valid."""
        self.replace_graphs({}, ox.parse(data, format=ox.RdfFormat.N_QUADS))

    # helpers shared by every backend

    def select(self, query: str, **kwargs) -> list[dict]:
        """A SELECT as a list of {variable name: term}."""
        result = self.query(query, **kwargs)
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in result]

    def ask(self, query: str, **kwargs) -> bool:
        return bool(self.query(query, **kwargs))

    def recorded_base(self) -> str | None:
        """The base IRI the store was loaded with (its VoID void:uriSpace, less 'id/')."""
        rows = self.select("SELECT ?space WHERE { ?d a <http://rdfs.org/ns/void#Dataset> ; "
                           "<http://rdfs.org/ns/void#uriSpace> ?space } LIMIT 1")
        if not rows:
            return None
        space = rows[0]["space"].value
        return space[: -len("id/")] if space.endswith("/id/") else space

    def resolve_base(self, requested: str | None, default: str) -> str:
        """The base to mint IRIs with: the recorded one; a different request is an error."""
        recorded = self.recorded_base()
        if requested and recorded and requested != recorded:
            raise StoreError(f"{self.location}: this store was loaded with base {recorded}; "
                             f"--base {requested} would mint IRIs the rest of the data does not use "
                             "(use the same base, or a new store)")
        return recorded or requested or default

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def has_blank_node(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


def graph_update_text(graphs: Mapping[ox.NamedNode, list], shared: Iterable) -> str:
    """SPARQL Update that replaces the graphs and adds the shared quads, one request.

    Terms are written by pyoxigraph (``str(term)`` is their N-Triples form), never by hand.
    """
    parts = [f"DROP SILENT GRAPH {g}" for g in graphs]
    by_graph: dict = {}
    for g, quads in graphs.items():
        by_graph.setdefault(g, []).extend(quads)
    for q in shared:
        by_graph.setdefault(q.graph_name, []).append(q)
    blocks = []
    blank = False
    for g, quads in by_graph.items():
        blank = blank or any(map(has_blank_node, quads))
        body = " .\n".join(f"{q.subject} {q.predicate} {q.object}" for q in quads)
        if not body:
            continue
        if isinstance(g, ox.DefaultGraph):
            blocks.append(body + " .")
        else:
            blocks.append(f"GRAPH {g} {{\n{body} .\n}}")
    if blocks:
        # with blank nodes, the same as a template: Virtuoso (7.2) refuses them in INSERT DATA
        head, tail = ("INSERT {\n", "\n} WHERE {}") if blank else ("INSERT DATA {\n", "\n}")
        parts.append(head + "\n".join(blocks) + tail)
    return " ;\n".join(parts)


class _Pinned(threading.local):
    state = None        # (reader, version, modified) of the checkpoint this thread reads


class EmbeddedStore(Store):
    """pyoxigraph, in memory or on disk (see the module docstring for the disk layout)."""

    stable_order = True
    in_process = True

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True):
        self._lock = threading.Lock()
        self._pinned = _Pinned()
        self._counter = 0
        self._modified = time.time()
        if path is None or str(path) == MEMORY:
            self.location = MEMORY
            self.dir = None
            self._db = ox.Store()
            self._reader = self._db
            return
        self.dir = Path(path)
        self.location = str(self.dir)
        self._vfile = str(self.dir / "VERSION")
        _check_store_dir(self.dir, create)
        self._reader = None
        self._reader_key = None
        self._tidy_at = time.monotonic() + TIDY_EVERY_S       # a short-lived reader never tidies
        self._tidier: threading.Thread | None = None
        if not (self.dir / "VERSION").exists():
            with self.writing():
                pass  # makes the first checkpoint of an empty or crashed-before-checkpoint store

    # ------------------------------------------------------------ reading

    def _current(self) -> ox.Store:
        if self.dir is None:
            return self._reader
        pinned = self._pinned.state
        if pinned is not None:
            return pinned[0]
        vfile = self._vfile
        try:
            st = os.stat(vfile)
        except FileNotFoundError:
            raise StoreError(f"{self.dir}: VERSION is missing; is this a newsgraph store?") from None
        key = (st.st_ino, st.st_mtime_ns)
        if key != self._reader_key:
            with self._lock:
                if key != self._reader_key:
                    with open(vfile) as f:
                        n = f.read().strip()
                    snap = self.dir / "snapshots" / n
                    try:
                        self._reader = ox.Store.read_only(str(snap))
                    except OSError as e:
                        raise StoreError(f"{snap}: cannot open the store's checkpoint: {e}") from e
                    self._reader_key = key
                    self._version = n
                    self._modified = st.st_mtime
        if time.monotonic() >= self._tidy_at:
            self._tidy_later()
        return self._reader

    def _tidy_later(self) -> None:
        with self._lock:
            if time.monotonic() < self._tidy_at:
                return
            self._tidy_at = time.monotonic() + TIDY_EVERY_S
            self._tidier = threading.Thread(target=self.tidy, daemon=True, name="newsgraph-tidy")
            self._tidier.start()

    def tidy(self) -> None:
        """Remove the checkpoints superseded more than SNAPSHOT_GRACE_S ago (never the newest)."""
        try:
            newest = int((self.dir / "VERSION").read_text().strip())
            self._prune(self.dir / "snapshots", newest)
        except (OSError, ValueError) as e:  # a reader may not be allowed to; the writer will
            log.debug("%s: checkpoints not tidied: %s", self.dir, e)

    def query(self, query, *, substitutions=None, default_graph=None, named_graphs=None,
              base_iri=None):
        return run_query(self._current(), query, substitutions=substitutions,
                         default_graph=default_graph, named_graphs=named_graphs, base_iri=base_iri)

    def snapshot(self) -> ox.Store:
        return self._current()

    def version(self) -> str:
        if self.dir is None:
            return f"m{self._counter}"
        pinned = self._pinned.state
        if pinned is not None:
            return pinned[1]
        self._current()
        return self._version

    def last_modified(self) -> float:
        pinned = self._pinned.state
        if pinned is not None:
            return pinned[2]
        self._current()
        return self._modified

    def pin(self) -> None:
        # (one look at VERSION for the whole request, where each read took one: ~10 µs of a
        # point lookup's ~250 in-process)
        if self.dir is not None and self._pinned.state is None:
            try:
                self._current()
            except StoreError:      # not pinned: the reads give the error where it is handled
                return
            with self._lock:        # the three change together, under this lock
                self._pinned.state = (self._reader, self._version, self._modified)

    def unpin(self) -> None:
        self._pinned.state = None

    def side_file(self, name: str) -> str:
        return MEMORY if self.dir is None else str(self.dir / name)

    def named_graphs(self) -> list:
        return list(self._current().named_graphs())

    def __len__(self) -> int:
        return len(self._current())

    def dump(self, output, fmt):
        self._current().dump(output, format=fmt)

    # ------------------------------------------------------------ writing

    @contextlib.contextmanager
    def writing(self, wait: float = 30.0) -> Iterator[ox.Store]:
        """The read-write database, held exclusively; a checkpoint is published on success."""
        if self.dir is None:
            with self._lock:
                yield self._db
                self._counter += 1
                self._modified = time.time()
            return
        with self._open_db(wait) as db:
            yield db
            self._commit(db)

    @contextlib.contextmanager
    def _open_db(self, wait: float) -> Iterator[ox.Store]:
        """The read-write database under the write lock, rolled back first if a write broke off."""
        lockfile = open(self.dir / "write.lock", "a+")
        try:
            _acquire(lockfile, wait, self.dir)
            if (self.dir / "DIRTY").exists():
                self._roll_back()
            try:
                db = ox.Store(str(self.dir / "db"))
            except OSError as e:
                raise StoreError(f"{self.dir / 'db'}: cannot open the database for writing: {e}") from e
            _mark(self.dir / "DIRTY")
            try:
                yield db
            finally:
                del db
        finally:
            lockfile.close()  # releases the flock

    def _commit(self, db: ox.Store) -> None:
        db.flush()
        self._publish(db)
        (self.dir / "DIRTY").unlink()

    def _roll_back(self) -> None:
        """Make db/ the newest checkpoint again (the last write never finished)."""
        vfile = self.dir / "VERSION"
        snap = self.dir / "snapshots" / vfile.read_text().strip() if vfile.exists() else None
        restore = self.dir / "db.restore"
        shutil.rmtree(restore, ignore_errors=True)
        if snap is not None and snap.is_dir():
            shutil.copytree(snap, restore, copy_function=_link_or_copy)
        else:
            restore.mkdir()
        old = self.dir / "db.broken"
        shutil.rmtree(old, ignore_errors=True)
        if (self.dir / "db").exists():
            os.replace(self.dir / "db", old)
        os.replace(restore, self.dir / "db")
        shutil.rmtree(old, ignore_errors=True)
        (self.dir / "DIRTY").unlink()
        log.warning("%s: the last write did not finish; rolled back to checkpoint %s",
                    self.dir, snap.name if snap else "(empty)")

    @contextlib.contextmanager
    def session(self, checkpoint_every: float = 60.0) -> Iterator[Store]:
        s = Session(self, checkpoint_every)
        try:
            yield s
            s.checkpoint()
        finally:
            s.release()

    def _publish(self, db: ox.Store) -> None:
        snaps = self.dir / "snapshots"
        snaps.mkdir(exist_ok=True)
        vfile = self.dir / "VERSION"
        current = int(vfile.read_text().strip()) if vfile.exists() else 0
        n = current + 1
        target = snaps / str(n)
        if target.exists():  # left by a crash between checkpoint and VERSION
            shutil.rmtree(target)
        db.backup(str(target))
        tmp = self.dir / "VERSION.tmp"
        tmp.write_text(f"{n}\n")
        os.replace(tmp, vfile)
        self._prune(snaps, n)

    def _prune(self, snaps: Path, newest: int) -> None:
        """Remove checkpoints superseded more than SNAPSHOT_GRACE_S ago (a query still running
        on one started before it was superseded, and none may run that long)."""
        now = time.time()
        numbers = sorted(int(p.name) for p in snaps.iterdir() if p.name.isdigit())
        for older, newer in zip(numbers, numbers[1:]):
            if older >= newest:
                break
            try:
                superseded_at = (snaps / str(newer)).stat().st_mtime
            except FileNotFoundError:
                continue
            if now - superseded_at > SNAPSHOT_GRACE_S:
                shutil.rmtree(snaps / str(older), ignore_errors=True)

    def update(self, update, *, base_iri=None, using=(), using_named=()):
        update = apply_using(update, using, using_named)
        with self.writing() as db:
            db.update(update, base_iri=base_iri) if base_iri else db.update(update)

    def replace_graphs(self, graphs, shared=()):
        shared = list(shared)
        with self.writing() as db:
            write_graphs(db, graphs, shared)

    def load_file(self, path, fmt, graph):
        with self.writing() as db:
            if graph is not None and not fmt.supports_datasets:
                db.load(path=str(path), format=fmt, to_graph=graph)
            else:
                db.load(path=str(path), format=fmt)

    def close(self):
        self._reader = None
        if self.dir is None:
            self._db = None


def run_query(db: ox.Store, query: str, *, substitutions=None, default_graph=None,
              named_graphs=None, base_iri=None):
    kwargs = {}
    if default_graph is not None:
        kwargs["default_graph"] = default_graph
    elif not declares_dataset(query):
        # pyoxigraph lets the union default graph override a query's own FROM: only ask for
        # the union when the query names no dataset itself
        kwargs["use_default_graph_as_union"] = True
    if named_graphs is not None:
        kwargs["named_graphs"] = named_graphs
    if substitutions:
        kwargs["substitutions"] = substitutions
    if base_iri:
        kwargs["base_iri"] = base_iri
    return db.query(query, **kwargs)


def write_graphs(db: ox.Store, graphs, shared) -> None:
    """One transaction: new graphs by a plain extend, replaced graphs by one SPARQL update."""
    existing = [g for g in graphs if db.contains_named_graph(g)]
    if existing:
        db.update(graph_update_text(graphs, shared))
    else:
        quads = [q for qs in graphs.values() for q in qs]
        quads.extend(shared)
        db.extend(quads)


class Session(Store):
    """Writes that go straight to the open read-write database (see :meth:`Store.session`).

    New graphs go in with pyoxigraph's bulk loader; everything since the last checkpoint is
    one unit: a crash rolls it all back, a checkpoint publishes it all.
    """

    stable_order = True

    def __init__(self, owner: EmbeddedStore, every: float):
        self.owner = owner
        self.location = owner.location
        self.every = every
        self._stack: contextlib.ExitStack | None = None
        self._db: ox.Store | None = None
        self._since: float | None = None   # first write since the last checkpoint

    def _writer(self) -> ox.Store:
        if self._db is None:
            if self.owner.dir is None:
                self._db = self.owner._db
            else:
                self._stack = contextlib.ExitStack()
                self._db = self._stack.enter_context(self.owner._open_db(30.0))
        return self._db

    def _wrote(self) -> None:
        self.coming()
        if self.owner.dir is None:
            self.owner._counter += 1

    def query(self, query, **kwargs):
        return run_query(self._writer(), query, **kwargs)

    def update(self, update, *, base_iri=None, using=(), using_named=()):
        update = apply_using(update, using, using_named)
        db = self._writer()
        db.update(update, base_iri=base_iri) if base_iri else db.update(update)
        self._wrote()

    def replace_graphs(self, graphs, shared=()):
        write_graphs(self._writer(), graphs, list(shared))
        self._wrote()

    def add_graphs(self, data: bytes) -> None:
        # the loaders' N-Quads are written from pyoxigraph terms, whose IRIs are checked when
        # made: checking them again (not lenient) took ~8 % of a load's CPU
        self._writer().bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
        self._wrote()

    def load_file(self, path, fmt, graph):
        db = self._writer()
        if graph is not None and not fmt.supports_datasets:
            db.load(path=str(path), format=fmt, to_graph=graph)
        else:
            db.load(path=str(path), format=fmt)
        self._wrote()

    def version(self) -> str:
        return self.owner.version()

    def side_file(self, name: str) -> str:
        return self.owner.side_file(name)

    def last_modified(self) -> float:
        return self.owner.last_modified()

    def compact(self) -> None:
        # RocksDB compaction: a bulk load leaves many overlapping files, which every read has to
        # merge; after compaction, 2,000 articles' joins took 110 µs instead of 210 (3.8 s)
        if self.owner.dir is not None and self._db is not None:
            self._db.optimize()
            self._wrote()

    def coming(self) -> None:
        if self._since is None:
            self._since = time.monotonic()

    def due(self) -> bool:
        """Time for a checkpoint?"""
        return self._since is not None and time.monotonic() - self._since >= self.every

    def checkpoint(self) -> None:
        if self._since is not None and self.owner.dir is not None and self._db is not None:
            self.owner._commit(self._db)
            self.release()
        self._since = None

    def release(self) -> None:
        """Close the database and the lock (without a checkpoint: after a failure, the next
        writer rolls back to the last one)."""
        if self.owner.dir is None:
            self._db = None
            return
        self._db = None
        if self._stack is not None:
            self._stack.close()
            self._stack = None


def _mark(path: Path) -> None:
    """Create a file and make sure it is on disk."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o644)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def _link_or_copy(src, dst) -> None:
    """Checkpoint files: RocksDB never changes a table file once written, so a hard link will do."""
    if str(src).endswith(".sst"):
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def _acquire(lockfile, wait: float, where: Path) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(lockfile.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if time.monotonic() >= deadline:
                raise StoreBusy(f"{where}: another process is writing to this store") from None
            time.sleep(0.05)


def _check_store_dir(path: Path, create: bool) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: not a directory, cannot hold a store")
    if path.is_dir():
        names = {p.name for p in path.iterdir()}
        if names and not names & {"db", "VERSION", "snapshots"}:
            raise StoreError(f"{path}: exists and is not a newsgraph store (no db/, VERSION); "
                             "refusing to write into it")
        if names and "db" not in names:
            raise StoreError(f"{path}: the database folder db/ is missing")
        return
    if not create:
        raise StoreError(f"{path}: no store here (load articles first: newsgraph load --store {path} ...)")
    try:
        path.mkdir(parents=True)
    except OSError as e:
        raise StoreError(f"{path}: cannot create the store directory: {e.strerror}") from e


def open_store(location: str | os.PathLike | None, *, create: bool = True) -> Store:
    """A store for a directory, ``:memory:`` or an http(s) URL of a SPARQL 1.1 store."""
    loc = str(location) if location is not None else MEMORY
    if loc.startswith(("http://", "https://")):
        from .remote import RemoteStore

        return RemoteStore(loc)
    return EmbeddedStore(None if loc == MEMORY else loc, create=create)
