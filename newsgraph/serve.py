"""`newsgraph serve`: the app under Granian, after loading seeds/ into an empty store.

The process model follows from pyoxigraph's measured behaviour: an on-disk store has one
writer, and a read-only open is a frozen snapshot. So each worker process reads the store's
newest checkpoint (moving to a newer one as soon as a load or an update publishes it), writes
(/update) take the store's write lock for their moment, and each worker runs two requests at
a time (one goes on answering while the other waits out a slow query), several processes
wide. Granian (a Rust HTTP server) parses HTTP and keeps connections alive: measured here, a
trivial Flask view answers 11,900 requests/s under it against 4,400 under gunicorn's sync
workers, and that per-request cost is most of a point lookup's.

A query that outlives --query-timeout gets a 503, and its worker stops right after answering
(SIGTERM, a graceful stop) and Granian starts a fresh one: that is what stops the runaway
evaluation, which pyoxigraph cannot cancel, while the other workers go on answering.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import threading
import time
from dataclasses import fields
from pathlib import Path

from .config import Settings
from .store import open_store

#: glibc keeps up to 7 freed blocks of each size per thread for reuse (its "tcache"); a query
#: frees and allocates more than that, and the rest take malloc's slow path. Measured with perf
#: on served point lookups: malloc took 12 % of a worker's CPU with the default, 5.9 % with 100,
#: and the worker's memory did not change (140 MB). glibc reads this when a process starts, so
#: the workers are started afresh (spawned), not forked. A GLIBC_TUNABLES of one's own wins.
MALLOC_TUNABLES = "glibc.malloc.tcache_count=100"

#: Granian gives up ("crash loop") when a worker it has just replaced stops within 5.5 s: a
#: worker younger than this waits until it is this old before it stops
MIN_WORKER_AGE = 6.0

#: requests each worker answers at once (see the module docstring), and Granian's Rust threads
REQUEST_THREADS = 2
RUNTIME_THREADS = 1


class ServeError(Exception):
    """The server cannot start; the message says why."""


def ensure_seeded(settings: Settings, seeds: Path, echo=print) -> None:
    """Load seeds/ when the store holds no article yet, in a process of its own.

    The server's main process must never open RocksDB: its background threads do not survive
    fork(), and a worker that then writes (/update) would wait for them forever.
    """
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        for line in pool.apply(_seed, (settings, seeds)):
            echo(line)


def _seed(settings: Settings, seeds: Path) -> list[str]:
    out = []
    echo = out.append
    with open_store(settings.store, create=True) as store:
        if store.ask("ASK { ?a a <http://schema.org/NewsArticle> }"):
            return out
        from loaders import load_paths

        echo(f"empty store: loading {seeds}")
        report = load_paths(store, [seeds], base=settings.base)
        for source, reason in report.failed:
            echo(f"failed: {source}: {reason}")
        echo(f"{report.loaded} article(s) loaded")
    return out


def leave(born: float) -> None:
    """Stop this worker (started at `born`, monotonic) gracefully after the response it has
    just sent (a runaway query is still running in it); Granian replaces it."""
    wait = max(0.0, born + MIN_WORKER_AGE - time.monotonic())
    threading.Timer(wait, os.kill, (os.getpid(), signal.SIGTERM)).start()


def settings_env(settings: Settings) -> dict:
    """The settings as NEWSGRAPH_* variables, for the worker processes to read back."""
    out = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.name != "extra" and value is not None:
            out["NEWSGRAPH_" + f.name.upper()] = str(value)
    return out


def check_port(host: str, port: int) -> None:
    """Fail clearly if the address is taken (the HTTP server would share it silently)."""
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as e:
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror} (is another server running there?)") from None


def serve(settings: Settings, seeds: Path, echo=print) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    check_port(settings.host, settings.port)
    ensure_seeded(settings, seeds, echo)
    os.environ.update(settings_env(settings))
    os.environ.setdefault("GLIBC_TUNABLES", MALLOC_TUNABLES)
    multiprocessing.set_start_method("spawn", force=True)      # Granian's workers: see MALLOC_TUNABLES
    limits = tempfile.NamedTemporaryFile(prefix="newsgraph-limits-")      # shared by the workers
    os.environ["NEWSGRAPH_LIMITS_FILE"] = limits.name
    busy = tempfile.NamedTemporaryFile(prefix="newsgraph-busy-")          # shared by the workers
    os.environ["NEWSGRAPH_BUSY_FILE"] = busy.name
    echo(f"serving {settings.store} at http://{settings.host}:{settings.port}/sparql "
         f"({settings.workers} workers, query timeout {settings.query_timeout:g} s)")
    Granian(
        "server.wsgi:app_from_env", factory=True, interface=Interfaces.WSGI,
        address=settings.host, port=settings.port, workers=settings.workers,
        blocking_threads=REQUEST_THREADS, runtime_threads=RUNTIME_THREADS,
        http1_settings=HTTP1Settings(keep_alive=True, header_read_timeout=30_000),
        respawn_failed_workers=True, respawn_interval=0.0,
        log_access=bool(settings.access_log), log_level="warning" if not settings.access_log else "info",
        workers_kill_timeout=5,
    ).serve()
