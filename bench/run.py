"""newsgraph beside `oxigraph serve` on the same data, in one run, on loopback.

    python bench/run.py [--articles N] [--duration S] [--rounds R] [--json OUT] [--keep DIR]
    python bench/run.py --scaling 1000,5000,20000 [--json OUT]
    python bench/run.py --remote [--articles N] [--json OUT]

1. generates a synthetic corpus (bench/synth.py) and loads it with `newsgraph load`
   (articles/s, quads/s, peak memory, CPU of the main thread, of RocksDB's threads and of the
   others), exports it, and loads the same quads with `oxigraph load`
   (the reference: what the store's own bulk loader does with the same quads), then
   `oxigraph optimize`s them, as newsgraph compacts its own store at the end of a load;
2. serves it with `newsgraph serve`, `oxigraph serve-read-only --union-default-graph` and the
   floor (bench/floor.py: pyoxigraph alone as a WSGI app, under Granian like newsgraph);
3. drives all three with wrk (one thread, four connections, the same requests in the same order) for
   a point lookup, an entity document (and the same thing's DESCRIBE), a join, an aggregate, a
   CONSTRUCT, a 10,000-row result and a repeated query, in turns (three rounds by default), and
   prints the medians of requests/s, p50 and p99 latency, the median of the rounds' ratios to
   Oxigraph, then newsgraph's CPU per request above the floor's.

With --remote it measures newsgraph over a remote store instead: the corpus loaded into
`oxigraph serve` through the SPARQL 1.1 Protocol (beside the embedded load of it), then
`newsgraph serve` over that server, driven beside the same server asked directly.

With --scaling it only loads corpora of the given sizes, one after the other, and prints the
cost per article and the peak memory of each (the curve that shows whether loading is linear),
each beside two references for the same quads: the bare store loaded in the loader's batches
(bench/batched.py) and `oxigraph load` in one bulk load.
Needs `wrk` (apt-get install wrk) and the `oxigraph` command (pip install oxigraph, in the
test extra). Everything runs on 127.0.0.1 and ends by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from synth import generate  # noqa: E402

BIN = Path(sys.executable).parent
NG = "http://localhost:8000/ontology#"
JSON_ACCEPT = "application/sparql-results+json"


def tool(name: str) -> str:
    for candidate in (BIN / name, shutil.which(name)):
        if candidate and Path(candidate).exists():
            return str(candidate)
    sys.exit(f"bench: `{name}` is needed (" + ("apt-get install wrk" if name == "wrk" else "pip install oxigraph") + ")")


def run_measured(cmd: list[str], **kw) -> dict:
    """Run a command; its wall time, CPU time and peak resident memory (its own and its children's)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{err.decode()[-2000:]}")
    return {"wall_s": wall, "stdout": out.decode(), "stderr": err.decode()}


def peak_rss_mb(cmd: list[str]) -> tuple[dict, float]:
    """Run a command and sample the resident memory of it and its children (the peak, in MB),
    and the CPU its threads use (seconds: all, its main thread, RocksDB's, the others)."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    threads: dict = {}
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        _thread_cpu(proc.pid, threads)
        time.sleep(0.05)
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{err.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {"all": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
           "main": 0.0, "rocksdb": 0.0, "other": 0.0}
    for tid, (name, seconds) in threads.items():
        cpu["main" if tid == proc.pid else "rocksdb" if name.startswith("rocksdb") else "other"] += seconds
    return {"wall_s": time.perf_counter() - start, "stdout": out.decode(),
            "cpu_s": {k: round(v, 1) for k, v in cpu.items()}}, peak / 1024


def _thread_cpu(pid: int, seen: dict) -> None:
    """The latest CPU seconds of each thread of a process, by thread id (from /proc); a thread
    that ends between two samples loses at most its last 50 ms."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for tid in tids:
        stat = _proc_stat(Path(f"/proc/{pid}/task/{tid}/stat"))
        if stat is not None:
            seen[int(tid)] = (stat.name, stat.cpu_s)


class ProcStat(NamedTuple):
    name: str           # the command (a thread's own name for a thread)
    parent: int
    cpu_s: float        # user + system


def _proc_stat(path: Path) -> ProcStat | None:
    """A /proc/<pid>/stat (or a thread's) file; None if the process or thread has ended."""
    try:
        text = path.read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return ProcStat(text[text.index("(") + 1: text.rindex(")")], int(fields[1]),
                    (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))


def _tree(pid: int) -> dict[int, ProcStat]:
    """The stat of a process and of each of its descendants, by pid (Linux /proc; {} if it has
    ended, or elsewhere)."""
    stats: dict = {}
    children: dict = {}
    for d in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if d.name.isdigit():
            stat = _proc_stat(d / "stat")
            if stat is not None:
                stats[int(d.name)] = stat
                children.setdefault(stat.parent, []).append(int(d.name))
    tree: dict = {}
    todo = [pid] if pid in stats else []
    while todo:
        p = todo.pop()
        tree[p] = stats[p]
        todo += children.get(p, [])
    return tree


def _tree_rss(pid: int) -> int:
    """KB resident in a process and its descendants (from /proc)."""
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench: the server for {url} stopped (exit status {proc.returncode}; see servers.log)")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"bench: {url} did not answer")


def sparql_get(endpoint: str, query: str, accept: str = JSON_ACCEPT) -> dict:
    req = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": query}),
                                 headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


# ---------------------------------------------------------------- the workload

PREFIXES = f"PREFIX ng: <{NG}> PREFIX schema: <http://schema.org/> PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> "


def workload(endpoint: str, rng: random.Random) -> dict:
    """{name: (our paths, oxigraph paths)}: the same requests for both, varied where it matters."""
    def sample(query: str, var: str, n: int) -> list[str]:
        rows = sparql_get(endpoint, query)["results"]["bindings"]
        values = [r[var]["value"] for r in rows]
        rng.shuffle(values)
        return values[:n]

    # many different requests, so that a response cache helps only where a query is repeated
    # (the last row); the same list, in the same order, for both servers
    things = sample("SELECT DISTINCT ?x WHERE { ?x ?p ?o FILTER (isIRI(?x)) } LIMIT 200000", "x", 200000)
    people = sample("SELECT DISTINCT ?x WHERE { ?x a <http://schema.org/Person> } LIMIT 60000", "x", 60000)
    speakers = sample(PREFIXES + "SELECT DISTINCT ?x WHERE { ?s ng:speaker ?x . ?x a schema:Person } LIMIT 60000",
                      "x", 60000)
    articles = sample("SELECT ?x WHERE { ?x a <http://schema.org/NewsArticle> } LIMIT 60000", "x", 60000)
    q = {
        "point lookup": [f"SELECT ?p ?o WHERE {{ <{x}> ?p ?o }}" for x in things],
        # (with LIMITs larger than any speaker's count, so that the requests differ, not the work)
        "join (statements by a speaker)": [PREFIXES + f"SELECT ?s ?text WHERE {{ ?s ng:speaker <{x}> ; schema:text ?text }} "
                                           f"LIMIT {1000 + i}" for i, x in enumerate(speakers * 30)],
        "aggregate (statements per speaker)": [PREFIXES + "SELECT ?speaker (COUNT(?s) AS ?n) WHERE { ?s ng:speaker ?speaker } "
                                               f"GROUP BY ?speaker ORDER BY DESC(?n) LIMIT {k}" for k in range(1, 5001)],
        "CONSTRUCT (an article's events)": [PREFIXES + f"CONSTRUCT {{ ?e ?p ?o }} WHERE {{ ?e ng:reportedIn <{a}> ; a sem:Event ; ?p ?o }} "
                                            f"LIMIT {5000 + i}" for i, a in enumerate(articles * 30)],
        "10,000-row result": [f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 10000 OFFSET {k * 10000}" for k in range(50)],
        "repeated query": [PREFIXES + f"SELECT ?s ?text WHERE {{ ?s ng:speaker <{speakers[0]}> ; schema:text ?text }}"],
    }
    out = {}
    for name, queries in q.items():
        accept = "application/n-triples" if name.startswith("CONSTRUCT") else JSON_ACCEPT
        enc = [urllib.parse.urlencode({"query": x}) for x in queries]
        out[name] = ([f"/sparql?{e}" for e in enc], [f"/query?{e}" for e in enc], accept)
    # the entity document: our Linked Data document for a person, Oxigraph's DESCRIBE of it
    minted = [x for x in things if x.startswith("http://localhost:8000/id/") and "#" not in x]
    ours = [x.replace("http://localhost:8000/id/", "/data/", 1) + ".ttl" for x in minted]
    theirs = ["/query?" + urllib.parse.urlencode({"query": f"DESCRIBE <{x}>"}) for x in minted]
    out["entity document (Turtle)"] = (ours, theirs, "text/turtle")
    # the like-for-like: the same DESCRIBE through our endpoint (the same answer as Oxigraph's)
    enc = [urllib.parse.urlencode({"query": f"DESCRIBE <{x}>"}) for x in minted]
    out["DESCRIBE (Turtle)"] = ([f"/sparql?{e}" for e in enc], theirs, "text/turtle")
    del people
    order = ["point lookup", "entity document (Turtle)", "DESCRIBE (Turtle)", "join (statements by a speaker)",
             "aggregate (statements per speaker)", "CONSTRUCT (an article's events)", "10,000-row result",
             "repeated query"]
    return {k: out[k] for k in order}


LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
local errors = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Accept"] = "%s"})
end
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("NONOK %%d\\n", summary.errors.status))
end
"""


def tree_cpu_s(pid: int) -> float | None:
    """CPU seconds used so far by a process and its descendants (Linux /proc; None elsewhere)."""
    tree = _tree(pid)
    return sum(s.cpu_s for s in tree.values()) if tree else None


def servers_cpu_s(server: int | tuple | None) -> float | None:
    """CPU seconds of a server's process tree (or of several servers'), None if unknown."""
    pids = () if server is None else server if isinstance(server, tuple) else (server,)
    each = [tree_cpu_s(p) for p in pids]
    return sum(each) if each and None not in each else None


def drive(wrk: str, port: int, paths: list[str], accept: str, duration: float, work: Path,
          server: int | tuple | None = None) -> dict:
    """wrk on these paths, after a second of warm-up on others (a tenth of them, kept apart so
    that the measured requests are not answered from a cache the warm-up filled; a list of one
    request is the repeated query, and warms itself). With the server's pid (or the pids of the
    processes that answer together), also the CPU time spent per request: steadier than req/s
    on a machine whose speed varies from run to run."""
    warm, paths = (paths[-max(1, len(paths) // 10):], paths[:-max(1, len(paths) // 10)]) if len(paths) > 1 \
        else (paths, paths)
    url = f"http://127.0.0.1:{port}"
    script, listed = work / f"wrk-{port}.lua", work / f"wrk-{port}.paths"
    script.write_text(LUA % (listed, accept))
    listed.write_text("\n".join(warm) + "\n")
    subprocess.run([wrk, "-t1", "-c4", "-d1s", "-s", str(script), url], capture_output=True, timeout=60)   # warm-up
    listed.write_text("\n".join(paths) + "\n")
    cpu0 = servers_cpu_s(server)
    r = subprocess.run([wrk, "-t1", "-c4", f"-d{duration:g}s", "--latency", "-s", str(script), url],
                       capture_output=True, text=True, timeout=duration + 60)
    cpu1 = servers_cpu_s(server)
    text = r.stdout
    done = int(re.search(r"(\d+) requests in", text).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = {m.group(1): _ms(m.group(2)) for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+\w+)", text, re.M)}
    non_ok = int((re.search(r"NONOK (\d+)", text) or re.search(r"Non-2xx or 3xx responses: (\d+)", text)
                  or re.match("(0)", "0")).group(1))
    cpu_us = round((cpu1 - cpu0) / done * 1e6) if cpu0 is not None and cpu1 is not None and done else None
    return {"rps": rps, "p50_ms": lat.get("50"), "p99_ms": lat.get("99"), "non_200": non_ok, "cpu_us_per_request": cpu_us}


def share(paths: list[str], r: int, n: int) -> list[str]:
    """Round r's share of n of the requests (all of them when there are too few to share)."""
    return paths[r::n] if len(paths) >= 2 * n else paths


