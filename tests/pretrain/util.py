"""Helpers for the pretraining tests: a toy corpus and a very small config."""
import random
from pathlib import Path
from typing import Any, Dict, Optional

from spacy_elmo.pretrain.config import load_config

REPO_ROOT = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO_ROOT / "configs" / "pretrain_bilm_cpu_tiny.cfg"

NOUNS = ["cat", "dog", "bird", "king", "queen", "farmer", "horse", "river", "tree", "house"]
ADJECTIVES = ["old", "young", "red", "quiet", "happy"]
VERBS = ["sees", "likes", "follows", "hears", "finds"]


def toy_sentences(n: int, seed: int = 0):
    rng = random.Random(seed)
    for _ in range(n):
        words = ["The", rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), "the", rng.choice(NOUNS)]
        if rng.random() < 0.5:
            words += ["near", "the", rng.choice(NOUNS)]
        yield " ".join(words) + "."


def write_toy_corpus(path: Path, n: int, seed: int = 0, per_line: int = 2) -> Path:
    """n sentences, per_line of them on each line (so the sentencizer has work to do)."""
    sentences = list(toy_sentences(n, seed))
    lines = [" ".join(sentences[i : i + per_line]) for i in range(0, n, per_line)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tiny_config(train: Path, dev: Optional[Path] = None, **overrides: Any):
    """The CPU-tiny config made smaller still (seconds per run), with overrides like {"training.max_steps": 5}."""
    values: Dict[str, Any] = {
        "paths.train": str(train),
        "paths.dev": str(dev) if dev else None,
        "system.n_threads": 1,
        "model.char_embedding_dim": 4,
        "model.filters": [[1, 8], [2, 8], [3, 16]],
        "model.cell_dim": 32,
        "model.projection_dim": 16,
        "vocab.min_count": 1,
        "training.batch_max_tokens": 300,
        "training.batch_max_sentences": 16,
        "training.bucket_pool_batches": 4,
        "training.log_every": 5,
        "training.show_progress": False,
        "training.learn_rate.warmup_steps": 2,
        "training.learn_rate.initial_rate": 0.01,
    }
    values.update(overrides)
    return load_config(TINY_CONFIG, values)
