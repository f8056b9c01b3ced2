"""Shared test settings: where ../shared lives, and the opt-in slow marker.

The data path comes from `--shared-dir`, else the SPACY_ELMO_SHARED environment
variable, else `../shared` next to the repository. Tests that need it skip with
the reason when it is absent; CI sets SPACY_ELMO_REQUIRE_SHARED=1 so that such a
skip fails the run instead.
"""
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--shared-dir", default=None, help="path of the shared data/fixtures folder (default ../shared)")
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture(scope="session")
def shared_dir(request) -> Path:
    path = request.config.getoption("--shared-dir") or os.environ.get("SPACY_ELMO_SHARED") or REPO_ROOT.parent / "shared"
    path = Path(path)
    if not (path / "fixtures").is_dir():
        message = f"shared data not found at {path}: pass --shared-dir or set SPACY_ELMO_SHARED"
        if os.environ.get("SPACY_ELMO_REQUIRE_SHARED"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def allennlp_fixture(shared_dir) -> Path:
    return shared_dir / "fixtures" / "allennlp_elmo"


@pytest.fixture(scope="session")
def reference_small(shared_dir) -> Path:
    return shared_dir / "fixtures" / "reference_small"


@pytest.fixture(scope="session")
def conll_dir(shared_dir) -> Path:
    return shared_dir / "data" / "conll2003"
