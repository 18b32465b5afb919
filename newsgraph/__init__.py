"""newsgraph: a knowledge graph of the news, served as Linked Data."""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("newsgraph")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

#: The repository root: ontology/ and seeds/ live here.
PROJECT_DIR = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_DIR / "ontology"
SEEDS_DIR = PROJECT_DIR / "seeds"
