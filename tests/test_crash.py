"""Crashes lose nothing but the work since the last checkpoint, and break nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loaders import load_paths
from newsgraph import PROJECT_DIR
from newsgraph.store import EmbeddedStore, open_store

from .conftest import BIN
from .test_scale import canonical

sys.path.insert(0, str(PROJECT_DIR / "bench"))
from synth import generate  # noqa: E402

INSERT = 'INSERT DATA { GRAPH <http://ex.org/g> { <http://ex.org/a> <http://ex.org/p> "%s" } }'


def values(store) -> list[str]:
    return sorted(r["o"].value for r in store.select("SELECT ?o WHERE { GRAPH <http://ex.org/g> { ?s ?p ?o } }"))


def test_an_unfinished_write_is_rolled_back(tmp_path, caplog):
    with open_store(tmp_path / "s") as store:
        store.update(INSERT % "kept")
        with pytest.raises(RuntimeError):
            with store.session() as w:
                w.update(INSERT % "written, never checkpointed")
                assert values(w) == ["kept", "written, never checkpointed"]   # a session sees its writes
                raise RuntimeError("the process dies here")
        assert (tmp_path / "s" / "DIRTY").exists()
        assert values(store) == ["kept"]              # readers never saw it
    with open_store(tmp_path / "s") as store:
        store.update(INSERT % "next")                 # the next writer rolls back first
        assert values(store) == ["kept", "next"]
    assert not (tmp_path / "s" / "DIRTY").exists()
    assert "rolled back to checkpoint" in caplog.text


def test_a_session_publishes_at_checkpoints(tmp_path):
    with open_store(tmp_path / "s") as store:
        reader = EmbeddedStore(tmp_path / "s", create=False)
        with store.session() as w:
            w.update(INSERT % "one")
            assert values(reader) == []
            w.checkpoint()
            assert values(reader) == ["one"]
            w.update(INSERT % "two")
        assert values(reader) == ["one", "two"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generate(240, tmp_path_factory.mktemp("crash") / "articles", seed=11)


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory) -> set:
    with open_store(tmp_path_factory.mktemp("clean") / "store") as store:
        report = load_paths(store, [corpus], jobs=1, batch_size=20)   # links depend on the batches
        assert report.loaded == 240 and not report.failed
        return canonical(store)


def test_kill_9_mid_load_then_reload_gives_the_clean_store(corpus, clean, tmp_path):
    store_dir = tmp_path / "store"
    cmd = [str(BIN), "load", "--store", str(store_dir), "--jobs", "1", "--batch-size", "20",
           "--checkpoint-every", "0", "-q", str(corpus)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    version = store_dir / "VERSION"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        # past the first checkpoints, while batches are still being written
        if version.exists() and int(version.read_text() or 0) >= 5:
            break
        assert proc.poll() is None, "the load finished before it could be killed: make the corpus bigger"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    # the store opens and holds whole articles only: each article graph is as in the clean load
    with open_store(store_dir, create=False) as store:
        crashed = canonical(store)
        graphs = {line.rsplit(" ", 1)[1] for line in crashed if "/id/graph/" in line.rsplit(" ", 1)[1]}
        article_graphs = [g for g in graphs if not g.endswith(("/entities>", "/void>"))]
        assert 0 < len(article_graphs) < 240
        for g in article_graphs:
            assert {x for x in crashed if x.endswith(" " + g)} == {x for x in clean if x.endswith(" " + g)}, g

    # loading again completes it, with nothing twice and nothing missing
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    with open_store(store_dir, create=False) as store:
        assert canonical(store) == clean
