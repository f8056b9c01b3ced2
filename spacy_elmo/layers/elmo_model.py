"""spacy_elmo.ElmoModel.v1: Docs -> one float32 array (n_layers, n_tokens, 2P) per Doc.

Docs -> spans (the span getter) -> char ids (cached per lexeme) -> biLM in
length-sorted sub-batches of at most `max_batch_tokens` padded positions -> the
layers of each span written back into its Doc's array. Whitespace tokens are not
fed to the biLM (ELMo never saw them) and get zero vectors. Each span is processed
independently of the others (stateless biLM), so a Doc's vectors do not depend
on the batch it is in. With a frozen biLM the component may attach a FeatureCache
that is consulted in prediction mode.
"""
import hashlib
from typing import Callable, List, NamedTuple, Optional, Tuple, Union

import numpy
from spacy.attrs import IS_SPACE, ORTH
from spacy.tokens import Doc
from thinc.api import Model, PyTorchGradScaler
from thinc.types import Floats3d

from ..errors import Errors
from ..model.bilm import ElmoBiLM
from .bilm_layer import build_bilm_layer, get_torch_bilm, set_torch_bilm
from .char_table import CharIdTable
from .feature_cache import FeatureCache
from .span_getters import SpanGetter

STATE = "_elmo_state"


class ElmoModelState:
    """Run-time state of an ElmoModel that is never serialized: the char-id table,
    the optional frozen-feature cache, and the sizes of the biLM calls (for tests
    and benchmarks)."""

    def __init__(self) -> None:
        self.char_table = CharIdTable()
        self.cache: Optional[FeatureCache] = None
        self.cache_active = False
        self.fingerprint: Optional[str] = None
        self.max_rows_seen = 0  # longest sequence fed to the biLM
        self.max_positions_seen = 0  # largest padded batch (rows x length) fed to the biLM
        self.n_bilm_calls = 0

    def __deepcopy__(self, memo) -> "ElmoModelState":
        return ElmoModelState()


class _Unit(NamedTuple):
    doc: int
    where: Union[slice, numpy.ndarray]  # token positions in the Doc
    orths: numpy.ndarray

    @property
    def length(self) -> int:
        return len(self.orths)


def build_elmo_model(
    span_getter: SpanGetter,
    *,
    max_batch_tokens: int = 4096,
    skip_whitespace: bool = True,
    mixed_precision: bool = False,
    grad_scaler_config: Optional[dict] = None,
) -> Model[List[Doc], List[Floats3d]]:
    """span_getter: Docs -> spans (e.g. spacy_elmo.sent_spans.v1);
    max_batch_tokens: most padded positions per biLM call (bounds memory);
    skip_whitespace: give whitespace tokens zero vectors instead of feeding them;
    mixed_precision / grad_scaler_config: PyTorch autocast on GPU (see thinc's PyTorchWrapper_v3).
    The biLM weights are attached later: by the elmo component, or with set_bilm()."""
    if isinstance(max_batch_tokens, bool) or not isinstance(max_batch_tokens, int) or max_batch_tokens < 1:
        raise ValueError(Errors.E203.format(name="spacy_elmo.ElmoModel.v1", setting="max_batch_tokens",
                                            value=max_batch_tokens))
    grad_scaler = PyTorchGradScaler(**grad_scaler_config) if grad_scaler_config else None
    bilm_layer = build_bilm_layer(mixed_precision=mixed_precision, grad_scaler=grad_scaler)
    from .tok2vec import replace_listener, replace_listener_cfg

    return Model(
        "elmo_model",
        elmo_forward,
        init=elmo_init,
        layers=[bilm_layer],
        dims={"nL": None, "nO": None},
        attrs={
            "span_getter": span_getter,
            "max_batch_tokens": max_batch_tokens,
            "skip_whitespace": skip_whitespace,
            STATE: ElmoModelState(),
            "replace_listener": replace_listener,
            "replace_listener_cfg": replace_listener_cfg,
        },
    )


def get_bilm(model: Model) -> Optional[ElmoBiLM]:
    """The biLM inside an ElmoModel, or None before weights are loaded."""
    return get_torch_bilm(model.layers[0])


def set_bilm(model: Model, bilm: ElmoBiLM) -> None:
    """Attach biLM weights to an ElmoModel (moved to the model's device)."""
    set_torch_bilm(model.layers[0], bilm)
    state = get_state(model)
    state.char_table = CharIdTable(max_chars=bilm.config.max_characters_per_token)
    state.fingerprint = None
    if state.cache is not None:
        state.cache.clear_memory()
    _sync_dims(model)


def get_state(model: Model) -> ElmoModelState:
    return model.attrs[STATE]


def weights_fingerprint(model: Model) -> str:
    """A hash of the biLM config and weights (keys the on-disk feature cache)."""
    state = get_state(model)
    if state.fingerprint is None:
        bilm = get_bilm(model)
        if bilm is None:
            raise ValueError(Errors.E202)
        digest = hashlib.blake2b(repr(sorted(bilm.config.to_dict().items())).encode(), digest_size=16)
        for name, tensor in sorted(bilm.state_dict().items()):
            digest.update(name.encode())
            digest.update(tensor.detach().float().cpu().contiguous().numpy().tobytes())
        state.fingerprint = digest.hexdigest()
    return state.fingerprint


