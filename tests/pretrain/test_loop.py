import json

import pytest
import torch

from spacy_elmo.pretrain.checkpoint import load_checkpoint
from spacy_elmo.pretrain.loop import checkpoint_path, train

from .util import tiny_config, write_toy_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    return write_toy_corpus(root / "train.txt", 400, seed=0), write_toy_corpus(root / "dev.txt", 60, seed=1)


def records(output, event):
    lines = (output / "log.jsonl").read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r["event"] == event]


def test_loss_falls_and_dev_perplexity_drops(tmp_path, corpus):
    train_file, dev_file = corpus
    config = tiny_config(train_file, dev_file, **{"training.max_steps": 60, "training.eval_every": 30})
    result = train(config, tmp_path / "out")
    losses = [r["loss"] for r in records(tmp_path / "out", "train")]
    evals = records(tmp_path / "out", "eval")
    assert len(losses) == 12 and losses[-1] < 0.6 * losses[0]
    assert [e["step"] for e in evals] == [30, 60] and evals[1]["mean_ppl"] < evals[0]["mean_ppl"]
    # uniform guessing gives the vocabulary size (27); the grammar's own perplexity is about 2.8
    assert evals[1]["mean_ppl"] < 27 / 3
    assert result.summary["dev"]["mean_ppl"] == evals[1]["mean_ppl"]
    for name in ("config.cfg", "vocab.txt", "corpus_stats.json", "model-last/model.safetensors",
                 "model-best/model.safetensors", "checkpoint/last.pt"):
        assert (tmp_path / "out" / name).is_file(), name
    record = records(tmp_path / "out", "train")[-1]
    assert record["tokens_per_s"] > 0 and record["tokens"] > 0


def _final_tensors(output):
    payload = load_checkpoint(checkpoint_path(output))
    return payload


def _assert_same_training_state(a, b):
    assert a["state"]["step"] == b["state"]["step"]
    assert (a["state"]["epoch"], a["state"]["batch_index"]) == (b["state"]["epoch"], b["state"]["batch_index"])
    for name, tensor in a["model"].items():
        assert torch.equal(tensor, b["model"][name]), name
    for key, state in a["optimizer"]["state"].items():
        for field, value in state.items():
            assert torch.equal(torch.as_tensor(value), torch.as_tensor(b["optimizer"]["state"][key][field])), (key, field)
    assert torch.equal(a["rng"][0]["torch"], b["rng"][0]["torch"])


@pytest.mark.parametrize("softmax", ["sampled", "adaptive"])
def test_resume_is_exact(tmp_path, corpus, softmax):
    """N steps straight == k steps, stop, resume, N - k more steps: bit-identical weights and optimizer.

    With dropout on, a sampled softmax (random negatives) and an epoch boundary in between.
    """
    train_file, _ = corpus
    head = {"sampled": {"softmax": {"@misc": "spacy_elmo.SampledSoftmax.v1", "n_samples": 8}},
            "adaptive": {"softmax": {"@misc": "spacy_elmo.AdaptiveSoftmax.v1", "cutoffs": [6, 15], "div_value": 2.0}}}
    overrides = {"training.max_steps": 16, "training.checkpoint_every": 100, "training.token_dropout": 0.2,
                 "training.output_dropout": 0.2, "training.batch_max_tokens": 600, "training.batch_max_sentences": 40}
    config = tiny_config(train_file, **overrides)
    config.update(head[softmax])  # a whole-section override
    straight = tmp_path / "straight"
    train(config, straight)
    resumed = tmp_path / "resumed"
    first = train(config, resumed, stop_at_step=7)
    assert first.summary["step"] == 7
    second = train(config, resumed, resume=True)
    assert second.summary["step"] == 16
    a, b = _final_tensors(straight), _final_tensors(resumed)
    assert a["state"]["epoch"] >= 1, "the run should cross an epoch boundary"
    _assert_same_training_state(a, b)
    # the resumed log has each step once
    steps = [r["step"] for r in records(resumed, "train")]
    assert steps == sorted(set(steps)) and steps[-1] == 16


