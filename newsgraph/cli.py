"""The `newsgraph` command: parse options, call one library function, print."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from . import SEEDS_DIR, __version__
from .config import DEFAULT_BASE, Settings
from .store import StoreError, open_store

ENV_NOTE = "Every option can also be set as NEWSGRAPH_<OPTION> (e.g. NEWSGRAPH_STORE)."

store_option = click.option(
    "--store", metavar="DIR|URL",
    help="Store: a directory (embedded Oxigraph, default ./newsgraph-store), ':memory:', "
         "or the http(s) URL of a SPARQL 1.1 store. [NEWSGRAPH_STORE]")


def _settings(**options) -> Settings:
    try:
        return Settings.from_env(**options)
    except ValueError as e:
        raise click.ClickException(str(e)) from None


class _WriteFailed(Exception):
    def __init__(self, error: OSError):
        self.error = error


class _Stdout:
    """Standard output, whose write errors are told apart from the store's (a network error
    is an OSError too)."""

    def __init__(self, raw):
        self.raw = raw

    def write(self, data) -> int:
        try:
            return self.raw.write(data)
        except OSError as e:
            raise _WriteFailed(e) from None

    def flush(self) -> None:
        try:
            self.raw.flush()
        except OSError as e:
            raise _WriteFailed(e) from None


@contextlib.contextmanager
def _answer_out():
    """Where an answer is written as it is made. A reader that stops early (`| head`) ends the
    command quietly, with status 0; a write that fails (a full disk) is a one-line error."""
    out = _Stdout(sys.stdout.buffer)
    try:
        yield out
        out.flush()
    except _WriteFailed as e:
        # nothing more can reach standard output: the interpreter's last flush must not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if isinstance(e.error, BrokenPipeError):
            sys.exit(0)
        raise click.ClickException(f"cannot write to standard output: {e.error.strerror or e.error}") from None


def _open(settings: Settings, create: bool = True):
    try:
        return open_store(settings.store, create=create)
    except StoreError as e:
        raise click.ClickException(str(e)) from None


@click.group(epilog=ENV_NOTE)
@click.version_option(__version__, prog_name="newsgraph")
def main():
    """newsgraph: a knowledge graph of the news, served as Linked Data."""


@main.command(epilog=ENV_NOTE)
@store_option
@click.option("--base", metavar="IRI", help=f"Base of minted IRIs (default {DEFAULT_BASE}, or the "
              "one the store was loaded with). [NEWSGRAPH_BASE]")
@click.option("--graph", metavar="IRI", help="Named graph for RDF files holding triples. [NEWSGRAPH_GRAPH]")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures.")
@click.option("--jobs", "-j", type=click.IntRange(0), default=0, show_default=True, envvar="NEWSGRAPH_JOBS",
              help="Processes extracting articles (0: as many as suit the cores; 1: none besides this one).")
@click.option("--progress/--no-progress", default=None,
              help="A progress bar with rate and time left (default: when standard error is a terminal).")
@click.option("--batch-size", type=click.IntRange(1), default=200, show_default=True, envvar="NEWSGRAPH_BATCH_SIZE",
              help="Articles linked and written together.")
@click.option("--checkpoint-every", type=click.FloatRange(0), default=60.0, show_default=True, metavar="SECONDS",
              envvar="NEWSGRAPH_CHECKPOINT_EVERY",
              help="How often a long load publishes what it wrote (to readers, and as the point a crash rolls back to).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def load(store, base, graph, quiet, jobs, progress, batch_size, checkpoint_every, paths):
    """Load article files and folders (recursively) and RDF files.

    Prints a line per file that failed; the good files load regardless. Exit status 1 if any
    file failed. Reloading unchanged files changes nothing.
    """
    from loaders import load_paths

    settings = _settings(store=store, base=base, graph=graph)
    if progress is None:
        progress = sys.stderr.isatty() and not quiet
    with _open(settings) as st, _progress_bar(progress, paths) as tick:
        try:
            report = load_paths(st, paths, base=settings.base, graph=settings.graph, jobs=jobs, progress=tick,
                                batch_size=batch_size, checkpoint_every=checkpoint_every)
        except (StoreError, ValueError) as e:
            raise click.ClickException(str(e)) from None
    for source, message in report.warnings:
        if not quiet:
            click.echo(f"warning: {source}: {message}", err=True)
    for source, reason in report.failed:
        click.echo(f"failed: {source}: {reason}", err=True)
    if not quiet:
        dups = f"{report.duplicates} duplicate(s), " if report.duplicates else ""
        click.echo(f"{report.loaded} article(s) loaded, {report.unchanged} unchanged, {dups}"
                   f"{report.rdf_files} RDF file(s), {len(report.failed)} failed, "
                   f"{len(report.skipped)} skipped" + (f"; run {report.run}" if report.run else ""))
    sys.exit(1 if report.failed else 0)


def _progress_bar(show: bool, paths):
    """A context giving the loader's per-file callback: a bar on standard error, or nothing."""
    import contextlib
    import time

    from loaders.load import iter_files

    if not show:
        return contextlib.nullcontext(None)
    total = sum(1 for _ in iter_files(paths))
    start = time.monotonic()
    state = {"n": 0}

    def rate(_item):
        elapsed = time.monotonic() - start
        return f"{state['n'] / elapsed:.0f} files/s" if elapsed > 0 else ""

    @contextlib.contextmanager
    def bar():
        with click.progressbar(length=total, label="loading", file=sys.stderr, show_eta=True,
                               show_pos=True, item_show_func=rate) as b:
            def tick(_source):
                state["n"] += 1
                b.update(1, _source)
            yield tick

    return bar()


