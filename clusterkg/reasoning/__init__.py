"""Reasoning: consistency, classification, what follows from the stated facts, and why.

* :mod:`.reasoners` -- HermiT and the OWL 2 RL rules;
* :mod:`.inferences` -- a whole run (:func:`~.inferences.reason`): what is new, what is entailed, writing it;
* :mod:`.axioms` -- a graph cut into OWL axioms, written for people;
* :mod:`.explain` -- the stated axioms behind a conclusion or an inconsistency.
"""
