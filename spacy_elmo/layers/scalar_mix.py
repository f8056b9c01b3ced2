"""Task-specific scalar mix of the biLM layers as a thinc layer (Peters et al. 2018, eq. 1).

Input: one float array (K, n_tokens, C) per Doc. Output: one (n_tokens, C) per Doc,
gamma * sum_k softmax(w)_k * X_k, with w = 0 and gamma = 1 at the start (uniform mix).
Layer dropout (training only) drops whole layers: their weights are removed from the
softmax for this batch, and the remaining ones renormalise (at least one layer stays).
"""
from typing import Callable, List, Tuple

from thinc.api import Model
from thinc.types import Floats2d, Floats3d


def build_scalar_mix(*, layer_dropout: float = 0.0) -> Model[List[Floats3d], List[Floats2d]]:
    return Model(
        "elmo_scalar_mix",
        scalar_mix_forward,
        init=scalar_mix_init,
        dims={"nL": None},
        params={"W": None, "gamma": None},
        attrs={"layer_dropout": layer_dropout},
    )


def scalar_mix_init(model: Model, X=None, Y=None) -> None:
    if not model.has_dim("nL") and X:
        model.set_dim("nL", X[0].shape[0])
    n_layers = model.get_dim("nL")
    model.set_param("W", model.ops.alloc1f(n_layers))
    gamma = model.ops.alloc1f(1)
    gamma[0] = 1.0
    model.set_param("gamma", gamma)


def scalar_mix_forward(model: Model, Xs: List[Floats3d], is_train: bool) -> Tuple[List[Floats2d], Callable]:
    ops, xp = model.ops, model.ops.xp
    W = model.get_param("W")
    gamma = model.get_param("gamma")
    keep = None
    rate = model.attrs["layer_dropout"]
    if is_train and rate > 0.0:
        keep = xp.asarray(ops.get_dropout_mask((W.shape[0],), rate) > 0)
        if not keep.any():
            keep[int(xp.argmax(W))] = True
        logits = xp.where(keep, W, -xp.inf)
    else:
        logits = W
    weights = xp.exp(logits - logits.max())
    weights = (weights / weights.sum()).astype("float32")
    if not Xs:
        return [], lambda dYs: []
    lengths = [X.shape[1] for X in Xs]
    Xcat = xp.concatenate(Xs, axis=1) if len(Xs) > 1 else Xs[0]  # (K, N, C)
    mixed = xp.tensordot(weights, Xcat, axes=1)  # (N, C)
    Ycat = gamma[0] * mixed
    Ys = _split(ops, Ycat, lengths)

    def backprop(dYs: List[Floats2d]) -> List[Floats3d]:
        dYcat = xp.concatenate(dYs, axis=0) if len(dYs) > 1 else dYs[0]
        per_layer = (Xcat * dYcat[None]).sum(axis=(1, 2))  # (K,)
        d_gamma = (weights * per_layer).sum()
        dW = gamma[0] * weights * (per_layer - d_gamma)
        model.inc_grad("W", dW.astype("float32"))
        model.inc_grad("gamma", xp.asarray(d_gamma, dtype="float32").reshape(1))
        dXcat = (gamma[0] * weights)[:, None, None] * dYcat[None]
        return _split(ops, dXcat, lengths, axis=1)

    return Ys, backprop


def _split(ops, array, lengths, axis=0):
    result, start = [], 0
    for length in lengths:
        index = [slice(None)] * array.ndim
        index[axis] = slice(start, start + length)
        result.append(array[tuple(index)])
        start += length
    return result
