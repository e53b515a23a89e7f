"""SPARQL itself, apart from any store: the query text, results and their formats, HTTP.

* :mod:`.syntax` -- the front end: what a query text is (form, SERVICE,
  dataset), binding values into it, explaining syntax errors;
* :mod:`.results` -- :class:`~.results.QueryResult`, the W3C result formats
  and RDF, read and written;
* :mod:`.formats` -- the one table of result and RDF formats;
* :mod:`.protocol` -- content negotiation and the checks of an endpoint;
* :mod:`.http` -- the one HTTP transport to remote SPARQL services.
"""
