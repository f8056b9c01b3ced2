"""spacy_elmo.ElmoListener.v1: the tok2vec of a downstream component (ner, textcat, ...).

Docs -> per-Doc layers (K, n, C) received from the upstream `elmo` component while
training, read from doc._.elmo when predicting -> task-specific scalar mix
(softmax weights + gamma, uniform start, optional layer dropout) -> dropout ->
optional concatenation with a static embedding of the Docs -> optional linear
projection to `width` -> optional contextual encoder over the projected vectors (e.g.
spacy.MaxoutWindowEncoder.v2 of that width, as spaCy's own tok2vec does after its embedding;
the paper likewise feeds ELMo + static embeddings to a task biLSTM).
Output: one (n_tokens, nO) array per Doc.
"""
from typing import Callable, List, Optional, Tuple

from spacy.attrs import ORTH
from spacy.tokens import Doc
from thinc.api import Dropout, Linear, Model, with_array
from thinc.types import Floats2d, Floats3d

from ..errors import Errors
from .scalar_mix import build_scalar_mix

LISTENER = "_elmo_listener_upstream"  # marker: models carrying it listen to an elmo component
STATE = "_elmo_listener_state"
STANDALONE = "standalone"  # fed by a wrapping ElmoTok2Vec, also when predicting


class ListenerState:
    """What the upstream component handed over for the current batch (never serialized)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.batch_id: Optional[int] = None
        self.outputs: Optional[List[Floats3d]] = None
        self.backprop: Optional[Callable] = None

    def __deepcopy__(self, memo) -> "ListenerState":
        return ListenerState()


def build_elmo_listener(
    *,
    upstream: str = "*",
    width: Optional[int] = None,
    dropout: float = 0.0,
    layer_dropout: float = 0.0,
    embed: Optional[Model[List[Doc], List[Floats2d]]] = None,
    encode: Optional[Model[List[Floats2d], List[Floats2d]]] = None,
    grad_factor: float = 1.0,
) -> Model[List[Doc], List[Floats2d]]:
    """upstream: name of the elmo component, or "*" for any;
    width: project the features to this width (None or 0: no projection, nO = 2P (+ embed width));
    dropout: on the mixed vectors; layer_dropout: probability of dropping a whole layer from the mix;
    embed: a static embedding (e.g. spacy.MultiHashEmbed.v2) concatenated to the ELMo vectors;
    encode: a contextual encoder List[(n, width)] -> List[(n, nO)] run after the projection
    (needs `width`); grad_factor: scales the gradient sent to a fine-tuned biLM."""
    mix = build_scalar_mix(layer_dropout=layer_dropout)
    drop = Dropout(dropout)
    layers = [mix, drop]  # by position: model.copy() does not keep refs
    if embed is not None:
        layers.append(embed)
    if width:
        layers.append(with_array(Linear(nO=width)))
    elif encode is not None:
        raise ValueError(Errors.E230)
    if encode is not None:
        layers.append(encode)
    return Model(
        "elmo_listener",
        listener_forward,
        init=listener_init,
        layers=layers,
        dims={"nO": (encode.maybe_get_dim("nO") if encode is not None else None) or width or None, "nL": None, "nW": None},
        attrs={
            LISTENER: upstream,
            STATE: ListenerState(),
            STANDALONE: False,
            "grad_factor": grad_factor,
            "has_embed": embed is not None,
            "has_projection": bool(width),
            "has_encoder": encode is not None,
        },
    )


def _sublayers(model: Model):
    """(mix, dropout, embed or None, projection or None, encoder or None)"""
    layers = list(model.layers)
    mix, drop = layers[0], layers[1]
    rest = layers[2:]
    embed = rest.pop(0) if model.attrs["has_embed"] else None
    projection = rest.pop(0) if model.attrs["has_projection"] else None
    encoder = rest.pop(0) if model.attrs.get("has_encoder") else None
    return mix, drop, embed, projection, encoder


def is_listener(model: Model) -> bool:
    return model.attrs.get(LISTENER) is not None


def get_upstream_name(model: Model) -> Optional[str]:
    return model.attrs.get(LISTENER)


def get_batch_id(docs: List[Doc]) -> int:
    """A content hash of a batch of Docs (the sum of the token ids), to check that a
    listener is called on the batch it received features for."""
    return sum(int(doc.to_array(ORTH).sum(dtype="uint64")) for doc in docs if len(doc))


def receive(listener: Model, batch_id: int, outputs: List[Floats3d], backprop: Optional[Callable]) -> None:
    """Hand a batch of features (and the callback taking their gradient, or None) to a listener."""
    state = listener.attrs[STATE]
    state.batch_id, state.outputs, state.backprop = batch_id, outputs, backprop


def set_upstream_dims(listener: Model, *, n_layers: int, width: int, upstream: str = "elmo") -> None:
    """Tell a listener the biLM's layer count and width (done by the elmo component)."""
    if listener.has_dim("nL") and listener.has_dim("nW"):
        if (listener.get_dim("nL"), listener.get_dim("nW")) != (n_layers, width):
            raise ValueError(Errors.E207.format(expected_layers=listener.get_dim("nL"),
                                                expected_width=listener.get_dim("nW"), name=upstream,
                                                n_layers=n_layers, width=width))
        return
    listener.set_dim("nL", n_layers)
    listener.set_dim("nW", width)


