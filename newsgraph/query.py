"""Running a query for the command line: the answer in a named format, or as a text table."""

from __future__ import annotations

import pyoxigraph as ox

from . import formats
from .store import Store
from .terms import prefixes as base_prefixes


class QueryError(Exception):
    pass


def shorten(term, prefixes: dict[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        best = max((ns for ns in prefixes.values() if term.value.startswith(ns)), key=len, default=None)
        if best is not None:
            local = term.value[len(best):]
            if local and all(c.isalnum() or c in "-_./" for c in local):
                name = next(k for k, v in prefixes.items() if v == best)
                return f"{name}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    if term is None:
        return ""
    return str(term)


def table(result, prefixes: dict[str, str], width: int = 100) -> str:
    names = [v.value for v in result.variables]
    rows = [[shorten(sol[n], prefixes) for n in names] for sol in result]
    cells = [[(c if len(c) <= width else c[: width - 1] + "…").replace("\n", " ") for c in r]
             for r in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    line = lambda vals: " | ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(names), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def run_query(store: Store, text: str, fmt: str | None, base: str, out=None) -> bytes | None:
    """Evaluate and serialise: 'table' (default) or any result/RDF format name. With `out` (a
    binary file), a named format is written into it as it is made, never held whole (a table,
    whose columns are as wide as their widest cell, is), and None is returned."""
    try:
        result = store.query(text)
    except SyntaxError as e:
        raise QueryError(f"bad query: {e}") from None
    prefixes = base_prefixes(base)
    if isinstance(result, ox.QueryBoolean):
        if fmt in (None, "table"):
            return _written(b"true\n" if bool(result) else b"false\n", out)
        f = formats.by_name(fmt, "results")
        if f is None:
            raise QueryError(f"--format {fmt}: an ASK answer can be table, " + ", ".join(formats.names("results")))
        return result.serialize(out, format=f.native)
    if isinstance(result, ox.QuerySolutions):
        if fmt in (None, "table"):
            return _written(table(result, prefixes).encode("utf-8"), out)
        f = formats.by_name(fmt, "results")
        if f is None:
            raise QueryError(f"--format {fmt}: a SELECT answer can be table, " + ", ".join(formats.names("results")))
        return result.serialize(out, format=f.native)
    f = formats.by_name(fmt or "ttl", "rdf")
    if f is None:
        raise QueryError(f"--format {fmt}: a graph answer can be " + ", ".join(formats.names("rdf")))
    return formats.serialize_graph(result, f, out, prefixes=prefixes)


def _written(data: bytes, out) -> bytes | None:
    if out is None:
        return data
    out.write(data)
    return None
