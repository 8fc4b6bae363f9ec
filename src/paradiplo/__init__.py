"""paradiplo: an RDF knowledge graph of subnational diplomacy.

Data flows one way: content files -> build (load, reason, validate) -> store -> query.
"""

__version__ = "0.1.0"
