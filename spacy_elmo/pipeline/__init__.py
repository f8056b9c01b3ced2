"""The `elmo` spaCy component, its doc extensions and weight loaders."""
from .component import ElmoComponent, make_elmo
from .doc_data import ElmoDocData
from .loaders import build_allennlp_loader

__all__ = ["ElmoComponent", "ElmoDocData", "build_allennlp_loader", "make_elmo"]
