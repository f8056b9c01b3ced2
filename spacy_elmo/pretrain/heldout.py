"""Perplexity of a saved pretraining run on a held-out file, read with the run's own tokenizer and reader."""
import os
from pathlib import Path
from typing import Optional, Union

import torch

from ..errors import Errors
from ..weights.native import load_native
from .batching import LMData
from .config import load_config, resolve_config
from .evaluate import Perplexity, evaluate_perplexity
from .export import find_model_dir
from .model import BiLMLanguageModel
from .softmax import SOFTMAX_NAME, load_head
from .vocab import Vocabulary

PathLike = Union[str, os.PathLike]


def evaluate_heldout(run_dir: PathLike, heldout: str, *, which: str = "last", limit_sentences: int = 0,
                     n_threads: int = 0, max_tokens: Optional[int] = None) -> Perplexity:
    """Forward, backward and mean perplexity of `run_dir`/model-{which} on `heldout`.

    heldout: any corpus path (see corpus.py), read like [corpora.dev] of the
    run's config.cfg (its format and options) with the run's tokenizer.
    """
    run_dir = Path(run_dir)
    model_dir = find_model_dir(run_dir, which=which)
    if not (model_dir / SOFTMAX_NAME).is_file():
        raise FileNotFoundError(Errors.E314.format(path=model_dir, which=f"model-{which} with {SOFTMAX_NAME}"))
    config = load_config(run_dir / "config.cfg", {"paths.train": heldout, "paths.dev": heldout})
    resolved = resolve_config(config)
    if n_threads > 0:
        torch.set_num_threads(n_threads)
    reader = resolved["corpora"].get("dev") or resolved["corpora"]["train"]
    store, _ = reader.read(resolved["tokenizer"], name="held-out")
    vocab = Vocabulary.from_file(model_dir / "vocab.txt")
    bilm = load_native(model_dir)
    head = load_head(resolved["softmax"](bilm.config.projection_dim, len(vocab)), model_dir / SOFTMAX_NAME)
    model = BiLMLanguageModel(bilm=bilm, head=head).eval()
    data = LMData(store=store, vocab=vocab, max_characters_per_token=bilm.config.max_characters_per_token)
    training = resolved["training"]
    return evaluate_perplexity(model, data, max_tokens=max_tokens or training.batch_max_tokens,
                               max_sentences=training.batch_max_sentences, limit_sentences=limit_sentences)
