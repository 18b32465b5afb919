"""How the pages behave on a large store: time and size of the pages whose content grows with
the corpus (a hub's page, a load run's page, the timeline, the service description).

    python bench/pages.py --store DIR      (a store made by `newsgraph load`, e.g. by run.py --keep)

In-process (Flask's test client, no HTTP), response cache off: each page is made afresh, once
to warm the store's caches and then three times (the median is printed). There is no reference
server for HTML pages; compare the numbers between versions of the code on the same store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server import create_app  # noqa: E402


def biggest(store, query: str) -> str | None:
    rows = store.select(query)
    return rows[0]["x"].value if rows else None


def timed(client, path: str, accept: str = "text/html") -> tuple[float, int, int]:
    """(median ms of three, KB, status) after one warm-up."""
    client.get(path, headers={"Accept": accept}).get_data()
    times = []
    for _ in range(3):
        t = time.perf_counter()
        r = client.get(path, headers={"Accept": accept})
        size = len(r.get_data())
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3, size // 1024, r.status_code


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True)
    args = ap.parse_args(argv)
    app = create_app({"store": args.store, "cache_bytes": 0, "max_per_client": 0})
    c = app.extensions["newsgraph"]
    store, base = c.store, c.base
    hub = biggest(store, "SELECT ?x (COUNT(?m) AS ?n) WHERE { ?x <http://groundedannotationframework.org/gaf#denotedBy> ?m "
                         f"FILTER (STRSTARTS(STR(?x), '{base}id/place/') || STRSTARTS(STR(?x), '{base}id/organisation/')) }} "
                         "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1")
    speaker = biggest(store, f"SELECT ?x (COUNT(?s) AS ?n) WHERE {{ ?s <{base}ontology#speaker> ?x }} "
                             "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1")
    run = biggest(store, "SELECT ?x WHERE { ?x a <http://www.w3.org/ns/prov#Activity> } LIMIT 1")
    client = app.test_client()
    t = time.perf_counter()
    client.get("/sparql", headers={"Accept": "text/turtle"}).get_data()
    print(f"service description, first after opening: {(time.perf_counter() - t) * 1e3:.0f} ms")
    while b"void:triples" not in client.get("/sparql", headers={"Accept": "text/turtle"}).get_data():
        if time.perf_counter() - t > 600:
            sys.exit("bench: the dataset's counts were not ready after 10 minutes")
    print(f"its counts (VoID) ready after: {time.perf_counter() - t:.1f} s")
    pages = [("the most mentioned place or organisation", hub), ("the most quoted speaker", speaker),
             ("a load run", run)]
    for label, iri in pages:
        if iri is None:
            continue
        path = "/page/" + iri[len(base + "id/"):]
        ms, kb, status = timed(client, path)
        print(f"{label:42} {ms:8.1f} ms {kb:6d} KB  {status}  {path}")
    for label, path, accept in [("timeline, first page", "/timeline", "text/html"),
                                ("service description (Turtle)", "/sparql", "text/turtle")]:
        ms, kb, status = timed(client, path, accept)
        print(f"{label:42} {ms:8.1f} ms {kb:6d} KB  {status}  {path}")


if __name__ == "__main__":
    main()
