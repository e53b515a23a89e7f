"""Linking to open data: Wikidata reconciliation, GeoNames and ISO places, industry classifications, enrichment.

* :mod:`.client` -- a polite, cached client for public SPARQL services;
* :mod:`.entities` -- the store's entities that can be linked;
* :mod:`.matching` -- scoring Wikidata candidates;
* :mod:`.wikidata` -- reconciliation and its links (``clusterkg link``);
* :mod:`.geonames`, :mod:`.industries`, :mod:`.codes` -- offline identifiers (``clusterkg codes``);
* :mod:`.enrich` -- facts pulled back for linked entities (``clusterkg enrich``).
"""
