"""A polite client for public SPARQL endpoints such as the Wikidata Query Service.

What a public service asks of its clients (see the Wikidata Query Service's
user-agent and rate-limit policies):

* a descriptive User-Agent with contact information (set ``CLUSTERKG_CONTACT``
  to an e-mail address or URL of yours; it is added to the User-Agent);
* a timeout on every request;
* retries with exponential backoff on HTTP 429 and 5xx and on a dropped
  connection, honouring ``Retry-After`` (a client that ignores it gets banned);
* an on-disk cache of responses, so that a re-run costs no request;
  ``offline=True`` answers from the cache only.

Requests go through the project's one HTTP transport (:mod:`clusterkg.sparql.http`:
POST, URL-encoded, JSON results, a total deadline). The client raises
:class:`~clusterkg.errors.EndpointError` with a one-line message; it never prints.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EndpointError
from ..sparql import http
from ..sparql.results import Term, term_from_json, term_to_json

#: The public Wikidata Query Service.
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


CACHE_ENV = "CLUSTERKG_CACHE"


#: One row of an answer: variable -> RDF term (unbound variables left out).
Binding = dict[str, Term]


def default_cache_dir() -> Path:
    """Where responses are cached: ``$CLUSTERKG_CACHE`` or the user cache directory."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("clusterkg", appauthor=False)) / "sparql"


@dataclass
class ClientStats:
    """What a client did: HTTP requests sent, answers taken from the cache, retries."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0


class ResponseCache:
    """Raw JSON answers on disk, one file per (endpoint, query), written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, endpoint: str, query: str) -> Path:
        key = hashlib.sha256(f"{endpoint}\n{query}".encode()).hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def get(self, endpoint: str, query: str) -> bytes | None:
        try:
            return self.path(endpoint, query).read_bytes()
        except OSError:
            return None

    def put(self, endpoint: str, query: str, body: bytes) -> None:
        path = self.path(endpoint, query)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(body)
            os.replace(tmp, path)
        except OSError as exc:
            raise EndpointError(f"cannot write the response cache {self.directory}: {exc.strerror}") from None


class SparqlClient:
    """SELECT queries against one endpoint, cached, retried and timed out.

    ``refresh=True`` sends every request again (and refreshes the cache);
    ``offline=True`` never sends one. ``sleep`` is injectable for tests.
    """

    def __init__(
        self,
        endpoint: str = WIKIDATA_SPARQL,
        *,
        cache_dir: Path | None = None,
        use_cache: bool = True,
        offline: bool = False,
        refresh: bool = False,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if offline and not use_cache:
            raise EndpointError("--offline needs the response cache")
        self.endpoint = endpoint
        self.cache = ResponseCache(cache_dir or default_cache_dir()) if use_cache else None
        self.offline = offline
        self.refresh = refresh
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.stats = ClientStats()

    def select_by_key(
        self,
        namespace: str,
        keys: Iterable[str],
        build_query: Callable[[list[str]], str],
        key_of: Callable[[Binding], str | None],
        chunk_size: int,
    ) -> dict[str, list[Binding]]:
        """Rows per key (a name, an item), many keys a request, each key cached on its own.

        Keys already in the cache cost no request, whatever request first
        fetched them: a re-run over any subset of what was seen is free.
        ``build_query`` makes one query for a list of keys; ``key_of`` tells
        which key a row of its answer belongs to.
        """
        found: dict[str, list[Binding]] = {}
        missing: list[str] = []
        for key in sorted(set(keys)):
            rows = self._remembered(namespace, key)
            if rows is None:
                missing.append(key)
            else:
                found[key] = rows
        for start in range(0, len(missing), max(1, chunk_size)):
            chunk = missing[start : start + chunk_size]
            grouped: dict[str, list[Binding]] = {key: [] for key in chunk}
            for row in self.select(build_query(chunk), cache=False):
                row_key = key_of(row)
                if row_key in grouped:
                    grouped[row_key].append(row)
            for key, rows in grouped.items():
                self._remember(namespace, key, rows)
            found.update(grouped)
        return found

    def _remembered(self, namespace: str, key: str) -> list[Binding] | None:
        if self.cache is None or self.refresh:
            return None
        body = self.cache.get(self.endpoint, f"{namespace}\n{key}")
        if body is None:
            return None
        self.stats.cache_hits += 1
        return parse_bindings(body, self.endpoint)

    def _remember(self, namespace: str, key: str, rows: list[Binding]) -> None:
        if self.cache is not None:
            rows_json = [{name: term_to_json(term) for name, term in row.items()} for row in rows]
            body = json.dumps({"head": {"vars": []}, "results": {"bindings": rows_json}}, ensure_ascii=False)
            self.cache.put(self.endpoint, f"{namespace}\n{key}", body.encode())

    def select(self, query: str, *, cache: bool = True) -> list[Binding]:
        """The bindings of a SELECT query (SPARQL 1.1 JSON results)."""
        body = None
        if not cache and self.offline:
            raise EndpointError(
                f"offline, and an answer from {self.endpoint} is not in the cache: run once without --offline"
            )
        if self.cache is not None and cache and not self.refresh:
            body = self.cache.get(self.endpoint, query)
            if body is not None:
                self.stats.cache_hits += 1
        if body is None:
            if self.offline:
                raise EndpointError(
                    f"offline, and an answer from {self.endpoint} is not in the cache: run once without --offline"
                )
            body = self._fetch(query)
            bindings = parse_bindings(body, self.endpoint)
            if self.cache is not None and cache:
                self.cache.put(self.endpoint, query, body)
            return bindings
        return parse_bindings(body, self.endpoint)

    def _fetch(self, query: str) -> bytes:
        """Send one query, retrying on 429, 5xx and a dropped connection; the raw JSON body."""
        attempt = 0
        while True:
            self.stats.requests += 1
            try:
                return http.post_form(
                    self.endpoint, [("query", query)], accept="application/sparql-results+json", timeout=self.timeout
                ).body
            except http.HttpError as exc:
                if not exc.retryable:
                    raise
                if attempt >= self.retries:
                    raise EndpointError(f"{self.endpoint} {exc.what} (after {attempt + 1} attempts)") from None
                wait = exc.retry_after if exc.retry_after is not None else self.backoff * (2**attempt)
                if wait > self.max_wait:
                    raise EndpointError(
                        f"{self.endpoint} {exc.what} and asks to wait {wait:.0f} s "
                        f"(more than {self.max_wait:.0f} s): try again later"
                    ) from None
                attempt += 1
                self.stats.retries += 1
                self.sleep(wait)


def parse_bindings(body: bytes, endpoint: str) -> list[Binding]:
    """The rows of a SPARQL JSON answer as RDF terms, or a one-line error if it is not one."""
    try:
        data: Any = json.loads(body)
        bindings = data["results"]["bindings"]
        if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
            raise TypeError("bindings is not a list of objects")
        blank: dict[str, Any] = {}
        return [{name: term_from_json(value, blank) for name, value in row.items()} for row in bindings]
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise EndpointError(f"malformed response from {endpoint}: not SPARQL JSON results") from None
