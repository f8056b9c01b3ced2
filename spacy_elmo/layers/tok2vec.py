"""spacy_elmo.ElmoTok2Vec.v1: an ElmoModel and a listener's mix in one model, with no
upstream component. This is what `nlp.replace_listeners("elmo", "ner", ["model.tok2vec"])`
puts in place of a listener (a copy of the elmo model plus the trained listener), and it
can be used directly as the tok2vec of a component.
"""
from typing import Callable, List, Tuple

from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Floats2d, Floats3d

from .elmo_model import get_state
from .feature_cache import FeatureCache
from .listener import LISTENER, STANDALONE, get_batch_id, receive, set_upstream_dims


def build_elmo_tok2vec(*, elmo: Model, listener: Model, frozen: bool = True,
                       cache_size_mb: int = 1024) -> Model[List[Doc], List[Floats2d]]:
    """elmo: a spacy_elmo.ElmoModel.v1; listener: a spacy_elmo.ElmoListener.v1 (it stops
    listening to any component); frozen: run the biLM without gradients; cache_size_mb:
    memory bound of the frozen biLM's feature cache while training, as in the elmo
    component (0 turns it off; prediction never caches)."""
    listener.attrs[LISTENER] = None
    listener.attrs[STANDALONE] = True
    return Model(
        "elmo_tok2vec",
        elmo_tok2vec_forward,
        init=elmo_tok2vec_init,
        layers=[elmo, listener],
        dims={"nO": listener.get_dim("nO") if listener.has_dim("nO") else None},
        attrs={"frozen": frozen, "cache_size_mb": cache_size_mb},
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
    if not is_train:
        features, backprop = elmo.predict(docs), None
    elif model.attrs["frozen"]:
        features, backprop = _predict_through_cache(model, elmo, docs), None
    else:
        features, backprop = elmo(docs, is_train)
    receive(listener, get_batch_id(docs), features, backprop)
    return listener(docs, is_train)


def _predict_through_cache(model: Model, elmo: Model, docs: List[Doc]) -> List[Floats3d]:
    """Frozen training: features of spans seen in an earlier epoch come from the cache."""
    state = get_state(elmo)
    if model.attrs["cache_size_mb"] <= 0:
        return elmo.predict(docs)
    if state.cache is None:
        state.cache = FeatureCache(max_bytes=int(model.attrs["cache_size_mb"] * 2**20))
    state.cache_active = True
    try:
        return elmo.predict(docs)
    finally:
        state.cache_active = False


def replace_listener(copied_elmo: Model, listener: Model, elmo_pipe) -> Model:
    """Language.replace_listeners callback: a copy of the elmo model + a copy of the trained listener."""
    return build_elmo_tok2vec(elmo=copied_elmo, listener=listener.copy(), frozen=getattr(elmo_pipe, "frozen", True),
                              cache_size_mb=getattr(elmo_pipe, "cache_size_mb", 1024))


def replace_listener_cfg(elmo_model_cfg: dict, listener_cfg: dict, frozen: bool = True,
                         cache_size_mb: int = 1024) -> dict:
    """Language.replace_listeners callback: the config that rebuilds what replace_listener returns."""
    return {
        "@architectures": "spacy_elmo.ElmoTok2Vec.v1",
        "elmo": dict(elmo_model_cfg),
        "listener": dict(listener_cfg),
        "frozen": frozen,
        "cache_size_mb": cache_size_mb,
    }
