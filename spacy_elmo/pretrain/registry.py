"""Registered functions of the pretraining config (`spacy_elmo.Name.v1`), in spaCy's registries.

Corpora are `@readers`, everything else `@misc`. Importing this module
registers them; pretrain/config.py imports it before resolving a config.
A published `.vN` never changes behaviour.
"""
from typing import Callable, Iterable, List, Optional

import torch
from spacy.util import registry

from ..model.config import ElmoConfig
from .corpus import TextCorpus
from .schedules import ConstantRate, WarmupDecay
from .softmax import AdaptiveSoftmax, FullSoftmax, SampledSoftmax, SoftmaxHead
from .tokenize import SpacyTokenizer

HeadBuilder = Callable[[int, int], SoftmaxHead]  # (input_dim, vocab_size) -> head
OptimizerBuilder = Callable[[Iterable[torch.nn.Parameter]], torch.optim.Optimizer]


@registry.readers("spacy_elmo.TextCorpus.v1")
def configure_text_corpus(path: Optional[str], format: str = "auto", skip_lines: Optional[str] = None, paragraphs: bool = False,
                          max_line_chars: int = 100_000, limit: int = 0) -> TextCorpus:
    """path: comma-separated files / directories / globs / zip archives; null = no corpus (e.g. no dev set)."""
    return TextCorpus(path=path, format=format, skip_lines=skip_lines, paragraphs=paragraphs,
                      max_line_chars=max_line_chars, limit=limit)


@registry.misc("spacy_elmo.SpacyTokenizer.v1")
def configure_tokenizer(lang: str = "en", split_sentences: bool = True, max_sentence_length: int = 100) -> SpacyTokenizer:
    return SpacyTokenizer(lang=lang, split_sentences=split_sentences, max_sentence_length=max_sentence_length)


@registry.misc("spacy_elmo.BiLMConfig.v1")
def configure_bilm(char_embedding_dim: int = 16, filters: List[List[int]] = [[1, 32], [2, 32], [3, 64], [4, 128], [5, 256], [6, 512], [7, 1024]],
                   n_highway: int = 1, activation: str = "relu", cell_dim: int = 1024, projection_dim: int = 128,
                   n_layers: int = 2, cell_clip: Optional[float] = 3.0, proj_clip: Optional[float] = 3.0,
                   use_skip_connections: bool = True, max_characters_per_token: int = 50) -> ElmoConfig:
    return ElmoConfig(char_embedding_dim=char_embedding_dim, filters=tuple(tuple(f) for f in filters),
                      n_highway=n_highway, activation=activation, cell_dim=cell_dim, projection_dim=projection_dim,
                      n_layers=n_layers, cell_clip=cell_clip, proj_clip=proj_clip,
                      use_skip_connections=use_skip_connections, max_characters_per_token=max_characters_per_token)


@registry.misc("spacy_elmo.FullSoftmax.v1")
def configure_full_softmax() -> HeadBuilder:
    return lambda input_dim, vocab_size: FullSoftmax(input_dim=input_dim, vocab_size=vocab_size)


@registry.misc("spacy_elmo.SampledSoftmax.v1")
def configure_sampled_softmax(n_samples: int = 8192) -> HeadBuilder:
    return lambda input_dim, vocab_size: SampledSoftmax(input_dim=input_dim, vocab_size=vocab_size, n_samples=n_samples)


@registry.misc("spacy_elmo.AdaptiveSoftmax.v1")
def configure_adaptive_softmax(cutoffs: List[int] = [2000, 10000], div_value: float = 4.0) -> HeadBuilder:
    return lambda input_dim, vocab_size: AdaptiveSoftmax(input_dim=input_dim, vocab_size=vocab_size,
                                                         cutoffs=cutoffs, div_value=div_value)


# Optimizers: the learning rate is set every step from [training.learn_rate].
@registry.misc("spacy_elmo.Adam.v1")
def configure_adam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0) -> OptimizerBuilder:
    return lambda params: torch.optim.Adam(params, lr=0.0, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)


@registry.misc("spacy_elmo.AdamW.v1")
def configure_adamw(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.01) -> OptimizerBuilder:
    return lambda params: torch.optim.AdamW(params, lr=0.0, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)


@registry.misc("spacy_elmo.Adagrad.v1")
def configure_adagrad(initial_accumulator_value: float = 1.0, eps: float = 1e-10) -> OptimizerBuilder:
    """bilm-tf's optimizer (learning rate 0.2, accumulator 1.0)."""
    return lambda params: torch.optim.Adagrad(params, lr=0.0, initial_accumulator_value=initial_accumulator_value, eps=eps)


@registry.misc("spacy_elmo.SGD.v1")
def configure_sgd(momentum: float = 0.0, nesterov: bool = False) -> OptimizerBuilder:
    return lambda params: torch.optim.SGD(params, lr=0.0, momentum=momentum, nesterov=nesterov)


@registry.misc("spacy_elmo.constant_rate.v1")
def configure_constant_rate(rate: float) -> ConstantRate:
    return ConstantRate(rate=rate)


@registry.misc("spacy_elmo.warmup_decay.v1")
def configure_warmup_decay(initial_rate: float, warmup_steps: int, total_steps: int, final_rate: float = 0.0,
                           shape: str = "linear") -> WarmupDecay:
    return WarmupDecay(initial_rate=initial_rate, warmup_steps=warmup_steps, total_steps=total_steps,
                       final_rate=final_rate, shape=shape)
