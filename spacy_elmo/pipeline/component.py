"""The `elmo` pipeline component: runs the biLM, feeds ElmoListener layers, sets doc._.elmo
and a contextual doc.tensor (a fixed mix of the layers)."""
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.util import minibatch
from spacy.vocab import Vocab
from thinc.api import Config, Model, Optimizer, set_dropout_rate
from thinc.types import Floats3d

from ..errors import Errors
from ..layers.elmo_model import get_bilm, get_state, set_bilm
from ..layers.feature_cache import FeatureCache
from ..layers.listener import get_batch_id, get_upstream_name, is_listener, receive, set_upstream_dims
from ..layers.tok2vec import replace_listener_cfg
from ..model.bilm import ElmoBiLM
from .doc_data import ElmoDocData, fixed_mix, install_extensions, install_vector_hooks
from .loaders import default_model_available, load_configured_weights, load_default_model

DEFAULT_MODEL_CONFIG = """
[model]
@architectures = "spacy_elmo.ElmoModel.v1"
max_batch_tokens = 4096
skip_whitespace = true
mixed_precision = false

[model.span_getter]
@misc = "spacy_elmo.sent_spans.v1"
max_tokens = 128
"""
DEFAULT_MODEL = Config().from_str(DEFAULT_MODEL_CONFIG)["model"]


@Language.factory(
    "elmo",
    assigns=["doc._.elmo", "doc.tensor"],
    default_config={
        "model": DEFAULT_MODEL,
        "weights": None,
        "options": None,
        "frozen": True,
        "tensor_layer_weights": None,
        "cache_size_mb": 1024,
        "cache_dir": None,
    },
)
def make_elmo(
    nlp: Language,
    name: str,
    model: Model[List[Doc], List[Floats3d]],
    weights: Optional[str],
    options: Optional[str],
    frozen: bool,
    tensor_layer_weights: Optional[List[float]],
    cache_size_mb: int,
    cache_dir: Optional[str],
) -> "ElmoComponent":
    """weights / options: published weights.hdf5 + options.json, or weights = a directory with
    config.json + model.safetensors (read when first needed; a pipeline loaded from disk never
    reads them). frozen: keep the biLM fixed (default) and cache training features.
    tensor_layer_weights: the fixed mix for doc.tensor and token/span/doc vectors (null = uniform).
    cache_size_mb / cache_dir: memory bound and optional SQLite file directory of the frozen-feature cache."""
    return ElmoComponent(
        nlp.vocab,
        model,
        name=name,
        weights=weights,
        options=options,
        frozen=frozen,
        tensor_layer_weights=tensor_layer_weights,
        cache_size_mb=cache_size_mb,
        cache_dir=cache_dir,
    )


