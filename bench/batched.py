"""The store alone, loaded the way `newsgraph load` loads it, for bench/run.py --scaling.

Reads an N-Quads dump and bulk-loads it into a new pyoxigraph store in batches of LINES lines
(bench/run.py gives the quads of 200 articles, the loader's batch), then compacts it, as a load
ends. No extraction, mapping or linking: what is left is what RocksDB costs for these quads in
these batches, the reference for the shape of newsgraph's load curve.

    python bench/batched.py DUMP STORE LINES
"""

from __future__ import annotations

import sys
from itertools import islice

import pyoxigraph as ox


def load(dump: str, location: str, lines: int) -> int:
    store = ox.Store(location)
    batches = 0
    with open(dump, "rb") as f:
        while chunk := b"".join(islice(f, lines)):
            store.bulk_load(chunk, format=ox.RdfFormat.N_QUADS, lenient=True)
            batches += 1
    store.optimize()
    return batches


if __name__ == "__main__":
    dump, location, lines = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(load(dump, location, lines))
