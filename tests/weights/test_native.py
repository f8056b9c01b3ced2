import numpy
import pytest
import torch

from spacy_elmo import ElmoBiLM, ElmoConfig
from spacy_elmo.weights import load_native, save_native

TINY = ElmoConfig(char_embedding_dim=4, filters=((1, 4), (2, 8)), n_highway=1, cell_dim=16, projection_dim=8)


def test_native_round_trip_is_exact(tmp_path):
    torch.manual_seed(0)
    model = ElmoBiLM(config=TINY).eval()
    model.to_disk(tmp_path / "bilm")
    restored = ElmoBiLM.from_disk(tmp_path / "bilm")
    assert restored.config == TINY
    for (name, a), (_, b) in zip(model.state_dict().items(), restored.state_dict().items()):
        assert torch.equal(a, b), name
    sentences = [["A", "tiny", "test"], ["."]]
    numpy.testing.assert_array_equal(model.embed_sentences(sentences)[0], restored.embed_sentences(sentences)[0])
    assert sorted(p.name for p in (tmp_path / "bilm").iterdir()) == ["config.json", "model.safetensors"]


def test_native_checkpoint_is_not_a_pickle(tmp_path):
    save_native(ElmoBiLM(config=TINY), tmp_path)
    header = (tmp_path / "model.safetensors").read_bytes()[:16]
    assert not header.startswith(b"\x80")  # pickle protocol marker
    assert b"PK" not in header[:2]  # torch.save zip archive


def test_corrupt_native_checkpoint(tmp_path):
    save_native(ElmoBiLM(config=TINY), tmp_path)
    data = (tmp_path / "model.safetensors").read_bytes()
    (tmp_path / "model.safetensors").write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match="Cannot read the spacy-elmo checkpoint"):
        load_native(tmp_path)


def test_checkpoint_that_does_not_fit_its_config(tmp_path):
    save_native(ElmoBiLM(config=TINY), tmp_path)
    (tmp_path / "config.json").write_text((tmp_path / "config.json").read_text().replace('"cell_dim": 16', '"cell_dim": 32'))
    with pytest.raises(ValueError, match="does not fit its config"):
        load_native(tmp_path)
