"""The one exception hierarchy of clusterkg.

The library raises these; the CLI turns each into a one-line message and the
exit code given here (see README, "Exit codes"):

* 0 -- success (a validation with warnings only is a success);
* 1 -- the input was read but does not conform, or a check failed;
* 2 -- unusable input or a runtime error: a missing file, a parse error,
  an unknown name, an unreachable endpoint, a locked store.
"""

from __future__ import annotations


class ClusterKGError(Exception):
    """Base class: a problem the user can act on, reported in one line."""

    exit_code = 2


class InputError(ClusterKGError):
    """A file or value given by the user cannot be used (missing, unparsable, wrong type)."""


class NotFoundError(ClusterKGError):
    """A named thing (query, cluster, case, parameter) does not exist."""


class QueryError(ClusterKGError):
    """A SPARQL query is malformed or was refused."""


class StoreError(ClusterKGError):
    """The store cannot be opened, is locked by another process, or failed to write."""


class EndpointError(ClusterKGError):
    """A remote SPARQL endpoint is unreachable, timed out or answered with an error."""


class ReasonerError(ClusterKGError):
    """The reasoner cannot run (for example Java is missing)."""


class CheckFailed(ClusterKGError):
    """Input was read but does not conform (validation violations, report errors)."""

    exit_code = 1


def one_line(exc: BaseException | str) -> str:
    """An exception's message (or any text) folded onto one line.

    >>> one_line(ValueError("bad\\n  value"))
    'bad value'
    """
    text = (getattr(exc, "message", None) or str(exc)) if isinstance(exc, BaseException) else exc
    return " ".join(str(text).split())
