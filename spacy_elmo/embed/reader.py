"""Input corpora for `embed`: one text per line, plain or JSONL."""
import json
from pathlib import Path
from typing import Iterator

from ..errors import Errors


def detect_format(path: Path, value: str) -> str:
    if value != "auto":
        return value
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson") else "text"


def read_texts(path: Path, *, format: str = "auto", field: str = "text") -> Iterator[str]:
    """Yield one text per line ('text': the stripped line; 'jsonl': obj[field]). Blank
    lines give empty texts, so that line i of the input is entry i of the output."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(Errors.E215.format(path=path))
    format = detect_format(path, format)
    with path.open(encoding="utf-8") as file_:
        for number, line in enumerate(file_, start=1):
            if format == "text":
                yield line.strip()
                continue
            if not line.strip():
                yield ""
                continue
            try:
                obj = json.loads(line)
                text = obj[field]
                if not isinstance(text, str):
                    raise TypeError(f"{field!r} is {type(text).__name__}, not a string")
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(Errors.E217.format(path=path, line=number, field=field, error=error)) from None
            yield text


def count_lines(path: Path) -> int:
    with Path(path).open("rb") as file_:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file_.read(1 << 20), b""))
