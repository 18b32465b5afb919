"""Articles in, RDF out: read -> extract -> map to RDF -> store."""

from .load import Loader, Report, load_paths

__all__ = ["Loader", "Report", "load_paths"]
