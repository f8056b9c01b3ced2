import numpy
import pytest

from spacy_elmo.layers.scalar_mix import build_scalar_mix


def inputs(seed=0):
    rng = numpy.random.default_rng(seed)
    return [rng.normal(size=(3, n, 4)).astype("float32") for n in (2, 5)]


def test_uniform_start():
    mix = build_scalar_mix()
    X = inputs()
    mix.initialize(X=X)
    for y, x in zip(mix.predict(X), X):
        numpy.testing.assert_allclose(y, x.mean(axis=0), rtol=1e-6, atol=1e-6)


def test_gradients_match_finite_differences():
    mix = build_scalar_mix()
    X = inputs()
    mix.initialize(X=X)
    mix.set_param("W", numpy.asarray([0.3, -0.2, 0.1], dtype="float32"))
    mix.set_param("gamma", numpy.asarray([1.5], dtype="float32"))
    rng = numpy.random.default_rng(2)
    R = [rng.normal(size=(x.shape[1], 4)).astype("float32") for x in X]

    def loss():
        return sum(float((y.astype("float64") * r).sum()) for y, r in zip(mix.predict(X), R))

    Y, backprop = mix.begin_update(X)
    dX = backprop(R)
    eps = 1e-3
    for name in ("W", "gamma"):
        param = mix.get_param(name).copy()
        grad = mix.get_grad(name)
        for i in range(len(param)):
            plus, minus = param.copy(), param.copy()
            plus[i] += eps
            minus[i] -= eps
            mix.set_param(name, plus)
            up = loss()
            mix.set_param(name, minus)
            down = loss()
            mix.set_param(name, param)
            assert grad[i] == pytest.approx((up - down) / (2 * eps), rel=1e-2, abs=1e-3)
    weights = numpy.exp([0.3, -0.2, 0.1])
    weights /= weights.sum()
    for dx, r in zip(dX, R):
        numpy.testing.assert_allclose(dx, 1.5 * weights[:, None, None] * r[None], rtol=1e-5, atol=1e-6)


def test_layer_dropout_drops_whole_layers():
    mix = build_scalar_mix(layer_dropout=0.5)
    X = [numpy.stack([numpy.full((2, 1), v, dtype="float32") for v in (1.0, 10.0, 100.0)])]
    mix.initialize(X=X)
    seen = set()
    for _ in range(50):
        y, _ = mix.begin_update(X)
        seen.add(round(float(y[0][0, 0]), 3))
    # one, two or three layers kept, never none: only averages of subsets of {1, 10, 100}
    allowed = {1.0, 10.0, 100.0, 5.5, 50.5, 55.0, 37.0}
    assert seen <= allowed and len(seen) > 1
    assert round(float(mix.predict(X)[0][0, 0]), 3) == 37.0
