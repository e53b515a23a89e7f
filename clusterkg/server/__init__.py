"""``clusterkg serve``: the SPARQL 1.1 Protocol endpoint and the web page.

* :mod:`.app` -- the routes (Starlette) and the server's life;
* :mod:`.pool` -- queries run in worker processes, each with a deadline;
* ``static/`` -- the web page and every file it needs (vendored, no CDN).
"""
