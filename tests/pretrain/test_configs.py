"""The shipped pretraining configs resolve, and have the sizes they promise."""
import pytest

from spacy_elmo.pretrain.config import load_config, resolve_config

from .util import REPO_ROOT

CONFIGS = REPO_ROOT / "configs"


def resolve(name, **overrides):
    return resolve_config(load_config(CONFIGS / name, overrides))


def test_published_small_size():
    resolved = resolve("pretrain_bilm.cfg", **{"paths.train": "x.txt"})
    model = resolved["model"]
    assert (model.char_embedding_dim, model.n_highway, model.cell_dim, model.projection_dim, model.n_layers) == \
        (16, 1, 1024, 128, 2)
    assert model.filters == ((1, 32), (2, 32), (3, 64), (4, 128), (5, 256), (6, 512), (7, 1024))
    assert resolved["corpora"]["dev"].is_empty


@pytest.mark.parametrize("name", ["pretrain_bilm_cpu_tiny.cfg", "pretrain_bilm_default_en.cfg"])
def test_cpu_configs_resolve(name):
    resolved = resolve(name, **{"paths.train": "x.txt"})
    assert resolved["training"].max_steps > 0 and resolved["system"].device == "cpu"


def test_default_model_fits_in_10_mb_as_float16():
    from spacy_elmo import ElmoBiLM

    model = ElmoBiLM(config=resolve("pretrain_bilm_default_en.cfg")["model"])
    assert sum(p.numel() for p in model.parameters()) * 2 < 10 * 1000 * 1000
