import pytest

from ..elmo_helpers import one_torch_thread


@pytest.fixture(autouse=True, scope="package")
def _one_torch_thread():
    with one_torch_thread():
        yield
