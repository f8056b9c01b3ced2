"""Corpus readers for pretraining: plain text, JSONL and .spacy -> a SentenceStore.

A corpus path is one or more comma-separated sources; each is a file, a
directory (every file below it, sorted), a glob, or a zip archive, optionally
with a member pattern: `data/state_union.zip::*.txt`. Bad input never crashes a
run midway: lines that are not valid UTF-8, contain NUL bytes (binary data), are
longer than `max_line_chars` or are not valid JSON objects with a string "text"
are skipped and counted; a corpus with no usable sentence is a clear error.
"""
import fnmatch
import glob
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from ..errors import Errors
from .store import SentenceStore
from .tokenize import SpacyTokenizer

FORMATS = ("auto", "text", "jsonl", "spacy")
_CHUNK = 1 << 16
_SNIFF_BYTES = 8192
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # C0 controls other than tab, newlines, form feed


@dataclass
class CorpusStats:
    """What a reader saw: files, lines, docs, sentences, tokens, and skipped items by reason."""

    files: int = 0
    lines: int = 0
    docs: int = 0
    sentences: int = 0
    tokens: int = 0
    skipped: Dict[str, int] = field(default_factory=Counter)

    def to_dict(self) -> Dict[str, object]:
        return {"files": self.files, "lines": self.lines, "docs": self.docs, "sentences": self.sentences,
                "tokens": self.tokens, "skipped": dict(sorted(self.skipped.items()))}


@dataclass(frozen=True)
class Source:
    """One readable unit: its display name, suffix and a function opening it in binary mode."""

    name: str
    suffix: str
    open: Callable[[], io.BufferedIOBase]


def expand_sources(path_spec: str) -> List[Source]:
    """'a.txt,dir/,b/*.jsonl,c.zip::*.txt' -> the files they name, in a stable order."""
    sources: List[Source] = []
    for part in (p.strip() for p in str(path_spec).split(",")):
        if not part:
            continue
        pattern: Optional[str] = None
        if "::" in part:
            part, pattern = part.split("::", 1)
        path = Path(part)
        if path.is_file() and zipfile.is_zipfile(path) and path.suffix == ".zip":
            sources.extend(_zip_sources(path, pattern))
        elif path.is_file():
            sources.append(_file_source(path))
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if pattern:
                files = [p for p in files if fnmatch.fnmatch(p.name, pattern)]
            sources.extend(_file_source(p) for p in files)
        elif glob.has_magic(part) and glob.glob(part):
            sources.extend(_file_source(Path(p)) for p in sorted(glob.glob(part)) if Path(p).is_file())
        else:
            raise FileNotFoundError(Errors.E300.format(path=part))
    return sources


def _file_source(path: Path) -> Source:
    return Source(str(path), path.suffix.lower(), lambda: open(path, "rb"))


def _zip_sources(path: Path, pattern: Optional[str]) -> List[Source]:
    with zipfile.ZipFile(path) as archive:
        members = sorted(m for m in archive.namelist() if not m.endswith("/"))
    if pattern:
        members = [m for m in members if fnmatch.fnmatch(m, pattern) or fnmatch.fnmatch(Path(m).name, pattern)]

    def opener(member: str) -> Callable[[], io.BufferedIOBase]:
        def open_member():
            archive = zipfile.ZipFile(path)
            handle = archive.open(member)
            handle.close_archive = archive.close  # type: ignore[attr-defined]
            return handle

        return open_member

    return [Source(f"{path}::{m}", Path(m).suffix.lower(), opener(m)) for m in members]


