"""Training with the shipped configs, the fixture biLM and a few real sentences."""
import os
import subprocess
import sys

import pytest
import spacy
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import load_config, load_model_from_config
from thinc.api import Adam

from spacy_elmo.data.conll import conll_to_docs, convert_conll

from ..elmo_helpers import fixture_paths

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def config_overrides(allennlp_fixture):
    options, weights = fixture_paths(allennlp_fixture)
    return {"paths.elmo_options": str(options), "paths.elmo_weights": str(weights)}


def conll_examples(nlp, path, n):
    references = []
    for doc in conll_to_docs(path, nlp.vocab, n_sents=1):
        if doc.ents:
            references.append(doc)
        if len(references) == n:
            break
    return [Example(Doc(nlp.vocab, words=[t.text for t in r], spaces=[bool(t.whitespace_) for t in r]), r)
            for r in references]


@pytest.mark.parametrize("config_name", ["ner_elmo_cpu.cfg", "ner_elmo_cnn_cpu.cfg"])
def test_ner_loss_falls_and_pipeline_predicts(allennlp_fixture, conll_dir, config_name):
    config = load_config(os.path.join(REPO, "configs", config_name),
                         overrides=config_overrides(allennlp_fixture), interpolate=False)
    nlp = load_model_from_config(config, auto_fill=True)
    examples = conll_examples(nlp, conll_dir / "eng.train", 24)
    nlp.initialize(lambda: examples)
    optimizer = Adam(0.003)
    history = []
    for _ in range(40):
        losses = {}
        nlp.update(examples, sgd=optimizer, losses=losses, drop=0.1)
        history.append(float(losses["ner"]))
    assert sum(history[-5:]) < 0.25 * sum(history[:5]), history
    scores = nlp.evaluate(examples)
    assert scores["ents_f"] > 0.5, scores
    doc = nlp(examples[0].reference.text)
    assert doc.ents and doc._.elmo is not None


def test_spacy_train_cli_ner(allennlp_fixture, conll_dir, tmp_path):
    sample = tmp_path / "sample.conll"
    blocks = (conll_dir / "eng.train").read_text(encoding="utf-8").split("\n\n")
    sample.write_text("\n\n".join(blocks[:60]) + "\n", encoding="utf-8")
    convert_conll(sample, tmp_path / "train.spacy", n_sents=10)
    options, weights = fixture_paths(allennlp_fixture)
    command = [sys.executable, "-m", "spacy", "train", os.path.join(REPO, "configs", "ner_elmo_cpu.cfg"),
               "--output", str(tmp_path / "out"), "--paths.train", str(tmp_path / "train.spacy"),
               "--paths.dev", str(tmp_path / "train.spacy"), "--paths.elmo_options", str(options),
               "--paths.elmo_weights", str(weights), "--training.max_steps", "12", "--training.eval_frequency", "6"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    nlp = spacy.load(tmp_path / "out" / "model-last")
    assert nlp.pipe_names == ["elmo", "ner"]
    doc = nlp("EU rejects German call to boycott British lamb .")
    assert doc._.elmo.layers.shape == (3, len(doc), 32)


def test_textcat_config_trains(allennlp_fixture, shared_dir, tmp_path):
    from spacy.cli.train import train

    nlp = spacy.blank("en")
    lines = (shared_dir / "data" / "sst" / "tabular" / "sst_train.txt").read_text(encoding="utf-8").splitlines()[:40]
    doc_bin = DocBin()
    for line in lines:
        label, text = line.split("\t", 1)
        doc = nlp.make_doc(text)
        positive = int(label.replace("__label__", "")) >= 3
        doc.cats = {"POS": float(positive), "NEG": float(not positive)}
        doc_bin.add(doc)
    doc_bin.to_disk(tmp_path / "sst.spacy")
    overrides = {**config_overrides(allennlp_fixture), "paths.train": str(tmp_path / "sst.spacy"),
                 "paths.dev": str(tmp_path / "sst.spacy"), "training.max_steps": 8, "training.eval_frequency": 4}
    train(os.path.join(REPO, "configs", "textcat_elmo_cpu.cfg"), tmp_path / "out", overrides=overrides)
    trained = spacy.load(tmp_path / "out" / "model-last")
    cats = trained("A gorgeous , witty film .").cats
    assert set(cats) == {"POS", "NEG"} and abs(sum(cats.values()) - 1.0) < 1e-5
