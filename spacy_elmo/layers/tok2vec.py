"""spacy_elmo.ElmoTok2Vec.v1: an ElmoModel and a listener's mix in one model, with no
upstream component. This is what `nlp.replace_listeners("elmo", "ner", ["model.tok2vec"])`
puts in place of a listener (a copy of the elmo model plus the trained listener), and it
can be used directly as the tok2vec of a component.
"""
from typing import Callable, List, Tuple

from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Floats2d

from .listener import LISTENER, STANDALONE, get_batch_id, receive, set_upstream_dims


def build_elmo_tok2vec(*, elmo: Model, listener: Model, frozen: bool = True) -> Model[List[Doc], List[Floats2d]]:
    """elmo: a spacy_elmo.ElmoModel.v1; listener: a spacy_elmo.ElmoListener.v1 (it stops
    listening to any component); frozen: run the biLM without gradients."""
    listener.attrs[LISTENER] = None
    listener.attrs[STANDALONE] = True
    return Model(
        "elmo_tok2vec",
        elmo_tok2vec_forward,
        init=elmo_tok2vec_init,
        layers=[elmo, listener],
        dims={"nO": listener.get_dim("nO") if listener.has_dim("nO") else None},
        attrs={"frozen": frozen},
    )


def elmo_tok2vec_init(model: Model, X=None, Y=None) -> None:
    elmo, listener = model.layers
    elmo.initialize()
    if elmo.has_dim("nL") and elmo.has_dim("nO"):
        set_upstream_dims(listener, n_layers=elmo.get_dim("nL"), width=elmo.get_dim("nO"))
    listener.initialize(X=X)
    model.set_dim("nO", listener.get_dim("nO"), force=True)


def elmo_tok2vec_forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[List[Floats2d], Callable]:
    elmo, listener = model.layers
    if model.attrs["frozen"] or not is_train:
        features, backprop = elmo.predict(docs), None
    else:
        features, backprop = elmo(docs, is_train)
    receive(listener, get_batch_id(docs), features, backprop)
    return listener(docs, is_train)


def replace_listener(copied_elmo: Model, listener: Model, elmo_pipe) -> Model:
    """Language.replace_listeners callback: a copy of the elmo model + a copy of the trained listener."""
    return build_elmo_tok2vec(elmo=copied_elmo, listener=listener.copy(), frozen=getattr(elmo_pipe, "frozen", True))


def replace_listener_cfg(elmo_model_cfg: dict, listener_cfg: dict, frozen: bool = True) -> dict:
    """Language.replace_listeners callback: the config that rebuilds what replace_listener returns."""
    return {
        "@architectures": "spacy_elmo.ElmoTok2Vec.v1",
        "elmo": dict(elmo_model_cfg),
        "listener": dict(listener_cfg),
        "frozen": frozen,
    }
