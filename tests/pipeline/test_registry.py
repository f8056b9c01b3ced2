"""Every registered name resolves; the shipped configs fill and validate."""
import configparser
import os

import pytest
from spacy.language import Language
from spacy.util import registry

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = ["ner_elmo.cfg", "ner_elmo_cpu.cfg", "ner_elmo_only_cpu.cfg", "textcat_elmo.cfg", "textcat_elmo_cpu.cfg",
           "textcat_elmo_hash_cpu.cfg", "ner_cnn.cfg", "textcat_cnn.cfg"]


def entry_points():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(REPO, "setup.cfg"))
    section = parser["options.entry_points"]
    for group in ("spacy_factories", "spacy_architectures", "spacy_misc", "spacy_readers", "spacy_loggers"):
        for line in section.get(group, "").strip().splitlines():
            name, target = (part.strip() for part in line.split("="))
            yield group, name, target


ENTRY_POINTS = list(entry_points())


def test_setup_cfg_declares_the_glue():
    names = {name for _, name, _ in ENTRY_POINTS}
    assert {"elmo", "spacy_elmo.ElmoModel.v1", "spacy_elmo.ElmoListener.v1", "spacy_elmo.ElmoTok2Vec.v1",
            "spacy_elmo.sent_spans.v1", "spacy_elmo.strided_spans.v1", "spacy_elmo.AllenNLPLoader.v1"} <= names


@pytest.mark.parametrize("group,name,target", ENTRY_POINTS, ids=[e[1] for e in ENTRY_POINTS])
def test_registered_name_resolves(group, name, target):
    module, function = target.split(":")
    expected = getattr(__import__(module, fromlist=[function]), function)
    if group == "spacy_factories":
        assert Language.has_factory(name)
        assert Language.get_factory_meta(name).factory == name
    else:
        table = {"spacy_architectures": registry.architectures, "spacy_misc": registry.misc, "spacy_readers": registry.readers, "spacy_loggers": registry.loggers}[group]
        assert table.get(name) is expected


@pytest.mark.parametrize("name", CONFIGS)
def test_shipped_configs_fill_and_validate(name, allennlp_fixture, tmp_path, capsys):
    from spacy.cli.debug_config import debug_config
    from spacy.cli.init_config import fill_config

    path = os.path.join(REPO, "configs", name)
    fill_config(tmp_path / "filled.cfg", path, silent=True)
    train = tmp_path / "empty.spacy"
    from spacy.tokens import DocBin

    DocBin().to_disk(train)
    overrides = {"paths.train": str(train), "paths.dev": str(train),
                 "paths.elmo_options": str(allennlp_fixture / "options.json"),
                 "paths.elmo_weights": str(allennlp_fixture / "lm_weights.hdf5")}
    debug_config(tmp_path / "filled.cfg", overrides=overrides)
    assert "Config is valid" in capsys.readouterr().out
