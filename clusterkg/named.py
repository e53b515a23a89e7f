"""Named queries as the server offers them: the catalogue as JSON, a query ready to run."""

from __future__ import annotations

from collections.abc import Mapping

from . import queries
from .store import Term


def catalogue_json() -> list[dict]:
    """Every named query with its titles, descriptions and parameters (for the web page)."""
    return [
        {
            "name": query.name,
            "title": query.title,
            "description": query.description,
            "params": [
                {
                    "name": param.name,
                    "type": param.type,
                    "default": param.default,
                    "required": param.required,
                    "description": param.description,
                }
                for param in query.params
            ],
        }
        for query in queries.catalogue()
    ]


def prepare(name: str, params: Mapping[str, str]) -> tuple[str, dict[str, Term]]:
    """The text of named query ``name`` and its typed bindings.

    Raises NotFoundError (unknown query or parameter) or InputError (a value
    that does not fit its type, a required parameter missing).
    """
    query = queries.get(name)
    return query.text, queries.named_bindings(query, params)
