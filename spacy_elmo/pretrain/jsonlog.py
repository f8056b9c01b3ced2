"""The JSON-lines training log (one record per line, flushed as it is written)."""
import json
import os
import time
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Union

from ..errors import Errors


class JsonlLog:
    """Append records {"event": ..., "time": ..., **fields} to `path` (only on the main process)."""

    def __init__(self, path: Union[str, os.PathLike], *, enabled: bool = True,
                 keep_until_step: Optional[int] = None) -> None:
        self.path = Path(path)
        self.enabled = enabled
        if enabled and keep_until_step is not None and self.path.exists():
            self._truncate(keep_until_step)
        self._handle = open(self.path, "a", encoding="utf-8") if enabled else None

    def _truncate(self, step: int) -> None:
        """Drop records of steps after `step` (logged after the checkpoint a resumed run restarts from)."""
        kept = [line for line in self.path.read_text(encoding="utf-8").splitlines(keepends=True)
                if _record_step(line) is None or _record_step(line) <= step]
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text("".join(line if line.endswith("\n") else line + "\n" for line in kept), encoding="utf-8")
        os.replace(tmp, self.path)

    def write(self, event: str, **fields: Any) -> None:
        if self._handle is None:
            return
        self._handle.write(json.dumps({"event": event, "time": round(time.time(), 3), **fields}) + "\n")
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _record_step(line: str) -> Optional[int]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return 10**18  # a torn last line (killed writer) is dropped
    step = record.get("step") if isinstance(record, dict) else None
    return step if isinstance(step, int) else None


def read_log(path: Union[str, os.PathLike]) -> Iterator[Dict[str, Any]]:
    """The records of a log.jsonl; a torn last line is ignored."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(Errors.E317.format(path=path, error=error)) from None
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            if number == len(lines) - 1:
                return
            raise ValueError(Errors.E317.format(path=path, error=f"line {number + 1}: {error}")) from None
        if isinstance(record, dict):
            yield record
