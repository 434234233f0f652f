"""Every model of :data:`synthaug.models.MODELS`, found by discovery, follows the Model protocol."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synthaug.models import MODEL_NAMES, MODELS, Model, get_model


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_follows_the_protocol(name):
    model = get_model(name)
    assert isinstance(model, Model)
    assert model.name == name
    # static arguments of the jitted stages: hashable and equal by value
    assert hash(model) == hash(get_model(name)) and model == get_model(name)
    rng = np.random.default_rng(0)
    X = jnp.asarray(np.r_[rng.normal(0, 1, (40, 3)), rng.normal(1, 1, (20, 3))])
    y = jnp.r_[jnp.zeros(40), jnp.ones(20)]
    key = jax.random.key(0)
    aux = model.prepare(key, X)
    params = model.fit(aux, key, X, y, jnp.ones(60))
    losses = model.loss_values(aux, params, X, y)
    assert losses.shape == (60,) and bool(jnp.all(jnp.isfinite(losses)))
    # the fit beats the constant 0.5 predictor's log-loss (log 2) on separated classes,
    # or the 0.25 squared error of predicting 0.5
    assert float(losses.mean()) < (0.25 if name == "squared" else float(np.log(2)))
    assert model.decision(aux, params, X).shape == (60,)
    pool = X[40:]
    sized = model.fit_sizes(aux, key, X, y, pool, jnp.asarray([0, 10]))
    assert jax.tree_util.tree_leaves(sized)[0].shape[0] == 2


def test_get_model_errors():
    with pytest.raises(ValueError, match="unknown model 'nope'; choose one of logistic"):
        get_model("nope")
    with pytest.raises(ValueError, match="only be given with a model name"):
        get_model(get_model("logistic"), ridge=1.0)
    with pytest.raises(ValueError, match="is not a model: it lacks"):
        get_model(object())
    assert set(MODELS) == set(MODEL_NAMES)