def test_output_directory_rules(tmp_path, corpus):
    config = tiny_config(corpus[0], **{"training.max_steps": 2})
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        train(config, tmp_path / "out", resume=True)
    train(config, tmp_path / "out")
    with pytest.raises(FileExistsError, match="--resume"):
        train(config, tmp_path / "out")
    bigger = tiny_config(corpus[0], **{"training.max_steps": 2, "model.cell_dim": 48})
    with pytest.raises(ValueError, match="does not fit the current config"):
        train(bigger, tmp_path / "out", resume=True)


def test_mixed_precision_runs_on_cpu_with_bfloat16(tmp_path, corpus):
    config = tiny_config(corpus[0], **{"training.max_steps": 10, "training.mixed_precision": True})
    train(config, tmp_path / "out")
    losses = [r["loss"] for r in records(tmp_path / "out", "train")]
    assert len(losses) == 2 and all(loss == loss and loss < 10 for loss in losses)


def test_bad_settings_are_clear_errors(tmp_path, corpus):
    with pytest.raises(ValueError, match=r"\[training\] batch_max_tokens"):
        train(tiny_config(corpus[0], **{"training.batch_max_tokens": 0}), tmp_path / "a")
    config = tiny_config(corpus[0])
    config["training"]["not_a_setting"] = 1
    with pytest.raises(ValueError, match="unknown setting"):
        train(config, tmp_path / "b")


def test_bad_files_in_the_corpus_are_skipped_and_reported(tmp_path, corpus):
    data = tmp_path / "data"
    data.mkdir()
    (data / "good.txt").write_text(corpus[0].read_text(encoding="utf-8"), encoding="utf-8")
    (data / "empty.txt").write_bytes(b"")
    (data / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 50)
    (data / "latin1.txt").write_bytes("Caf\u00e9 au lait.\n".encode("latin-1") + b"Fine line.\n" + b"z" * 300_000 + b"\n")
    result = train(tiny_config(data, **{"training.max_steps": 4, "corpora.train.max_line_chars": 100_000}), tmp_path / "out")
    assert result.summary["step"] == 4
    start = records(tmp_path / "out", "start")[0]
    assert start["corpus_skipped"] == {"binary_files": 1, "invalid_utf8": 1, "too_long": 1}
    stats = json.loads((tmp_path / "out" / "corpus_stats.json").read_text())
    assert stats["train"]["files"] == 4 and stats["train"]["skipped"] == start["corpus_skipped"]


def test_max_epochs_stops_at_the_end_of_the_data(tmp_path, corpus):
    config = tiny_config(corpus[0], corpus[1], **{"training.max_steps": 10_000, "training.max_epochs": 1,
                                                  "training.batch_max_tokens": 2000, "training.batch_max_sentences": 100})
    result = train(config, tmp_path / "out")
    end = records(tmp_path / "out", "end")[0]
    assert end["completed"] and result.summary["epoch"] == 1 and 0 < result.summary["step"] < 100
    assert records(tmp_path / "out", "eval")[-1]["step"] == result.summary["step"]


def test_resuming_with_another_number_of_processes_warns(tmp_path, corpus):
    from spacy_elmo.pretrain.checkpoint import save_checkpoint

    config = tiny_config(corpus[0], **{"training.max_steps": 4})
    train(config, tmp_path / "out", stop_at_step=2)
    payload = load_checkpoint(checkpoint_path(tmp_path / "out"))
    payload["world_size"] = 2
    payload["rng"] = payload["rng"] * 2
    save_checkpoint(checkpoint_path(tmp_path / "out"), **{k: v for k, v in payload.items() if k not in ("format", "version")})
    with pytest.warns(UserWarning, match="not bit-identical"):
        result = train(config, tmp_path / "out", resume=True)
    assert result.summary["step"] == 4


def test_resuming_on_another_corpus_warns(tmp_path, corpus):
    config = tiny_config(corpus[0], **{"training.max_steps": 4})
    train(config, tmp_path / "out", stop_at_step=2)
    other = write_toy_corpus(tmp_path / "other.txt", 300, seed=5)
    with pytest.warns(UserWarning, match="training corpus differs"):
        train(tiny_config(other, **{"training.max_steps": 4}), tmp_path / "out", resume=True)