def iter_text_lines(handle, *, max_line_chars: int, stats: CorpusStats) -> Iterator[str]:
    """Binary lines -> stripped UTF-8 text lines ("" for blank ones); bad lines are counted in stats.skipped.

    A line is read at most max_line_chars * 4 bytes at a time, so a huge line
    (or a binary file without newlines) never has to fit in memory.
    """
    max_bytes = max_line_chars * 4 + 1
    while True:
        raw = handle.readline(max_bytes)
        if not raw:
            return
        stats.lines += 1
        if len(raw) >= max_bytes and not raw.endswith(b"\n"):
            while True:  # drop the rest of the over-long line
                rest = handle.readline(_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            stats.skipped["too_long"] += 1
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            stats.skipped["invalid_utf8"] += 1
            continue
        if _CONTROL.search(text):
            stats.skipped["binary"] += 1
            continue
        text = text.strip()
        if len(text) > max_line_chars:
            stats.skipped["too_long"] += 1
            continue
        yield text


class TextCorpus:
    """A corpus reader: sources (see module doc) in one format -> sentences of spaCy tokens.

    format: 'text' (one sentence or doc per line), 'jsonl' (one {"text": ...} per
    line), 'spacy' (DocBin; its tokens and sentences are used as they are) or
    'auto' (by suffix: .jsonl/.json -> jsonl, .spacy -> spacy, else text).
    skip_lines: a regex; text lines or JSONL texts matching it are skipped (e.g. markup).
    paragraphs: for hard-wrapped text (books): join consecutive non-blank lines into
    one doc, ended by a blank line (or when it reaches max_line_chars).
    max_line_chars: longer lines are skipped and counted. limit: stop after this many
    docs in all (0 = no limit). path None or "" means "no corpus" (is_empty; e.g. no dev set).
    """

    def __init__(self, *, path: Optional[str], format: str = "auto", skip_lines: Optional[str] = None,
                 paragraphs: bool = False, max_line_chars: int = 100_000, limit: int = 0) -> None:
        if format not in FORMATS:
            raise ValueError(Errors.E301.format(value=format, path=path))
        if max_line_chars < 1:
            raise ValueError(Errors.E310.format(section="corpora", key="max_line_chars", value=max_line_chars,
                                                reason="must be at least 1"))
        self.path = path
        self.format = format
        try:
            self.skip_lines = re.compile(skip_lines) if skip_lines else None
        except re.error as error:
            raise ValueError(Errors.E310.format(section="corpora", key="skip_lines", value=skip_lines,
                                                reason=f"not a regular expression ({error})")) from None
        self.paragraphs = paragraphs
        self.max_line_chars = max_line_chars
        self.limit = limit

    @property
    def is_empty(self) -> bool:
        return not self.path

    def read(self, tokenizer: SpacyTokenizer, *, name: str = "train") -> Tuple[SentenceStore, CorpusStats]:
        """Read every source into a SentenceStore; raises E302 when nothing usable was found."""
        store, stats = SentenceStore(), CorpusStats()
        sources = expand_sources(self.path or "")
        for source in sources:
            stats.files += 1
            kind = self._format_of(source)
            if kind == "spacy":
                sentences = self._spacy_sentences(source, tokenizer, stats)
            else:
                sentences = tokenizer.sentences_from_texts(self._texts(source, kind, stats))
            for sentence in sentences:
                if sentence:
                    store.add(sentence)
                    stats.sentences += 1
                    stats.tokens += len(sentence)
            if self.limit and stats.docs >= self.limit:
                break
        if len(store) == 0:
            raise ValueError(Errors.E302.format(name=name, n_files=stats.files, path=self.path,
                                                skipped=dict(stats.skipped) or "nothing"))
        return store.finish(), stats

    def _format_of(self, source: Source) -> str:
        if self.format != "auto":
            return self.format
        if source.suffix in (".jsonl", ".json"):
            return "jsonl"
        return "spacy" if source.suffix == ".spacy" else "text"

    def _texts(self, source: Source, kind: str, stats: CorpusStats) -> Iterator[str]:
        """The docs of one text or JSONL source, counted in stats.docs."""
        lines = self._lines(source, kind, stats)
        if self.paragraphs:
            lines = _join_paragraphs(lines, self.max_line_chars)
        for text in lines:
            if not text:
                continue
            if self.limit and stats.docs >= self.limit:
                return
            stats.docs += 1
            yield text

    def _lines(self, source: Source, kind: str, stats: CorpusStats) -> Iterator[str]:
        if _looks_binary(source):
            stats.skipped["binary_files"] += 1
            return
        handle = source.open()
        try:
            for line in iter_text_lines(handle, max_line_chars=self.max_line_chars, stats=stats):
                if kind == "jsonl" and line:
                    line = _json_text(line, stats)
                    if line is None:
                        continue
                if line and self.skip_lines is not None and self.skip_lines.search(line):
                    stats.skipped["skip_lines"] += 1
                    continue
                yield line
        finally:
            handle.close()
            getattr(handle, "close_archive", lambda: None)()

    def _spacy_sentences(self, source: Source, tokenizer: SpacyTokenizer, stats: CorpusStats) -> Iterator[List[str]]:
        from spacy.tokens import DocBin

        handle = source.open()
        try:
            data = handle.read()
        finally:
            handle.close()
            getattr(handle, "close_archive", lambda: None)()
        try:
            docs = list(DocBin().from_bytes(data).get_docs(tokenizer.vocab))
        except Exception as error:  # DocBin raises a variety of errors on damaged input
            raise ValueError(Errors.E303.format(path=source.name, error=f"{type(error).__name__}: {error}")) from None
        for doc in docs:
            if self.limit and stats.docs >= self.limit:
                return
            stats.docs += 1
            if len(doc) == 0:
                stats.skipped["empty"] += 1
                continue
            yield from tokenizer.sentences_from_doc(doc)


def _looks_binary(source: Source) -> bool:
    """A NUL byte in the first 8 KB: a binary file (as git and grep decide), skipped as a whole."""
    handle = source.open()
    try:
        head = handle.read(_SNIFF_BYTES)
    finally:
        handle.close()
        getattr(handle, "close_archive", lambda: None)()
    return b"\x00" in head


def _join_paragraphs(lines: Iterator[str], max_chars: int) -> Iterator[str]:
    """Lines -> paragraphs: runs of non-blank lines joined by spaces, at most about max_chars long."""
    parts: List[str] = []
    size = 0
    for line in lines:
        if line and size + len(line) + 1 <= max_chars:
            parts.append(line)
            size += len(line) + 1
            continue
        if parts:
            yield " ".join(parts)
        parts, size = ([line], len(line) + 1) if line else ([], 0)
    if parts:
        yield " ".join(parts)


def _json_text(line: str, stats: CorpusStats) -> Optional[str]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        stats.skipped["invalid_json"] += 1
        return None
    text = record.get("text") if isinstance(record, dict) else None
    if not isinstance(text, str):
        stats.skipped["no_text"] += 1
        return None
    text = text.strip()
    if not text:
        stats.skipped["empty"] += 1
        return None
    return text
