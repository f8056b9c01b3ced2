"""thinc layers of spacy-elmo: the biLM model, span getters, listeners and the scalar mix."""
from .elmo_model import build_elmo_model, get_bilm, set_bilm
from .listener import build_elmo_listener
from .span_getters import configure_sent_spans, configure_strided_spans
from .tok2vec import build_elmo_tok2vec

__all__ = [
    "build_elmo_model",
    "build_elmo_listener",
    "build_elmo_tok2vec",
    "configure_sent_spans",
    "configure_strided_spans",
    "get_bilm",
    "set_bilm",
]
