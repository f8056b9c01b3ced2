"""spaCy tokenization and sentence splitting for pretraining, so training tokens are inference tokens.

This is the only pretraining module (with corpus.py) that imports spaCy.
"""
from types import SimpleNamespace
from typing import Iterable, Iterator, List

from ..errors import Errors


class SpacyTokenizer:
    """Text -> sentences of token strings, with the tokenizer of spaCy's language `lang`.

    split_sentences: split each text into sentences with spaCy's rule-based
    `sentencizer` (else one text = one sentence). Whitespace tokens are dropped.
    Sentences longer than max_sentence_length tokens are cut into pieces of at most
    that length (the biLM is trained on sentences, and long ones cost memory).
    """

    def __init__(self, *, lang: str, split_sentences: bool = True, max_sentence_length: int = 100) -> None:
        if max_sentence_length < 1:
            raise ValueError(Errors.E310.format(section="tokenizer", key="max_sentence_length",
                                                value=max_sentence_length, reason="must be at least 1"))
        self.lang = lang
        self.split_sentences = split_sentences
        self.max_sentence_length = max_sentence_length
        self.vocab, self.tokenizer = _build_tokenizer(lang)
        if split_sentences:
            from spacy.pipeline import Sentencizer

            self.sentencizer = Sentencizer()

    def sentences_from_texts(self, texts: Iterable[str], *, batch_size: int = 256) -> Iterator[List[str]]:
        """Texts (one sentence or doc each) -> sentences of token strings, in order."""
        for doc in self.tokenizer.pipe(texts, batch_size=batch_size):
            yield from self.sentences_from_doc(doc)

    def sentences_from_doc(self, doc) -> Iterator[List[str]]:
        """A tokenized spaCy Doc -> its sentences (its own when set, else the sentencizer's)."""
        if self.split_sentences and not doc.has_annotation("SENT_START"):
            doc = self.sentencizer(doc)
        spans = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
        limit = self.max_sentence_length
        for span in spans:
            tokens = [token.text for token in span if not token.is_space]
            for start in range(0, len(tokens), limit):
                yield tokens[start : start + limit]


def _build_tokenizer(lang: str):
    """The tokenizer of spaCy's language `lang`, built from the language's default config.

    It is built directly rather than through spacy.blank(lang), so that reading a
    corpus does not instantiate a Language (and load every installed pipeline
    factory entry point).
    """
    try:
        from spacy.util import get_lang_class, registry
        from spacy.vocab import create_vocab

        lang_class = get_lang_class(lang)
        vocab = create_vocab(lang, lang_class.Defaults)
        factory = registry.resolve({"tokenizer": lang_class.default_config["nlp"]["tokenizer"]})["tokenizer"]
        tokenizer = factory(SimpleNamespace(vocab=vocab, Defaults=lang_class.Defaults, lang=lang))
    except (ImportError, KeyError, ValueError) as error:
        raise ValueError(Errors.E318.format(lang=lang, error=error)) from None
    return vocab, tokenizer
