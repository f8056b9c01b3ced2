"""The spaCy project file runs end to end: `spacy project run ci` on a handful of docs."""
import json
import shutil
import subprocess
import sys

import pytest

from .conftest import REPO_ROOT


def _head_of_conll(source, target, n_sentences):
    blocks = source.read_text(encoding="utf-8").split("\n\n")
    target.write_text("\n\n".join(blocks[: n_sentences + 1]) + "\n", encoding="utf-8")


def _head_of_lines(source, target, n_lines):
    lines = source.read_text(encoding="utf-8").splitlines()[:n_lines]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def tiny_data(shared_dir, tmp_path):
    data = tmp_path / "data"
    (data / "conll2003").mkdir(parents=True)
    (data / "sst" / "trees").mkdir(parents=True)
    for name in ("eng.train", "eng.testa", "eng.testb"):
        _head_of_conll(shared_dir / "data" / "conll2003" / name, data / "conll2003" / name, 30)
    for name in ("train.txt", "dev.txt", "test.txt"):
        _head_of_lines(shared_dir / "data" / "sst" / "trees" / name, data / "sst" / "trees" / name, 20)
    return data


def test_ci_workflow_converts_trains_evaluates_and_reports(tiny_data, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO_ROOT / "project.yml", project / "project.yml")
    shutil.copytree(REPO_ROOT / "configs", project / "configs")
    shutil.copytree(REPO_ROOT / "scripts", project / "scripts")
    command = [sys.executable, "-m", "spacy", "project", "run", "ci", str(project),
               "--vars.data_dir", str(tiny_data), "--vars.ner_steps", "3", "--vars.textcat_steps", "3",
               "--vars.eval_frequency", "2", "--vars.seeds", "0,1"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=project, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for run in ("ner-cnn", "ner-elmo-cnn", "textcat-elmo-cnn"):
        for split in ("dev", "test"):
            metrics = json.loads((project / "metrics" / f"{run}-{split}.json").read_text())
            assert "speed" in metrics
        log = (project / "training" / run / "log.jsonl").read_text().splitlines()
        assert log and "seconds" in json.loads(log[-1])
    table = (project / "metrics" / "results.md").read_text()
    assert "| ner-cnn |" in table and "| ner-elmo-cnn |" in table and "| textcat-elmo-cnn | SST-5 |" in table
    seeds = json.loads((project / "metrics" / "seeds" / "ner-cnn.json").read_text())
    assert sorted(seeds["per_seed"]) == ["0", "1"]
    assert (project / "training" / "seeds" / "ner-cnn-s1" / "model-best").is_dir()
    assert "| ner-cnn | ents_f | 0,1 |" in (project / "metrics" / "seeds.md").read_text()