class ElmoComponent(TrainablePipe):
    """Runs the ELMo biLM over Docs. Downstream components read its features through
    spacy_elmo.ElmoListener.v1 layers: while training, `update` hands each batch to every
    listener; the last listener's backward pass sums all gradients into one biLM update
    (fine-tuning) or does nothing (frozen biLM). Predictions go to doc._.elmo, doc.tensor
    and the token/span/doc vector hooks."""

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        *,
        name: str = "elmo",
        weights: Optional[str] = None,
        options: Optional[str] = None,
        frozen: bool = True,
        tensor_layer_weights: Optional[Sequence[float]] = None,
        cache_size_mb: int = 1024,
        cache_dir: Optional[str] = None,
    ) -> None:
        install_extensions()
        self.vocab = vocab
        self.model = model
        self.name = name
        self.weights = weights
        self.options = options
        self.tensor_layer_weights = list(tensor_layer_weights) if tensor_layer_weights is not None else None
        self.cfg: Dict[str, Any] = {}
        self.listener_map: Dict[str, List[Model]] = {}
        self.cache_size_mb = cache_size_mb
        self.cache_dir = cache_dir
        self.frozen = frozen

    # -- frozen switch and feature cache -------------------------------------
    @property
    def frozen(self) -> bool:
        return self._frozen

    @frozen.setter
    def frozen(self, value: bool) -> None:
        self._frozen = bool(value)
        state = get_state(self.model)
        if self._frozen and self.cache_size_mb > 0:
            if state.cache is None:
                disk = Path(self.cache_dir) / f"{self.name}_features.sqlite" if self.cache_dir else None
                state.cache = FeatureCache(max_bytes=int(self.cache_size_mb * 2**20), disk_path=disk)
        else:
            state.cache = None
            state.cache_active = False
        self.model.attrs["replace_listener_cfg"] = partial(replace_listener_cfg, frozen=self._frozen,
                                                           cache_size_mb=self.cache_size_mb)

    @property
    def feature_cache(self) -> Optional[FeatureCache]:
        return get_state(self.model).cache

    # -- listeners ----------------------------------------------------------
    @property
    def listeners(self) -> List[Model]:
        return [m for c in self.listening_components for m in self.listener_map[c]]

    @property
    def listening_components(self) -> List[str]:
        return list(self.listener_map.keys())

    def add_listener(self, listener: Model, component_name: str) -> None:
        self.listener_map.setdefault(component_name, [])
        if listener not in self.listener_map[component_name]:
            self.listener_map[component_name].append(listener)
        bilm = get_bilm(self.model)
        if bilm is not None:
            set_upstream_dims(listener, n_layers=bilm.n_layers, width=bilm.output_dim, upstream=self.name)

    def remove_listener(self, listener: Model, component_name: str) -> bool:
        if listener in self.listener_map.get(component_name, []):
            self.listener_map[component_name].remove(listener)
            if not self.listener_map[component_name]:
                del self.listener_map[component_name]
            return True
        return False

    def find_listeners(self, component) -> None:
        names = ("*", self.name)
        if isinstance(getattr(component, "model", None), Model):
            for node in component.model.walk():
                if is_listener(node) and get_upstream_name(node) in names:
                    self.add_listener(node, component.name)

    # -- weights ------------------------------------------------------------
    @property
    def bilm(self) -> Optional[ElmoBiLM]:
        return get_bilm(self.model)

    def set_bilm(self, bilm: ElmoBiLM) -> None:
        set_bilm(self.model, bilm)
        self._check_tensor_weights()
        for listener in self.listeners:
            set_upstream_dims(listener, n_layers=bilm.n_layers, width=bilm.output_dim, upstream=self.name)

    def _ensure_bilm(self) -> ElmoBiLM:
        bilm = self.bilm
        if bilm is None:
            if self.weights is not None:
                self.set_bilm(load_configured_weights(self.weights, self.options))
            elif default_model_available():
                self.set_bilm(load_default_model())
            else:
                raise ValueError(Errors.E200.format(name=self.name))
            bilm = self.bilm
        return bilm  # type: ignore[return-value]

    def _check_tensor_weights(self) -> numpy.ndarray:
        n_layers = self.bilm.n_layers  # type: ignore[union-attr]
        if self.tensor_layer_weights is None:
            return numpy.full(n_layers, 1.0 / n_layers, dtype="float32")
        weights = numpy.asarray(self.tensor_layer_weights, dtype="float32")
        if weights.shape != (n_layers,) or weights.sum() == 0:
            raise ValueError(Errors.E205.format(n_weights=len(self.tensor_layer_weights), n_layers=n_layers))
        return weights / weights.sum()

    # -- prediction ---------------------------------------------------------
    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Docs in batches of `batch_size`; within a batch the biLM runs over length-sorted spans."""
        error_handler = self.get_error_handler()
        for docs in minibatch(stream, batch_size):
            try:
                self.set_annotations(docs, self.predict(docs))
                yield from docs
            except Exception as error:
                error_handler(self.name, self, docs, error)

    def predict(self, docs: Iterable[Doc]) -> List[Floats3d]:
        docs = list(docs)
        self._ensure_bilm()
        return self.model.predict(docs)

    def set_annotations(self, docs: Sequence[Doc], layers: List[Floats3d]) -> None:
        weights = self._check_tensor_weights()
        for doc, doc_layers in zip(docs, layers):
            vectors = fixed_mix(doc_layers, weights)
            doc._.elmo = ElmoDocData(doc_layers, vectors)
            doc.tensor = vectors
            install_vector_hooks(doc)

    # -- training -----------------------------------------------------------
    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd: Optional[Optimizer] = None,
        losses: Optional[Dict[str, float]] = None,
    ) -> Dict[str, float]:
        """Run the biLM on the batch and hand the features to every listener. Frozen: predict
        (through the feature cache) and give listeners no backward callback. Fine-tuned: every
        listener but the last adds its gradient; the last one runs the biLM's backward pass once."""
        if losses is None:
            losses = {}
        examples = list(examples)
        validate_examples(examples, "ElmoComponent.update")
        losses.setdefault(self.name, 0.0)
        docs = [eg.predicted for eg in examples]
        self._ensure_bilm()
        if not self.listeners:  # nothing downstream reads the features
            return losses
        batch_id = get_batch_id(docs)
        if self.frozen:
            get_state(self.model).cache_active = True
            outputs = self.model.predict(docs)
            for listener in self.listeners:
                receive(listener, batch_id, outputs, None)
            return losses

        set_dropout_rate(self.model, drop)
        outputs, backprop_model = self.model.begin_update(docs)
        d_outputs = [self.model.ops.alloc3f(*output.shape) for output in outputs]

        def accumulate_gradient(one_d_outputs: List[Floats3d]) -> List[Doc]:
            for i, d_output in enumerate(one_d_outputs):
                d_outputs[i] += d_output
                losses[self.name] += float((d_output**2).sum())
            return []

        def backprop(one_d_outputs: List[Floats3d]) -> List[Doc]:
            accumulate_gradient(one_d_outputs)
            result = backprop_model(d_outputs)
            if sgd is not None:
                self.finish_update(sgd)
            return result

        for listener in self.listeners[:-1]:
            receive(listener, batch_id, outputs, accumulate_gradient)
        if self.listeners:
            receive(self.listeners[-1], batch_id, outputs, backprop)
        return losses

    def finish_update(self, sgd: Optimizer) -> None:
        if not self.frozen:
            self.model.finish_update(sgd)

    def get_loss(self, examples: Iterable[Example], scores) -> None:
        """The biLM has no loss of its own; see `update`."""
        return None

    def add_label(self, label: str) -> int:
        raise NotImplementedError

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Optional[Language] = None,
        loader: Optional[Callable[[], ElmoBiLM]] = None,
    ) -> None:
        """Load the weights (the loader if given, else the config's weights, else keep the
        weights already there, else the default model) and tell the listeners their sizes."""
        validate_get_examples(get_examples, "ElmoComponent.initialize")
        if loader is not None:
            self.set_bilm(loader())
        else:
            self._ensure_bilm()
        docs = [eg.x for eg in islice(get_examples(), 10)]
        self.model.initialize(X=docs)

    # -- serialization ------------------------------------------------------
    def to_bytes(self, *, exclude=tuple()):
        self._load_configured_before_saving()
        return super().to_bytes(exclude=exclude)

    def to_disk(self, path, *, exclude=tuple()):
        self._load_configured_before_saving()
        super().to_disk(path, exclude=exclude)

    def _load_configured_before_saving(self) -> None:
        """A saved pipeline carries its weights: load configured weights that were not needed yet."""
        if self.bilm is None and (self.weights is not None or default_model_available()):
            self._ensure_bilm()

    def from_bytes(self, bytes_data, *, exclude=tuple()):
        super().from_bytes(bytes_data, exclude=exclude)
        self._after_load()
        return self

    def from_disk(self, path, *, exclude=tuple()):
        super().from_disk(path, exclude=exclude)
        self._after_load()
        return self

    def _after_load(self) -> None:
        bilm = self.bilm
        if bilm is not None:
            self.set_bilm(bilm)
