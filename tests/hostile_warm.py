"""Imported by the process the corpus runs are forked from (tests/hostile.py): what every run would
otherwise do first, done once."""

from clusterkg.sparql import syntax

syntax._lexer()  # compiled once, not in every run