def elmo_init(model: Model, X=None, Y=None) -> None:
    _sync_dims(model)


def _sync_dims(model: Model) -> None:
    bilm = get_bilm(model)
    if bilm is not None:
        model.set_dim("nL", bilm.n_layers, force=True)
        model.set_dim("nO", bilm.output_dim, force=True)


def elmo_forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[List[Floats3d], Callable]:
    bilm_layer = model.layers[0]
    bilm = get_torch_bilm(bilm_layer)
    if bilm is None:
        raise ValueError(Errors.E202)
    ops = model.ops
    state = get_state(model)
    n_layers, width = bilm.n_layers, bilm.output_dim
    outputs = [ops.alloc3f(n_layers, len(doc), width) for doc in docs]
    units = _make_units(docs, model.attrs["span_getter"](docs), skip_whitespace=model.attrs["skip_whitespace"])

    cache = state.cache if (state.cache is not None and state.cache_active and not is_train) else None
    if cache is not None:
        cache.set_fingerprint(weights_fingerprint(model))
        todo = []
        for unit in units:
            found = cache.get(unit.orths.tobytes())
            if found is None:
                todo.append(unit)
            else:
                outputs[unit.doc][:, _xp_index(ops, unit.where)] = ops.asarray(found)
    else:
        todo = units

    strings = docs[0].vocab.strings if docs else None
    backprops = []
    for batch in _length_sorted_batches(todo, model.attrs["max_batch_tokens"]):
        n_rows, n_positions = len(batch), batch[0].length
        ids = numpy.zeros((n_rows, n_positions, bilm.config.max_characters_per_token), dtype="int64")
        lengths = numpy.asarray([unit.length for unit in batch])
        mask = numpy.arange(n_positions)[None, :] < lengths[:, None]
        ids[mask] = state.char_table.rows(numpy.concatenate([unit.orths for unit in batch]).tolist(), strings)
        Y, backprop_batch = bilm_layer(ids, is_train)  # (K, B, T, C)
        for row, unit in enumerate(batch):
            features = Y[:, row, : unit.length]
            outputs[unit.doc][:, _xp_index(ops, unit.where)] = features
            if cache is not None:
                cache.put(unit.orths.tobytes(), numpy.array(ops.to_numpy(features), dtype="float32", copy=True))
        backprops.append((batch, backprop_batch, Y.shape))
        state.n_bilm_calls += 1
        state.max_rows_seen = max(state.max_rows_seen, n_positions)
        state.max_positions_seen = max(state.max_positions_seen, n_rows * n_positions)
    if cache is not None:
        cache.flush()

    def backprop(d_outputs: List[Floats3d]) -> List[Doc]:
        for batch, backprop_batch, shape in backprops:
            dY = ops.alloc4f(*shape)
            for row, unit in enumerate(batch):
                dY[:, row, : unit.length] = d_outputs[unit.doc][:, _xp_index(ops, unit.where)]
            backprop_batch(dY)
        return []

    return outputs, backprop


def _make_units(docs: List[Doc], spans_per_doc, *, skip_whitespace: bool) -> List[_Unit]:
    units = []
    for d, (doc, spans) in enumerate(zip(docs, spans_per_doc)):
        if not len(doc):
            continue
        attrs = doc.to_array([ORTH, IS_SPACE])
        orths = attrs[:, 0].astype("uint64")
        is_space = attrs[:, 1].astype(bool) if skip_whitespace else numpy.zeros(len(doc), dtype=bool)
        covered = numpy.zeros(len(doc) + 1, dtype="int32")
        for span in spans:
            covered[span.start] += 1
            covered[span.end] -= 1
            if span.end <= span.start:
                continue
            inside = is_space[span.start : span.end]
            if not inside.any():
                units.append(_Unit(d, slice(span.start, span.end), orths[span.start : span.end]))
            elif not inside.all():
                positions = span.start + numpy.flatnonzero(~inside)
                units.append(_Unit(d, positions, orths[positions]))
        coverage = numpy.cumsum(covered)[:-1]
        if (coverage != 1).any():
            bad = int(numpy.flatnonzero(coverage != 1)[0])
            raise ValueError(Errors.E204.format(index=d, token=bad, count=int(coverage[bad])))
    return units


def _length_sorted_batches(units: List[_Unit], max_batch_tokens: int) -> List[List[_Unit]]:
    """Longest first; each batch holds at most max_batch_tokens padded positions
    (a single span longer than that still forms its own batch)."""
    ordered = sorted(units, key=lambda unit: unit.length, reverse=True)
    batches: List[List[_Unit]] = []
    current: List[_Unit] = []
    for unit in ordered:
        if current and current[0].length * (len(current) + 1) > max_batch_tokens:
            batches.append(current)
            current = []
        current.append(unit)
    if current:
        batches.append(current)
    return batches


def _xp_index(ops, where):
    if isinstance(where, slice):
        return where
    return where if isinstance(ops.xp.zeros(0), numpy.ndarray) else ops.xp.asarray(where)