def median_run(runs: list[dict]) -> dict:
    """Each figure of a server's rounds, the median of it (non-200 answers: their sum)."""
    out = {}
    for key in runs[0]:
        values = sorted(r[key] for r in runs if r[key] is not None)
        out[key] = sum(values) if key == "non_200" else (values[len(values) // 2] if values else None)
    return out


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)", value)
    n, unit = float(m.group(1)), m.group(2)
    return {"us": n / 1000, "ms": n, "s": n * 1000, "m": n * 60000}[unit]


# ---------------------------------------------------------------- the run

def load_step(n: int, work: Path, seed: int = 7) -> dict:
    articles = work / f"articles-{n}"
    if not articles.exists():
        generate(n, articles, seed)
    store = work / f"store-{n}"
    shutil.rmtree(store, ignore_errors=True)
    res, peak = peak_rss_mb([str(BIN / "newsgraph"), "load", "--store", str(store), "--no-progress", "-q", str(articles)])
    dump = work / f"dump-{n}.nq"
    exp = run_measured([str(BIN / "newsgraph"), "export", "--store", str(store), str(dump)])
    quads = sum(1 for _ in open(dump, "rb"))
    return {"articles": n, "wall_s": round(res["wall_s"], 2), "articles_per_s": round(n / res["wall_s"], 1),
            "quads": quads, "quads_per_article": round(quads / n), "quads_per_s": round(quads / res["wall_s"]),
            "peak_rss_mb": round(peak), "cpu_s": res["cpu_s"], "export_s": round(exp["wall_s"], 2),
            "store": str(store), "dump": str(dump)}


def oxigraph_load(oxi: str, dump: str, work: Path, optimize: bool = False) -> dict:
    """`oxigraph load` of the dump; with `optimize`, then `oxigraph optimize` (measured apart), as
    Oxigraph itself advises before a read-heavy workload: a store that is served is compacted,
    as `newsgraph load` compacts its own at the end. Uncompacted, `oxigraph serve` answered the
    bench's join with 342-385 µs of CPU against 193-213 (2,000 articles)."""
    loc = work / "oxigraph"
    shutil.rmtree(loc, ignore_errors=True)
    res, peak = peak_rss_mb([oxi, "load", "--location", str(loc), "--file", dump])
    out = {"wall_s": round(res["wall_s"], 2), "peak_rss_mb": round(peak), "cpu_s": res["cpu_s"], "location": str(loc)}
    if optimize:
        opt, opt_peak = peak_rss_mb([oxi, "optimize", "--location", str(loc)])
        out["optimize"] = {"wall_s": round(opt["wall_s"], 2), "peak_rss_mb": round(opt_peak), "cpu_s": opt["cpu_s"]}
    return out


def store_alone(step: dict, work: Path, batch: int = 200) -> dict:
    """The same quads bulk-loaded into a bare pyoxigraph store in as many batches as the loader
    makes, then compacted (bench/batched.py): the store's own share of the load curve."""
    from batched import split

    loc, parts = work / "store-alone", work / "store-alone-parts"
    for d in (loc, parts):
        shutil.rmtree(d, ignore_errors=True)
    parts.mkdir()
    files = split(step["dump"], -(-step["articles"] // batch), parts)
    res, peak = peak_rss_mb([sys.executable, str(Path(__file__).with_name("batched.py")), str(loc)]
                            + [str(f) for f in files])
    for d in (loc, parts):
        shutil.rmtree(d, ignore_errors=True)
    return {"wall_s": round(res["wall_s"], 2), "peak_rss_mb": round(peak), "cpu_s": res["cpu_s"],
            "batches": int(res["stdout"].strip() or 0)}


def serve_and_drive(args, work: Path, ours_store: str, ox_location: str, oxi: str, wrk: str) -> list[dict]:
    p1, p2, p3 = free_port(), free_port(), free_port()
    # wrk's four connections come from one address: allow them all at once (by default a client
    # may have as many requests under way as there are workers, see server/limits.py)
    env = dict(os.environ, NEWSGRAPH_ACCESS_LOG="0", NEWSGRAPH_MAX_PER_CLIENT="4")
    logs = open(work / "servers.log", "ab")          # a pipe nobody reads would fill and stop them
    workers = 2
    ours = subprocess.Popen([str(BIN / "newsgraph"), "serve", "--store", ours_store, "--port", str(p1),
                             "--workers", str(workers)], stdout=logs, stderr=logs, env=env)
    theirs = subprocess.Popen([oxi, "serve-read-only", "--location", ox_location, "--bind", f"127.0.0.1:{p2}",
                               "--union-default-graph"], stdout=logs, stderr=logs)
    floor = start_floor(ours_store, p3, workers, logs)
    try:
        wait_for(f"http://127.0.0.1:{p1}/sparql?query=ASK%7B%7D", ours)
        wait_for(f"http://127.0.0.1:{p2}/query?query=ASK%7B%7D", theirs)
        wait_for(f"http://127.0.0.1:{p3}/sparql?query=ASK%7B%7D", floor)
        return compare(args, work, wrk, f"http://127.0.0.1:{p1}/sparql", (p1, ours.pid), (p2, theirs.pid),
                       (p3, floor.pid))
    finally:
        stop(ours, theirs, floor)
        logs.close()


def stop(*procs) -> None:
    """End these servers (None: one that was never started)."""
    for p in procs:
        if p is not None:
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


def compare(args, work: Path, wrk: str, endpoint: str, ours: tuple, theirs: tuple, floor: tuple | None = None
            ) -> list[dict]:
    """Each query of the workload (sampled through `endpoint`) on the servers in turn, each a
    (port, pid or pids whose CPU counts): medians of the rounds, and their ratios."""
    print(f"querying (wrk -t1 -c4, {args.duration:g} s per query and server in {args.rounds} rounds) ...",
          flush=True)
    rows = []
    n = max(1, args.rounds)
    each = max(1, round(args.duration / n))     # wrk takes whole seconds only
    for name, (mine, other, accept) in workload(endpoint, random.Random(1)).items():
        # the servers in turn, n rounds of about duration / n each, every round on its own share
        # of the requests (no answer cached in one round is asked for in another): a machine
        # whose speed drifts during the run weighs on all of them alike
        rounds = []
        for r in range(n):
            a = drive(wrk, ours[0], share(mine, r, n), accept, each, work, ours[1])
            b = drive(wrk, theirs[0], share(other, r, n), accept, each, work, theirs[1])
            # the floor answers the same queries (the entity document: Oxigraph's DESCRIBE of it)
            f = drive(wrk, floor[0], share(other if name.startswith("entity") else mine, r, n), accept,
                      each, work, floor[1]) if floor else None
            rounds.append((a, b, f))
        a, b = (median_run([x[i] for x in rounds]) for i in range(2))
        f = median_run([x[2] for x in rounds]) if floor else None
        cost = round(b["cpu_us_per_request"] / a["cpu_us_per_request"], 2) \
            if a["cpu_us_per_request"] and b["cpu_us_per_request"] else None
        ratios = [round(x["rps"] / y["rps"], 2) for x, y, _ in rounds]
        rows.append({"query": name, "newsgraph": a, "oxigraph": b, "floor": f,
                     "ratio": sorted(ratios)[len(ratios) // 2], "ratios": ratios, "cpu_ratio": cost})
        print(f"  {name:38} {a['rps']:9.0f} req/s  vs {b['rps']:9.0f}  ({rows[-1]['ratio']:.2f}x, rounds "
              f"{' '.join(f'{x:.2f}' for x in ratios)}; "
              f"CPU per request {a['cpu_us_per_request']} vs {b['cpu_us_per_request']} µs"
              + (f"; floor {f['rps']:.0f} req/s, {f['cpu_us_per_request']} µs)" if f else ")"), flush=True)
    return rows


def over_remote(args, work: Path, oxi: str, wrk: str) -> dict:
    """newsgraph over a remote store (`oxigraph serve`, through the SPARQL 1.1 Protocol): the
    corpus loaded through it (beside the embedded load of the same articles), then served by
    it, beside the same Oxigraph asked directly. newsgraph's CPU per request counts Oxigraph's
    too, which answers newsgraph's queries."""
    n = args.articles
    embedded = load_step(n, work)
    loc = work / "remote-oxigraph"
    shutil.rmtree(loc, ignore_errors=True)
    port, p1 = free_port(), free_port()
    env = dict(os.environ, NEWSGRAPH_ACCESS_LOG="0", NEWSGRAPH_MAX_PER_CLIENT="4")
    logs = open(work / "servers.log", "ab")
    theirs = subprocess.Popen([oxi, "serve", "--location", str(loc), "--bind", f"127.0.0.1:{port}",
                               "--union-default-graph"], stdout=logs, stderr=logs)
    ours = None
    try:
        url = f"http://127.0.0.1:{port}/query"
        wait_for(url + "?query=ASK%7B%7D", theirs)
        before = tree_cpu_s(theirs.pid)
        res, peak = peak_rss_mb([str(BIN / "newsgraph"), "load", "--store", url, "--no-progress", "-q",
                                 str(work / f"articles-{n}")])
        after = tree_cpu_s(theirs.pid)
        load = {"articles": n, "wall_s": round(res["wall_s"], 2), "articles_per_s": round(n / res["wall_s"], 1),
                "peak_rss_mb": round(peak), "cpu_s": res["cpu_s"],
                "store_cpu_s": round(after - before, 1) if before is not None and after is not None else None,
                "embedded": {k: embedded[k] for k in ("wall_s", "articles_per_s", "peak_rss_mb", "cpu_s")}}
        print(f"load over oxigraph serve: {n} articles in {load['wall_s']} s = {load['articles_per_s']} articles/s "
              f"(embedded: {embedded['articles_per_s']}), Oxigraph's CPU {load['store_cpu_s']} s", flush=True)
        ours = subprocess.Popen([str(BIN / "newsgraph"), "serve", "--store", url, "--port", str(p1),
                                 "--workers", "2"], stdout=logs, stderr=logs, env=env)
        wait_for(f"http://127.0.0.1:{p1}/sparql?query=ASK%7B%7D", ours)
        rows = compare(args, work, wrk, f"http://127.0.0.1:{p1}/sparql", (p1, (ours.pid, theirs.pid)),
                       (port, theirs.pid))
    finally:
        stop(ours, theirs)
        logs.close()
    return {"machine": {"cores": os.cpu_count()}, "remote_load": load, "queries": rows}


def start_floor(store: str, port: int, workers: int, logs) -> subprocess.Popen:
    """bench/floor.py (pyoxigraph and nothing else, as a WSGI app) under Granian with the threads
    and malloc setting `newsgraph serve` gives its own workers."""
    from newsgraph.serve import MALLOC_TUNABLES, REQUEST_THREADS, RUNTIME_THREADS

    env = dict(os.environ, NEWSGRAPH_FLOOR_STORE=store, PYTHONPATH=str(ROOT))
    env.setdefault("GLIBC_TUNABLES", MALLOC_TUNABLES)
    return subprocess.Popen([str(BIN / "granian"), "--interface", "wsgi", "--factory", "--working-dir", str(ROOT / "bench"),
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--blocking-threads", str(REQUEST_THREADS), "--runtime-threads", str(RUNTIME_THREADS),
                             "--log-level", "warning", "floor:app_from_env"],
                            stdout=logs, stderr=logs, env=env)


def cpu_text(cpu: dict, articles: int) -> str:
    return (f"CPU {cpu['all']} s = {round(1000 * cpu['all'] / articles, 1)} ms/article: main thread {cpu['main']} s, "
            f"RocksDB's threads {cpu['rocksdb']} s, other threads {cpu['other']} s")


def remote_table(result: dict) -> str:
    ld, emb = result["remote_load"], result["remote_load"]["embedded"]
    lines = [f"load over oxigraph serve: {ld['articles']} articles in {ld['wall_s']} s = {ld['articles_per_s']} "
             f"articles/s, peak {ld['peak_rss_mb']} MB; embedded {emb['wall_s']} s = {emb['articles_per_s']} "
             f"articles/s; over the remote store / embedded = {round(emb['wall_s'] / ld['wall_s'], 2)}x",
             f"  newsgraph's {cpu_text(ld['cpu_s'], ld['articles'])}; Oxigraph's CPU {ld['store_cpu_s']} s", "",
             "newsgraph serve over oxigraph serve, beside the same oxigraph serve asked directly "
             "(newsgraph's CPU includes Oxigraph's):"]
    return "\n".join(lines + query_lines(result["queries"]))


def table(result: dict) -> str:
    lines = []
    ld, ol = result["load"], result["oxigraph_load"]
    lines.append(f"load: {ld['articles']} articles in {ld['wall_s']} s = {ld['articles_per_s']} articles/s, "
                 f"{ld['quads']} quads ({ld['quads_per_article']}/article) = {ld['quads_per_s']} quads/s, "
                 f"peak {ld['peak_rss_mb']} MB")
    lines.append(f"  {cpu_text(ld['cpu_s'], ld['articles'])}")
    lines.append(f"oxigraph load of the same quads: {ol['wall_s']} s = {round(ld['quads'] / ol['wall_s'])} quads/s "
                 f"(= {round(ld['articles'] / ol['wall_s'], 1)} articles/s), peak {ol['peak_rss_mb']} MB; "
                 f"newsgraph load / oxigraph load = {round(ol['wall_s'] / ld['wall_s'], 2)}x")
    lines.append(f"  {cpu_text(ol['cpu_s'], ld['articles'])}")
    opt = ol.get("optimize")
    if opt:
        both = ol["wall_s"] + opt["wall_s"]
        lines.append(f"then oxigraph optimize (the store served): {opt['wall_s']} s, peak {opt['peak_rss_mb']} MB; load and "
                     f"optimize {round(both, 2)} s = {round(ld['articles'] / both, 1)} articles/s; newsgraph load (which "
                     f"compacts at its end) / both = {round(both / ld['wall_s'], 2)}x")
    lines.append("")
    return "\n".join(lines + query_lines(result["queries"]))


def query_lines(queries: list[dict]) -> list[str]:
    lines = []
    lines.append(f"{'query':38} {'newsgraph req/s':>15} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs':>7} | "
                 f"{'oxigraph req/s':>14} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs':>7} | {'ratio':>6} {'CPU ratio':>9}")
    for r in queries:
        a, b = r["newsgraph"], r["oxigraph"]
        cost = f"{r['cpu_ratio']:8.2f}x" if r.get("cpu_ratio") else f"{'-':>9}"
        lines.append(f"{r['query']:38} {a['rps']:15.0f} {a['p50_ms']:8.2f} {a['p99_ms']:8.2f} "
                     f"{a.get('cpu_us_per_request') or '-':>7} | {b['rps']:14.0f} {b['p50_ms']:8.2f} {b['p99_ms']:8.2f} "
                     f"{b.get('cpu_us_per_request') or '-':>7} | {r['ratio']:5.2f}x {cost}"
                     + (f"  ({a['non_200']} non-200!)" if a["non_200"] else ""))
    floors = [r for r in queries if r.get("floor")]
    if floors:
        lines.append("")
        lines.append("the floor (bench/floor.py: pyoxigraph alone as a WSGI app under Granian, the same workers):")
        lines.append(f"{'query':38} {'floor req/s':>11} {'CPU µs':>7} | {'newsgraph / floor':>17} {'CPU above it µs':>15} | "
                     f"{'Oxigraph / floor':>16}")
        for r in floors:
            a, b, f = r["newsgraph"], r["oxigraph"], r["floor"]
            above = a["cpu_us_per_request"] - f["cpu_us_per_request"] \
                if a.get("cpu_us_per_request") and f.get("cpu_us_per_request") else "-"
            lines.append(f"{r['query']:38} {f['rps']:11.0f} {f.get('cpu_us_per_request') or '-':>7} | "
                         f"{a['rps'] / f['rps']:16.2f}x {above:>15} | {b['rps'] / f['rps']:15.2f}x"
                         + (f"  ({f['non_200']} non-200!)" if f["non_200"] else ""))
    return lines


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--duration", type=float, default=6.0,
                    help="seconds of wrk per query and server, in all rounds together (whole seconds a round)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="the servers take turns this many times per query (medians are shown)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    ap.add_argument("--scaling", help="comma-separated corpus sizes: only the load curve")
    ap.add_argument("--remote", action="store_true",
                    help="newsgraph over `oxigraph serve` (the remote store backend) beside that server")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsgraph-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.scaling:
            curve = []
            oxi = tool("oxigraph")
            for n in [int(x) for x in args.scaling.split(",")]:
                step = load_step(n, work)
                step["store_alone"] = store_alone(step, work)
                step["oxigraph_load"] = oxigraph_load(oxi, step["dump"], work)
                curve.append(step)
                print(f"{n:7d} articles: {step['wall_s']:8.1f} s, {step['articles_per_s']:6.1f} articles/s, "
                      f"{1000 * step['wall_s'] / n:6.1f} ms/article, {step['quads_per_s']} quads/s, "
                      f"peak {step['peak_rss_mb']} MB; {cpu_text(step['cpu_s'], n)}", flush=True)
                for name, ref in (("  the store alone, same batches", step["store_alone"]),
                                  ("  oxigraph load, one bulk load", step["oxigraph_load"])):
                    print(f"{name}: {ref['wall_s']:8.1f} s, {round(n / ref['wall_s'], 1):6.1f} articles/s, "
                          f"peak {ref['peak_rss_mb']} MB; {cpu_text(ref['cpu_s'], n)}", flush=True)
                shutil.rmtree(work / "oxigraph", ignore_errors=True)
                if not args.keep:
                    shutil.rmtree(step["store"], ignore_errors=True)
                    Path(step["dump"]).unlink()
            result = {"scaling": curve}
        elif args.remote:
            result = over_remote(args, work, tool("oxigraph"), tool("wrk"))
            print()
            print(remote_table(result))
        else:
            oxi, wrk = tool("oxigraph"), tool("wrk")
            print(f"loading {args.articles} synthetic articles ...", flush=True)
            ld = load_step(args.articles, work)
            ol = oxigraph_load(oxi, ld["dump"], work, optimize=True)
            rows = serve_and_drive(args, work, ld["store"], ol["location"], oxi, wrk)
            result = {"machine": {"cores": os.cpu_count()}, "load": ld, "oxigraph_load": ol, "queries": rows}
            print()
            print(table(result))
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
        return result
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
