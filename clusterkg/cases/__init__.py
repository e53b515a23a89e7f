"""A researcher's own cases: entered in YAML, CSV, Turtle or JSON-LD, validated, added and removed.

* :mod:`.model` -- the fields of an entry and the RDF each becomes;
* :mod:`.convert`, :mod:`.yaml_reader`, :mod:`.csv_reader`, :mod:`.rdf_reader`,
  :mod:`.load` -- one reader per format, and reading files of any format;
* :mod:`.validation`, :mod:`.issues` -- SHACL validation and its report;
* :mod:`.templates` -- the template of a new case and the documentation's table;
* :mod:`.add` -- adding cases to the store, all or none, and removing them.
"""
