"""The initialize-time weight loader: published, native and default weights."""
import pytest

from spacy_elmo import ElmoBiLM
from spacy_elmo.pipeline import loaders
from spacy_elmo.pipeline.loaders import build_allennlp_loader


def test_loader_reads_published_weights(allennlp_fixture):
    bilm = build_allennlp_loader(options=allennlp_fixture / "options.json", weights=allennlp_fixture / "lm_weights.hdf5")()
    assert bilm.output_dim == 32


def test_loader_reads_a_native_directory(allennlp_fixture, tmp_path):
    ElmoBiLM.from_allennlp(allennlp_fixture / "options.json", allennlp_fixture / "lm_weights.hdf5").to_disk(tmp_path)
    assert build_allennlp_loader(options=None, weights=tmp_path)().output_dim == 32


def test_no_paths_means_the_default_model(allennlp_fixture, tmp_path, monkeypatch):
    ElmoBiLM.from_allennlp(allennlp_fixture / "options.json", allennlp_fixture / "lm_weights.hdf5").to_disk(tmp_path)
    monkeypatch.setattr(loaders, "DEFAULT_MODEL_DIR", tmp_path)
    assert build_allennlp_loader(options=None, weights=None)().output_dim == 32
    monkeypatch.setattr(loaders, "DEFAULT_MODEL_DIR", tmp_path / "missing")
    with pytest.raises(ValueError, match="no default model is installed"):
        build_allennlp_loader(options=None, weights=None)()


def test_options_without_weights(allennlp_fixture):
    with pytest.raises(ValueError, match="options path but no weights path"):
        build_allennlp_loader(options=allennlp_fixture / "options.json", weights=None)()
