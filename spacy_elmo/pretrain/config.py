"""The pretraining config: loading with `spacy train`-style overrides, resolving and checking.

Sections: [paths] (train, dev, ...), [system] (seed, device, n_threads),
[tokenizer], [corpora.train] / [corpora.dev] (@readers), [vocab] (min_count,
max_size), [model] (the biLM sizes), [softmax] (the head), [training] (steps,
batching, dropout, clipping, checkpoints, evaluation, logging, mixed precision,
[training.optimizer], [training.learn_rate]). See configs/pretrain_bilm*.cfg.
"""
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Dict, Optional, Union

from confection import Config

from ..errors import Errors
from . import registry as _registry  # noqa: F401  (registers the config functions)


@dataclass(frozen=True)
class SystemSettings:
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    n_threads: int = 0  # torch intra-op threads per process; 0 = torch's default


@dataclass(frozen=True)
class VocabSettings:
    min_count: int = 1
    max_size: int = 0  # 0 = no limit


@dataclass(frozen=True)
class TrainingSettings:
    max_steps: int = 1000  # optimizer steps
    max_epochs: int = 0  # 0 = no limit (stop at max_steps)
    batch_max_tokens: int = 4000  # padded positions per batch (rows × (longest + 2)) per process
    batch_max_sentences: int = 128
    bucket_pool_batches: int = 100  # length-sorting pool, in batches
    token_dropout: float = 0.1
    output_dropout: float = 0.1
    grad_clip: float = 10.0  # max global gradient norm; 0 = off
    checkpoint_every: int = 500  # steps; also written at the end
    eval_every: int = 500  # steps; also at the end when a dev corpus is set
    eval_max_sentences: int = 0  # evaluate on the first N dev sentences (0 = all)
    log_every: int = 10
    mixed_precision: bool = False  # autocast on GPU (and bfloat16 autocast on CPU when set)
    amp_dtype: str = "bfloat16"  # bfloat16 | float16 (float16 adds a gradient scaler)
    find_unused_parameters: Optional[bool] = None  # DDP; None = ask the softmax head
    show_progress: bool = True
    optimizer: Any = None
    learn_rate: Any = None


def load_config(path: Union[str, Path], overrides: Optional[Dict[str, Any]] = None) -> Config:
    """Read a .cfg file and apply overrides such as {"paths.train": "x.txt", "training.max_steps": 20}."""
    from spacy.util import load_config as spacy_load_config

    return spacy_load_config(path, overrides=overrides or {}, interpolate=False)


def resolve_config(config: Config) -> Dict[str, Any]:
    """Interpolate and resolve the registered functions; check every plain setting."""
    from spacy.util import registry

    resolved = registry.resolve(config.interpolate(), validate=True)
    for section, cls in (("system", SystemSettings), ("vocab", VocabSettings), ("training", TrainingSettings)):
        resolved[section] = _settings(cls, section, resolved.get(section, {}))
    training = resolved["training"]
    for key in ("max_steps", "batch_max_tokens", "batch_max_sentences", "checkpoint_every", "eval_every", "log_every",
                "bucket_pool_batches"):
        if getattr(training, key) < 1:
            raise ValueError(Errors.E310.format(section="training", key=key, value=getattr(training, key),
                                                reason="must be at least 1"))
    for key in ("token_dropout", "output_dropout"):
        if not 0.0 <= getattr(training, key) < 1.0:
            raise ValueError(Errors.E310.format(section="training", key=key, value=getattr(training, key),
                                                reason="must be in [0, 1)"))
    if training.amp_dtype not in ("bfloat16", "float16"):
        raise ValueError(Errors.E310.format(section="training", key="amp_dtype", value=training.amp_dtype,
                                            reason="use 'bfloat16' or 'float16'"))
    if training.optimizer is None or training.learn_rate is None:
        raise ValueError(Errors.E310.format(section="training", key="optimizer / learn_rate", value=None,
                                            reason="both sub-sections are required"))
    return resolved


def _settings(cls, section: str, values: Dict[str, Any]):
    known = {f.name for f in fields(cls)}
    for key, value in values.items():
        if key not in known:
            raise ValueError(Errors.E310.format(section=section, key=key, value=value,
                                                reason=f"unknown setting; known: {', '.join(sorted(known))}"))
    return cls(**values)
