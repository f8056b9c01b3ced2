import json
import os
import subprocess
import sys

import torch
from safetensors.torch import load_file

from .util import REPO_ROOT, write_toy_corpus


def test_two_cpu_processes_hold_identical_weights(tmp_path):
    corpus = write_toy_corpus(tmp_path / "train.txt", 400, seed=0)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               str(REPO_ROOT / "tests" / "pretrain" / "ddp_worker.py"), str(corpus), str(tmp_path)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rank0, rank1 = load_file(str(tmp_path / "rank0.safetensors")), load_file(str(tmp_path / "rank1.safetensors"))
    assert rank0.keys() == rank1.keys() and len(rank0) > 10
    for name in rank0:
        assert torch.equal(rank0[name], rank1[name]), name
    records = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    start = next(r for r in records if r["event"] == "start")
    assert start["world_size"] == 2
    losses = [r["loss"] for r in records if r["event"] == "train"]
    assert len(losses) == 3 and losses[-1] < losses[0]
    # trained, not the shared initialisation: the checkpoint step is 12
    from spacy_elmo.pretrain.checkpoint import load_checkpoint

    payload = load_checkpoint(tmp_path / "run" / "checkpoint" / "last.pt")
    assert payload["state"]["step"] == 12 and payload["world_size"] == 2 and len(payload["rng"]) == 2
    assert not torch.equal(payload["rng"][0]["torch"], payload["rng"][1]["torch"])  # per-process streams
    for name in rank0:
        assert torch.equal(payload["model"][name], rank0[name])
