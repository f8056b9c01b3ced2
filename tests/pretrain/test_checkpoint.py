import os
import pickle
import random
import signal
import subprocess
import sys
import time

import pytest
import torch

from spacy_elmo.pretrain.checkpoint import (atomic_torch_save, load_checkpoint, remove_stale_temporaries,
                                            save_checkpoint)
from spacy_elmo.pretrain.loop import checkpoint_path, train

from .util import REPO_ROOT, TINY_CONFIG, tiny_config, write_toy_corpus


class NotATensor:
    def __reduce__(self):
        return (print, ("unpickled!",))


def test_checkpoint_round_trip_and_refusals(tmp_path):
    path = tmp_path / "ckpt" / "last.pt"
    save_checkpoint(path, model={"w": torch.arange(3.0)}, state={"step": 4}, rng=[{"torch": torch.get_rng_state()}])
    payload = load_checkpoint(path)
    assert torch.equal(payload["model"]["w"], torch.arange(3.0)) and payload["state"] == {"step": 4}
    assert not [p for p in path.parent.iterdir() if p.name != "last.pt"]  # no temporary left
    # arbitrary pickled objects are refused (weights_only), as are truncated files and foreign files
    with open(tmp_path / "evil.pt", "wb") as handle:
        pickle.dump({"format": "spacy-elmo-pretrain", "version": 1, "x": NotATensor()}, handle)
    with pytest.raises(ValueError, match="Cannot read the training checkpoint"):
        load_checkpoint(tmp_path / "evil.pt")
    data = path.read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="Cannot read the training checkpoint"):
        load_checkpoint(tmp_path / "cut.pt")
    atomic_torch_save({"something": "else"}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a spacy-elmo pretraining checkpoint"):
        load_checkpoint(tmp_path / "other.pt")


def test_a_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    save_checkpoint(path, state={"step": 1})

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError):
        save_checkpoint(path, state={"step": 2})
    monkeypatch.undo()
    assert load_checkpoint(path)["state"] == {"step": 1}
    (tmp_path / ".last.pt.123.tmp").write_bytes(b"partial")
    assert remove_stale_temporaries(tmp_path) == 1


def _cli(output, corpus, *extra):
    command = [sys.executable, "-m", "spacy_elmo", "pretrain", str(TINY_CONFIG), "--output", str(output),
               *extra]
    for key, value in _OVERRIDES(corpus).items():
        command += [f"--{key}", str(value)]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _OVERRIDES(corpus):
    return {"paths.train": corpus, "system.n_threads": 1, "model.char_embedding_dim": 4,
            "model.filters": "[[1,8],[2,8],[3,16]]", "model.cell_dim": 32, "model.projection_dim": 16,
            "vocab.min_count": 1, "training.batch_max_tokens": 300, "training.batch_max_sentences": 16,
            "training.bucket_pool_batches": 4, "training.log_every": 5, "training.show_progress": "false",
            "training.learn_rate.warmup_steps": 2, "training.learn_rate.initial_rate": 0.01,
            "training.max_steps": 150, "training.checkpoint_every": 3}


def _kill_after_a_checkpoint(process, ckpt, rng, min_step):
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        if ckpt.exists() and load_checkpoint(ckpt)["state"]["step"] >= min_step:
            break
        time.sleep(0.05)
    assert process.poll() is None, process.stdout.read().decode()
    time.sleep(rng.uniform(0.0, 0.5))  # anywhere: mid-step, mid-checkpoint-write, ...
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()


def test_kill_9_then_resume_finishes_with_the_uninterrupted_weights(tmp_path):
    corpus = write_toy_corpus(tmp_path / "train.txt", 400, seed=0)
    output = tmp_path / "out"
    ckpt = checkpoint_path(output)
    rng = random.Random(0)
    process = _cli(output, corpus)
    _kill_after_a_checkpoint(process, ckpt, rng, min_step=3)
    steps = []
    for attempt in range(2):
        payload = load_checkpoint(ckpt)  # never corrupt
        steps.append(payload["state"]["step"])
        assert payload["state"]["step"] % 3 == 0 and payload["state"]["step"] < 150
        process = _cli(output, corpus, "--resume")
        if attempt == 0:
            _kill_after_a_checkpoint(process, ckpt, rng, min_step=steps[-1] + 3)
    output_text = process.communicate(timeout=300)[0].decode()
    assert process.returncode == 0, output_text
    final = load_checkpoint(ckpt)
    assert final["state"]["step"] == 150 and steps[1] > steps[0]
    # the same run without interruption, in this process
    reference = train(tiny_config(corpus, **{k: v for k, v in _OVERRIDES(corpus).items()
                                             if k not in ("paths.train", "model.filters", "training.show_progress")}),
                      tmp_path / "reference")
    reference_state = load_checkpoint(checkpoint_path(tmp_path / "reference"))
    for name, tensor in reference_state["model"].items():
        assert torch.equal(tensor, final["model"][name]), name
    assert reference.summary["step"] == 150
