"""Shared helpers for the spaCy-glue tests (layers, pipeline, cli): the tiny fixture biLM."""
import contextlib
from pathlib import Path

import spacy
import torch

SENTENCES = [
    "The bank raised rates on Monday.",
    "Peter Blackburn flew to Brussels.",
    "It rained.",
    "The European Commission said on Thursday it disagreed with German advice to consumers.",
]


def fixture_paths(allennlp_fixture: Path):
    return allennlp_fixture / "options.json", allennlp_fixture / "lm_weights.hdf5"


def elmo_nlp(allennlp_fixture: Path, **config) -> "spacy.Language":
    options, weights = fixture_paths(allennlp_fixture)
    nlp = spacy.blank("en")
    nlp.add_pipe("elmo", config={"weights": str(weights), "options": str(options), **config})
    return nlp


LISTENER = {"@architectures": "spacy_elmo.ElmoListener.v1", "width": 32}

NER_MODEL = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 32,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    "tok2vec": LISTENER,
}

TEXTCAT_MODEL = {
    "@architectures": "spacy.TextCatReduce.v1",
    "exclusive_classes": True,
    "use_reduce_first": False,
    "use_reduce_last": False,
    "use_reduce_max": False,
    "use_reduce_mean": True,
    "nO": None,
    "tok2vec": LISTENER,
}

TRAIN_DATA = [
    ("Peter Blackburn flew to Brussels .", [(0, 15, "PER"), (24, 32, "LOC")], "POS"),
    ("EU rejects German call to boycott British lamb .", [(0, 2, "ORG"), (11, 17, "MISC"), (34, 41, "MISC")], "NEG"),
    ("The European Commission said on Thursday .", [(4, 23, "ORG")], "POS"),
    ("Japan beat Syria in Tokyo .", [(0, 5, "LOC"), (11, 16, "LOC"), (20, 25, "LOC")], "NEG"),
]


def train_examples(nlp):
    from spacy.training import Example

    examples = []
    for text, entities, label in TRAIN_DATA:
        cats = {"POS": float(label == "POS"), "NEG": float(label == "NEG")}
        examples.append(Example.from_dict(nlp.make_doc(text), {"entities": entities, "cats": cats}))
    return examples


def ner_textcat_nlp(allennlp_fixture: Path, *, textcat: bool = True, **elmo_config) -> "spacy.Language":
    nlp = elmo_nlp(allennlp_fixture, **elmo_config)
    nlp.add_pipe("ner", config={"model": NER_MODEL})
    if textcat:
        nlp.add_pipe("textcat", config={"model": TEXTCAT_MODEL})
    return nlp


@contextlib.contextmanager
def one_torch_thread():
    """The fixture biLM is tiny: one torch thread is fastest, and leaves the other core free."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
