"""doc._.elmo: the biLM layers of a Doc, and the vector hooks that make token.vector,
span.vector and doc.similarity contextual (they read the fixed mix, also in doc.tensor)."""
from typing import Optional

import numpy
import srsly
from spacy.tokens import Doc, Span, Token

_MSGPACK_KEY = "__spacy_elmo_doc_data__"


class ElmoDocData:
    """layers: float32 (K, n_tokens, C), every biLM layer of each token;
    vectors: float32 (n_tokens, C), the component's fixed mix (the same array as doc.tensor).
    `data[start:end]` or `data.span(span)` gives the layers of a span, (K, end - start, C)."""

    __slots__ = ("layers", "vectors")

    def __init__(self, layers, vectors) -> None:
        self.layers = layers
        self.vectors = vectors

    def __len__(self) -> int:
        return self.layers.shape[1]

    def __getitem__(self, index: slice):
        if not isinstance(index, slice):
            raise TypeError("index doc._.elmo with a slice of token positions, e.g. doc._.elmo[2:5]")
        return self.layers[:, index]

    def span(self, span: Span):
        return self.layers[:, span.start : span.end]

    def __repr__(self) -> str:
        return f"ElmoDocData(layers={tuple(self.layers.shape)})"


def install_extensions() -> None:
    if not Doc.has_extension("elmo"):
        Doc.set_extension("elmo", default=None)
    if not Span.has_extension("elmo"):
        Span.set_extension("elmo", getter=_span_layers)
    if not Token.has_extension("elmo"):
        Token.set_extension("elmo", getter=_token_layers)


def install_vector_hooks(doc: Doc) -> None:
    """Make doc/span/token .vector, .has_vector and .similarity read doc._.elmo's fixed mix.
    The elmo component does this for every Doc it processes; hooks are not serialized, so
    Docs read back from a DocBin (store_user_data=True keeps doc._.elmo) need it again."""
    doc.user_hooks["vector"] = _doc_vector
    doc.user_hooks["has_vector"] = _has_vector
    doc.user_span_hooks["vector"] = _span_vector
    doc.user_span_hooks["has_vector"] = _has_vector
    doc.user_token_hooks["vector"] = _token_vector
    doc.user_token_hooks["has_vector"] = _has_vector
    doc.user_hooks["similarity"] = _similarity
    doc.user_span_hooks["similarity"] = _similarity
    doc.user_token_hooks["similarity"] = _similarity


def fixed_mix(layers, weights: numpy.ndarray):
    """(K, n, C) -> (n, C): sum_k weights_k * layers_k (weights sum to 1)."""
    xp = numpy if isinstance(layers, numpy.ndarray) else _cupy()
    return xp.tensordot(xp.asarray(weights, dtype="float32"), layers, axes=1).astype("float32")


def _data(doc: Doc) -> Optional[ElmoDocData]:
    return doc._.elmo if doc.has_extension("elmo") else None


def _span_layers(span: Span):
    data = _data(span.doc)
    return None if data is None else data.layers[:, span.start : span.end]


def _token_layers(token: Token):
    data = _data(token.doc)
    return None if data is None else data.layers[:, token.i]


def _doc_vector(doc: Doc):
    data = _data(doc)
    if data is None or not len(doc):
        return numpy.zeros((0,), dtype="float32")
    return data.vectors.mean(axis=0)


def _span_vector(span: Span):
    data = _data(span.doc)
    if data is None or not len(span):
        return numpy.zeros((0,), dtype="float32")
    return data.vectors[span.start : span.end].mean(axis=0)


def _token_vector(token: Token):
    data = _data(token.doc)
    if data is None:
        return numpy.zeros((0,), dtype="float32")
    return data.vectors[token.i]


def _has_vector(obj) -> bool:
    if isinstance(obj, Token):
        return _data(obj.doc) is not None
    doc = obj if isinstance(obj, Doc) else obj.doc
    return _data(doc) is not None and len(obj) > 0


def _similarity(obj, other) -> float:
    """Cosine similarity of the contextual vectors (0.0 when either is all zero)."""
    a, b = obj.vector, other.vector
    norm = float((a**2).sum() ** 0.5) * float((b**2).sum() ** 0.5)
    return float((a * b).sum()) / norm if norm else 0.0


def _cupy():
    import cupy

    return cupy


# doc._.elmo travels through Doc.to_bytes / DocBin / nlp.pipe(n_process=...) as plain arrays.
@srsly.msgpack_encoders("spacy_elmo_doc_data")
def _encode(obj, chain=None):
    if isinstance(obj, ElmoDocData):
        return {_MSGPACK_KEY: True, "layers": _to_numpy(obj.layers), "vectors": _to_numpy(obj.vectors)}
    return obj if chain is None else chain(obj)


@srsly.msgpack_decoders("spacy_elmo_doc_data")
def _decode(obj, chain=None):
    if isinstance(obj, dict) and obj.get(_MSGPACK_KEY):
        return ElmoDocData(obj["layers"], obj["vectors"])
    return obj if chain is None else chain(obj)


def _to_numpy(array):
    return array if isinstance(array, numpy.ndarray) else array.get()
