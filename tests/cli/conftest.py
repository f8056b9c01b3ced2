import pytest
import torch


@pytest.fixture(autouse=True, scope="package")
def _one_torch_thread():
    """The machine's cores are shared: the fixture biLM is tiny, one thread is fastest."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
