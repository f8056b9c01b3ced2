"""Longer end-to-end checks on the shared corpora (opt-in: pytest --runslow)."""
import json

import pytest
import torch

from spacy_elmo import ElmoBiLM
from spacy_elmo.pretrain.config import load_config
from spacy_elmo.pretrain.export import export_model
from spacy_elmo.pretrain.heldout import evaluate_heldout
from spacy_elmo.pretrain.loop import train

from .util import REPO_ROOT

CONFIGS = REPO_ROOT / "configs"


@pytest.mark.slow
def test_default_english_config_end_to_end(tmp_path, shared_dir):
    """The default model's whole path on its full corpus, for a few steps: read, train, evaluate, export <= 10 MB."""
    data = shared_dir / "data"
    config = load_config(CONFIGS / "pretrain_bilm_default_en.cfg", {
        "paths.data": str(data), "training.max_steps": 30, "training.eval_every": 30, "training.log_every": 10,
        "training.eval_max_sentences": 300, "training.show_progress": False})
    result = train(config, tmp_path / "run")
    stats = json.loads((tmp_path / "run" / "corpus_stats.json").read_text())
    assert stats["train"]["tokens"] > 5_000_000 and stats["vocab_size"] == 50_000
    losses = [json.loads(line)["loss"] for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()
              if '"train"' in line]
    assert losses[-1] < losses[0]
    files = export_model(tmp_path / "run", tmp_path / "default_model", format="native", dtype="float16")
    assert sum(p.stat().st_size for p in files.values()) <= 10 * 1000 * 1000
    loaded = ElmoBiLM.from_disk(tmp_path / "default_model")
    sentence = [["The", "bank", "raised", "rates", "."]]
    with torch.no_grad():
        expected = result.model.bilm.eval().embed_sentences(sentence)[0]
    torch.testing.assert_close(torch.from_numpy(loaded.embed_sentences(sentence)[0]), torch.from_numpy(expected),
                               atol=2e-2, rtol=2e-2)  # float16 storage
    heldout = evaluate_heldout(tmp_path / "run", str(data / "lm1b_heldout" / "1b_benchmark.test.tokens"),
                               limit_sentences=300)
    assert 1 < heldout.mean_ppl < 50_000


@pytest.mark.slow
def test_published_small_config_trains_on_cpu(tmp_path, shared_dir):
    config = load_config(CONFIGS / "pretrain_bilm.cfg", {
        "paths.train": str(shared_dir / "data" / "tiny_shakespeare" / "input.txt"), "system.device": "cpu",
        "softmax.n_samples": 1024, "training.max_steps": 3, "training.log_every": 1, "training.batch_max_tokens": 800,
        "training.mixed_precision": False, "training.show_progress": False})
    result = train(config, tmp_path / "run")
    assert result.model.bilm.config.n_filters == 2048 and result.summary["step"] == 3
    records = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert all(r["loss"] == r["loss"] for r in records if r["event"] == "train")
