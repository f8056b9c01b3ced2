"""The frozen-feature cache of the elmo component: in memory, on disk, and off when fine-tuning."""
from spacy_elmo.layers.elmo_model import get_state

from ..elmo_helpers import ner_textcat_nlp, train_examples


def run_epochs(nlp, n):
    examples = train_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(n):
        nlp.update(examples, sgd=optimizer)
    return get_state(nlp.get_pipe("elmo").model)


def test_disk_cache_is_reused_by_a_new_run(allennlp_fixture, tmp_path):
    state = run_epochs(ner_textcat_nlp(allennlp_fixture, cache_dir=str(tmp_path)), 1)
    assert state.n_bilm_calls >= 1
    assert (tmp_path / "elmo_features.sqlite").is_file()
    again = run_epochs(ner_textcat_nlp(allennlp_fixture, cache_dir=str(tmp_path)), 2)
    assert again.n_bilm_calls == 0  # every span read from the disk cache
    assert again.cache.hits == 2 * len(train_examples(ner_textcat_nlp(allennlp_fixture)))


def test_cache_size_zero_disables_the_cache(allennlp_fixture):
    state = run_epochs(ner_textcat_nlp(allennlp_fixture, cache_size_mb=0), 3)
    assert state.cache is None and state.n_bilm_calls == 3


def test_prediction_does_not_use_the_cache_before_training(allennlp_fixture):
    nlp = ner_textcat_nlp(allennlp_fixture)
    nlp.initialize(lambda: train_examples(nlp))
    state = get_state(nlp.get_pipe("elmo").model)
    nlp("Peter Blackburn flew to Brussels .")
    nlp("Peter Blackburn flew to Brussels .")
    assert state.cache.hits == 0 and len(state.cache) == 0 and state.n_bilm_calls == 2
