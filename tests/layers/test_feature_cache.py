import numpy
import pytest

from spacy_elmo.layers.feature_cache import FeatureCache


def test_lru_is_bounded():
    cache = FeatureCache(max_bytes=3 * 400)
    arrays = {bytes([i]): numpy.full((1, 10, 10), i, dtype="float32") for i in range(5)}
    for key, array in arrays.items():
        cache.put(key, array)
    assert cache.n_bytes <= 1200 and len(cache) == 3
    assert cache.get(bytes([0])) is None and cache.get(bytes([1])) is None
    numpy.testing.assert_array_equal(cache.get(bytes([4])), arrays[bytes([4])])


def test_disk_cache_roundtrip_and_fingerprint(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache = FeatureCache(max_bytes=10**6, disk_path=path)
    cache.set_fingerprint("model-a")
    array = numpy.arange(24, dtype="float32").reshape(2, 3, 4)
    cache.put(b"key", array)
    cache.flush()
    again = FeatureCache(max_bytes=10**6, disk_path=path)
    again.set_fingerprint("model-a")
    numpy.testing.assert_array_equal(again.get(b"key"), array)
    other = FeatureCache(max_bytes=10**6, disk_path=path)
    other.set_fingerprint("model-b")
    assert other.get(b"key") is None


def test_unusable_disk_path_gives_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = FeatureCache(max_bytes=100, disk_path=blocker / "sub" / "cache.sqlite")
    with pytest.raises(ValueError, match="feature cache"):
        cache.set_fingerprint("x")