def listener_init(model: Model, X: Optional[List[Doc]] = None, Y=None) -> None:
    if not (model.has_dim("nL") and model.has_dim("nW")):
        annotated = [doc._.elmo for doc in (X or []) if doc.has_extension("elmo") and doc._.elmo is not None]
        if not annotated:
            raise ValueError(Errors.E206.format(upstream=model.attrs.get(LISTENER)))
        model.set_dim("nL", annotated[0].layers.shape[0])
        model.set_dim("nW", annotated[0].layers.shape[2])
    mix, _, embed, projection, encoder = _sublayers(model)
    mix.set_dim("nL", model.get_dim("nL"))
    mix.initialize()
    in_width = model.get_dim("nW")
    if embed is not None:
        embed.initialize(X=X)
        in_width += embed.get_dim("nO")
    if projection is not None:
        linear = projection.layers[0]
        linear.set_dim("nI", in_width)
        linear.initialize()
        in_width = linear.get_dim("nO")
    if encoder is not None:
        try:
            encoder.initialize(X=[model.ops.alloc2f(2, in_width)])
        except ValueError as error:
            raise ValueError(Errors.E231.format(width=in_width, error=error)) from error
        model.set_dim("nO", encoder.get_dim("nO"))
    else:
        model.set_dim("nO", in_width)


def listener_forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[List[Floats2d], Callable]:
    ops, xp = model.ops, model.ops.xp
    layers, upstream_backprop = _get_features(model, docs, is_train)
    mix, drop, embed, projection, encoder = _sublayers(model)
    Y, backprop_mix = mix(layers, is_train)
    Y, backprop_dropout = drop(Y, is_train)
    width = model.get_dim("nW")
    backprop_embed = None
    if embed is not None:
        static, backprop_embed = embed(docs, is_train)
        Y = [xp.hstack((y, ops.asarray(s))) for y, s in zip(Y, static)]
    backprop_projection = None
    if projection is not None:
        Y, backprop_projection = projection(Y, is_train)
    backprop_encoder = None
    if encoder is not None:
        Y, backprop_encoder = encoder(Y, is_train)

    def backprop(dY: List[Floats2d]) -> List[Doc]:
        if backprop_encoder is not None:
            dY = backprop_encoder(dY)
        if backprop_projection is not None:
            dY = backprop_projection(dY)
        if backprop_embed is not None:
            backprop_embed([d[:, width:] for d in dY])
            dY = [xp.ascontiguousarray(d[:, :width]) for d in dY]
        d_layers = backprop_mix(backprop_dropout(dY))
        if upstream_backprop is not None:
            factor = model.attrs["grad_factor"]
            if factor != 1.0:
                d_layers = [d * factor for d in d_layers]
            upstream_backprop(d_layers)
        return []

    return Y, backprop


def _get_features(model: Model, docs: List[Doc], is_train: bool) -> Tuple[List[Floats3d], Optional[Callable]]:
    state: ListenerState = model.attrs[STATE]
    if state.batch_id is not None and (is_train or model.attrs[STANDALONE]):
        found = get_batch_id(docs)
        if found != state.batch_id:
            raise ValueError(Errors.E209.format(expected=state.batch_id, found=found))
        outputs, backprop = state.outputs, state.backprop
        state.clear()
        return outputs, backprop
    annotations = [doc._.elmo if doc.has_extension("elmo") else None for doc in docs]
    if is_train and any(a is None for a in annotations):
        raise ValueError(Errors.E208)
    if not (model.has_dim("nL") and model.has_dim("nW")):
        if any(a is None for a in annotations):
            raise ValueError(Errors.E206.format(upstream=model.attrs.get(LISTENER)))
    outputs = []
    for doc, annotation in zip(docs, annotations):
        if annotation is None:
            outputs.append(model.ops.alloc3f(model.get_dim("nL"), len(doc), model.get_dim("nW")))
        else:
            outputs.append(model.ops.asarray(annotation.layers))
    return outputs, None