@main.command(epilog=ENV_NOTE)
@store_option
@click.option("--format", "fmt", metavar="F",
              help="table (default), json, csv, tsv, xml; for graphs ttl, nt, nq, trig, jsonld, rdf.")
@click.argument("query")
def query(store, fmt, query):
    """Run a SPARQL query (text, @file, or - for stdin) and print the results."""
    from .query import QueryError, run_query

    if query == "-":
        query = sys.stdin.read()
    elif query.startswith("@"):
        try:
            query = Path(query[1:]).read_text(encoding="utf-8")
        except OSError as e:
            raise click.ClickException(f"{query[1:]}: {e.strerror}") from None
    settings = _settings(store=store)
    with _open(settings, create=False) as st, _answer_out() as out:
        try:
            base = st.resolve_base(None, DEFAULT_BASE)
            run_query(st, query, fmt, base, out)     # written as it is made
        except (QueryError, StoreError) as e:
            raise click.ClickException(str(e)) from None


@main.command(epilog=ENV_NOTE)
@store_option
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads",
              show_default=True)
@click.argument("out", required=False, type=click.Path(dir_okay=False, path_type=Path))
def export(store, fmt, out):
    """Dump every quad of the store (to OUT, or standard output)."""
    import pyoxigraph as ox

    native = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG
    settings = _settings(store=store)
    with _open(settings, create=False) as st:
        if out is None:
            with _answer_out() as stdout:
                st.dump(stdout, native)
        else:
            try:
                st.dump(str(out), native)      # a path: pyoxigraph writes the file itself
            except OSError as e:
                raise click.ClickException(f"{out}: cannot write: {e.strerror or e}") from None


@main.command(epilog=ENV_NOTE)
@store_option
@click.option("--jobs", "-j", type=click.IntRange(0), default=0, show_default=True, envvar="NEWSGRAPH_JOBS",
              help="Processes checking pieces of the store (0: one a core; 1: none besides this one).")
def validate(store, jobs):
    """Validate the store against the SHACL shapes in ontology/ and print the report."""
    from loaders.validate import validate_store

    settings = _settings(store=store)
    with _open(settings, create=False) as st:
        base = st.resolve_base(None, DEFAULT_BASE)
        result = validate_store(st, base, jobs=jobs)
    click.echo(result.text.rstrip())
    click.echo(f"{result.triples} triples checked, {result.violations} violation(s): "
               + ("conforms" if result.conforms else "does NOT conform"))
    sys.exit(0 if result.conforms else 1)


@main.command(epilog=ENV_NOTE)
@store_option
@click.option("--host", help="Interface to listen on (default 127.0.0.1). [NEWSGRAPH_HOST]")
@click.option("--port", type=int, help="Port (default 8000). [NEWSGRAPH_PORT]")
@click.option("--workers", type=int, help="Worker processes (default 2). [NEWSGRAPH_WORKERS]")
@click.option("--query-timeout", type=float, help="Seconds a query may run (default 30). "
              "[NEWSGRAPH_QUERY_TIMEOUT]")
@click.option("--update-token", help="Enables /update for requests bearing this token. "
              "[NEWSGRAPH_UPDATE_TOKEN]")
@click.option("--base", metavar="IRI", help="Base IRI, when the store is empty. [NEWSGRAPH_BASE]")
@click.option("--access-log/--no-access-log", default=None,
              help="A line per request on standard output (default on). [NEWSGRAPH_ACCESS_LOG=0|1]")
def serve(store, host, port, workers, query_timeout, update_token, base, access_log):
    """Serve the SPARQL endpoint and the Linked Data pages (loads seeds/ into an empty store)."""
    from .serve import ServeError
    from .serve import serve as run_server

    settings = _settings(store=store, host=host, port=port, workers=workers,
                         query_timeout=query_timeout, update_token=update_token, base=base,
                         access_log=None if access_log is None else int(access_log))
    try:
        run_server(settings, seeds=SEEDS_DIR, echo=lambda m: click.echo(m, err=True))
    except (StoreError, ServeError) as e:
        raise click.ClickException(str(e)) from None


if __name__ == "__main__":  # pragma: no cover
    main()
