"""Shared fixtures: stores (fresh per test, seeded per session), expected values, CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from newsgraph import SEEDS_DIR
from newsgraph.store import open_store

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
SHARED = TESTS.parent.parent / "shared"


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
def runner():
    from click.testing import CliRunner

    return CliRunner()


def seed_text(name_prefix: str) -> str:
    path = next(SEEDS_DIR.glob(name_prefix + "*.txt"))
    return path.read_text(encoding="utf-8")
