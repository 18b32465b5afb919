"""The store alone, loaded the way `newsgraph load` loads it, for bench/run.py --scaling.

bench/run.py first splits the N-Quads dump of a load into parts, as many as the loader's
batches, each graph whole in one part (split(), not measured). The parts are drawn across the
dump, as the loader's batches of articles are: a dump is in index order, and consecutive graphs
would give each bulk load a key range of its own, which RocksDB merges far more cheaply. This
then bulk-loads the parts one after the other into a new pyoxigraph store and compacts it, as a
load ends. No extraction, mapping or linking: what is left is what RocksDB costs for these
quads in these batches, the reference for the shape of newsgraph's load curve.

    python bench/batched.py STORE PART...
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import pyoxigraph as ox


def split(dump: str, parts: int, folder: Path) -> list[Path]:
    """The dump's lines in `parts` files, a graph's lines all in one (by a hash of its IRI)."""
    paths = [folder / f"part-{i}.nq" for i in range(parts)]
    outs = [open(p, "wb") for p in paths]
    try:
        with open(dump, "rb") as f:
            for line in f:
                graph = line.rstrip().rsplit(b" ", 2)[-2]       # "<g> ." ends a quad
                outs[zlib.crc32(graph) % parts].write(line)
    finally:
        for out in outs:
            out.close()
    return paths


def load(parts: list[str], location: str) -> int:
    """Bulk-loads the parts one after the other, then compacts; the number of bulk loads."""
    store = ox.Store(location)
    loaded = 0
    for part in parts:
        data = Path(part).read_bytes()
        if data:
            store.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
            loaded += 1
        del data
    store.optimize()
    return loaded


if __name__ == "__main__":
    print(load(sys.argv[2:], sys.argv[1]))
