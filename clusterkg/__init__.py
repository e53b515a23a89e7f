"""clusterkg: a knowledge graph of industrial clusters with semantic query."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clusterkg")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"
