import json

import pytest

from spacy_elmo.pretrain.plot import plot_log


def test_plot_writes_a_png(tmp_path):
    log = tmp_path / "log.jsonl"
    rows = [{"event": "start", "step": 0}]
    rows += [{"event": "train", "step": s, "loss": 5 - s / 10, "forward_loss": 5.1 - s / 10,
              "backward_loss": 4.9 - s / 10} for s in range(10, 50, 10)]
    rows += [{"event": "eval", "step": s, "forward_ppl": 90 - s, "backward_ppl": 85 - s, "mean_ppl": 87 - s}
             for s in (20, 40)]
    log.write_text("\n".join(json.dumps(r) for r in rows) + "\n{\"torn", encoding="utf-8")  # torn last line
    path = plot_log(tmp_path, tmp_path / "plots" / "curves.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_plot_without_training_records_is_a_clear_error(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps({"event": "start", "step": 0}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no training records"):
        plot_log(log, tmp_path / "x.png")
    with pytest.raises(FileNotFoundError):
        plot_log(tmp_path / "missing.jsonl", tmp_path / "x.png")
