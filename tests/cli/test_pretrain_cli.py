"""The pretrain / export / plot commands, driven through the typer app like a user would."""
import json
import subprocess
import sys

from typer.testing import CliRunner

from spacy_elmo import ElmoBiLM
from spacy_elmo.cli import app
from tests.pretrain.util import REPO_ROOT, TINY_CONFIG, write_toy_corpus

OVERRIDES = ["--system.n_threads", "1", "--model.char_embedding_dim", "4", "--model.filters", "[[1,8],[2,8]]",
             "--model.cell_dim", "32", "--model.projection_dim", "16", "--vocab.min_count", "1",
             "--training.batch_max_tokens", "300", "--training.log_every", "2", "--training.show_progress", "false"]


def test_pretrain_export_plot_commands(tmp_path):
    runner = CliRunner()
    train_file = write_toy_corpus(tmp_path / "train.txt", 200, seed=0)
    dev_file = write_toy_corpus(tmp_path / "dev.txt", 20, seed=1)
    output = tmp_path / "out"
    args = ["pretrain", str(TINY_CONFIG), "--output", str(output), "--paths.train", str(train_file),
            "--paths.dev", str(dev_file), "--training.eval_every", "2", *OVERRIDES]
    result = runner.invoke(app, args + ["--training.max_steps", "4"])
    assert result.exit_code == 0, result.output
    assert "Trained 4 steps" in result.output and "dev perplexity" in result.output
    log = [json.loads(line) for line in (output / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log if r["event"] == "train"] == [2, 4]
    saved = (output / "config.cfg").read_text()
    assert "max_steps = 4" in saved and str(train_file) in saved  # overrides are recorded

    # resume with a larger budget continues from step 4
    result = runner.invoke(app, args + ["--training.max_steps", "6", "--resume"])
    assert result.exit_code == 0, result.output
    assert "Trained 6 steps" in result.output

    # held-out perplexity of the saved model = the run's own last evaluation on the same file
    result = runner.invoke(app, ["perplexity", str(output), str(dev_file), "--n-threads", "1"])
    assert result.exit_code == 0, result.output
    measured = json.loads(result.output.splitlines()[0])
    log = [json.loads(line) for line in (output / "log.jsonl").read_text().splitlines()]
    last_eval = [r for r in log if r["event"] == "eval"][-1]
    assert last_eval["step"] == 6
    for key in ("forward_ppl", "backward_ppl", "mean_ppl", "n_predictions"):
        assert abs(measured[key] - last_eval[key]) <= 1e-4 * last_eval[key], key

    result = runner.invoke(app, ["export", str(output), "--format", "allennlp", "--output", str(tmp_path / "exp")])
    assert result.exit_code == 0, result.output
    model = ElmoBiLM.from_allennlp(tmp_path / "exp" / "options.json", tmp_path / "exp" / "weights.hdf5")
    assert model.config.cell_dim == 32

    result = runner.invoke(app, ["plot", str(output), "--output", str(tmp_path / "curves.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_errors_are_messages_not_tracebacks(tmp_path):
    runner = CliRunner()
    train_file = write_toy_corpus(tmp_path / "train.txt", 20, seed=0)
    result = runner.invoke(app, ["pretrain", str(TINY_CONFIG), "--output", str(tmp_path / "out"), "--resume",
                                 "--paths.train", str(train_file), *OVERRIDES])
    assert result.exit_code == 1 and "no checkpoint" in result.output
    result = runner.invoke(app, ["pretrain", str(TINY_CONFIG), "--output", str(tmp_path / "out"),
                                 "--paths.train", str(tmp_path / "missing.txt"), *OVERRIDES])
    assert result.exit_code == 1 and "Corpus source not found" in result.output
    result = runner.invoke(app, ["export", str(tmp_path), "--output", str(tmp_path / "x")])
    assert result.exit_code == 1 and "No trained biLM" in result.output


def test_commands_are_exposed_through_spacys_cli():
    done = subprocess.run([sys.executable, "-m", "spacy", "elmo", "--help"], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for command in ("pretrain", "export", "plot"):
        assert command in done.stdout
