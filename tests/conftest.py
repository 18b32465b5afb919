"""Shared fixtures: stores (fresh per test, seeded per session), expected values, CLI runner."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from newsgraph import PROJECT_DIR, SEEDS_DIR
from newsgraph.store import open_store

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
SHARED = TESTS.parent.parent / "shared"
BIN = Path(sys.executable).parent / "newsgraph"
TOKEN = "live-token"


@pytest.fixture(scope="module")
def driver():
    """A headless Chromium for the page tests (skips, saying why, without one)."""
    from .browser import chrome

    d = chrome()
    yield d
    d.quit()


@pytest.fixture(scope="session")
def expected() -> dict:
    with open(SEEDS_DIR / "expected.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture
def store():
    """A fresh in-memory store."""
    s = open_store(":memory:")
    yield s
    s.close()


@pytest.fixture(scope="session")
def seeded():
    """An in-memory store with seeds/ loaded, shared by the session: do not write to it."""
    from loaders import load_paths

    s = open_store(":memory:")
    report = load_paths(s, [SEEDS_DIR])
    assert report.loaded == 2 and not report.failed, report
    return s


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A writable copy of the seed articles."""
    target = tmp_path / "seeds"
    target.mkdir()
    for p in SEEDS_DIR.glob("*.txt"):
        shutil.copy(p, target / p.name)
    return target


@pytest.fixture
def hold_spool(monkeypatch):
    """Call it to make the writer hold every spooled batch until the load ends: no group is
    ever full, and the end is never in sight."""
    from loaders import writer

    def hold():
        monkeypatch.setattr(writer, "group_bytes", lambda loaded: 2**40)
        monkeypatch.setattr(writer.Writer, "expect", lambda self, left: None)
    return hold


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


def seed_text(name_prefix: str) -> str:
    path = next(SEEDS_DIR.glob(name_prefix + "*.txt"))
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- a live `newsgraph serve`

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60, proc: subprocess.Popen | None = None) -> None:
    """Until the SPARQL endpoint at url answers; with the server's process, no longer than it lives."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server at {url} stopped (exit status {proc.returncode})")
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    store = tmp_path_factory.mktemp("live") / "store"
    port = free_port()
    env = {**os.environ, "NEWSGRAPH_STORE": str(store)}
    log = open(store.parent / "serve.log", "w")
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--workers", "2",
                             "--query-timeout", "2", "--update-token", TOKEN],
                            cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_for(url)
        yield {"url": url, "store": store, "port": port, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


