"""The user's own data on every store: the embedded one, a live Oxigraph server and a live Virtuoso.

Loading, listing, dropping and updating user graphs, and the query semantics a
triple-store user expects (FROM, base IRI, binding any variable, ``SELECT *``
columns), each with the same answers on the three.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.errors import InputError, QueryError
from clusterkg.namespaces import USER_DEFAULT_GRAPH, kb_graph, user_graph
from clusterkg.stores import Store, open_embedded
from clusterkg.stores.copy import push
from clusterkg.stores.remote import EndpointStore
from clusterkg.stores.userdata import drop_graphs, graph_sizes, load_files, run_update

EX = "http://example.org/"
MATURE = "SELECT (COUNT(DISTINCT ?c) AS ?n) {} WHERE {{ ?c a <https://w3id.org/clusterkg/ontology#MatureIndustrialCluster> }}"


@pytest.fixture(params=["embedded", pytest.param("oxigraph", marks=pytest.mark.server),
                        pytest.param("virtuoso", marks=pytest.mark.server)])
def store(request: pytest.FixtureRequest, store_dir: Path) -> Iterator[Store]:
    """A store holding the knowledge base and nothing of the user's."""
    if request.param == "embedded":
        with open_embedded(store_dir, writable=True) as embedded:
            yield embedded
        return
    server = request.getfixturevalue(request.param)
    remote = EndpointStore(server.query_url, server.update_url)
    with open_embedded(store_dir) as source:
        push(source, remote)
    yield remote
    for graph in remote.graph_names():  # the session's Virtuoso is shared: leave no user graph behind
        if graph.startswith(user_graph("")):
            remote.update(f"DROP SILENT GRAPH <{graph}>")


def _count(store: Store, query: str) -> int:
    return int(next(iter(store.query(query).rows))[0].value)


def test_load_list_update_and_drop(store: Store, tmp_path: Path) -> None:
    data = tmp_path / "firms.ttl"
    data.write_text(f"@prefix ex: <{EX}> .\nex:acme ex:in <https://w3id.org/clusterkg/id/cluster-bucheon> ; ex:staff 120 .\n")
    kb = {g: n for g, n in graph_sizes(store).items() if g.startswith(kb_graph(""))}
    summary = load_files(store, [str(data)])
    assert summary.graphs == {user_graph("firms.ttl"): 2}
    assert graph_sizes(store)[user_graph("firms.ttl")] == 2
    # the update's default graph is the user's; its WHERE reads the knowledge base through USING
    run_update(store, f"INSERT DATA {{ <{EX}note> <{EX}says> 'hello' }}")
    run_update(store, f"INSERT {{ ?c <{EX}hasFirm> ?f }} USING <{kb_graph('cases')}> USING <{user_graph('firms.ttl')}> "
                      f"WHERE {{ ?f <{EX}in> ?c . ?c a <https://w3id.org/clusterkg/ontology#MatureIndustrialCluster> }}")
    sizes = graph_sizes(store)
    assert sizes[USER_DEFAULT_GRAPH] == 2
    with pytest.raises(QueryError, match="refused: the update would change"):
        run_update(store, f"INSERT DATA {{ <{EX}x> <{EX}p> 1 }} ; CLEAR GRAPH <{kb_graph('cases')}>")
    assert graph_sizes(store) == sizes  # nothing applied
    with pytest.raises(InputError, match="refused"):
        drop_graphs(store, [kb_graph("paper")])
    assert drop_graphs(store, ["firms.ttl"]) == [user_graph("firms.ttl")]
    run_update(store, "DROP ALL")
    after = graph_sizes(store)
    assert not [g for g in after if g.startswith(user_graph(""))]
    assert {g: n for g, n in after.items() if g.startswith(kb_graph(""))} == kb  # the shipped graphs never change


def test_query_semantics_are_the_same_everywhere(store: Store, built_store_template: Path) -> None:
    with open_embedded(built_store_template) as embedded:
        expected = _count(embedded, MATURE.format(""))
        cases = _count(embedded, "SELECT (COUNT(*) AS ?n) FROM <{}> {{ ?s ?p ?o }}".format(kb_graph("cases")))
    assert expected == 2
    assert _count(store, MATURE.format("")) == expected
    assert _count(store, MATURE.format(f"FROM <{kb_graph('cases')}>")) == expected
    assert _count(store, MATURE.format(f"FROM <{kb_graph('paper')}>")) == 0
    assert _count(store, "SELECT (COUNT(*) AS ?n) FROM <{}> {{ ?s ?p ?o }}".format(kb_graph("cases"))) == cases
    # any variable, selected or not, is bound as a term
    bound = store.query("SELECT ?label WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?label "
                        "FILTER(lang(?label) = 'en') }", bindings={"c": ox.NamedNode("https://w3id.org/clusterkg/id/cluster-bucheon")})
    assert [row[0].value for row in bound.rows] == ["Bucheon mature industrial cluster"]
    unselected = store.query("SELECT ?x WHERE { BIND(?v AS ?x) }", bindings={"v": ox.Literal("서울", language="ko")})
    assert [tuple(row) for row in unselected.rows] == [(ox.Literal("서울", language="ko"),)]
    star = store.query("SELECT * WHERE { ?zebra <http://www.w3.org/2000/01/rdf-schema#label> ?apple } LIMIT 1")
    assert star.variables == ["zebra", "apple"]
    based = store.query("SELECT ?x WHERE { BIND(<thing> AS ?x) }", base_iri="http://example.org/base/")
    assert [row[0].value for row in based.rows] == ["http://example.org/base/thing"]
