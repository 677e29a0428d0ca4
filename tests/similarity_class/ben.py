"""Honest student "ben": stacked weights [W_aa | W_ax], lists stacked at the end, indexing the cache.

Data for tests/test_similarity.py (see ada.py for the format).
"""

# %% rnn_cell_forward
def rnn_cell_forward(xt, a_prev, parameters):
    stacked_input = np.concatenate([a_prev, xt], axis=0)
    W = np.concatenate([parameters["Waa"], parameters["Wax"]], axis=1)
    a_next = np.tanh(W @ stacked_input + parameters["ba"])
    logits = parameters["Wya"] @ a_next + parameters["by"]
    return a_next, softmax(logits), (a_next, a_prev, xt, parameters)

# %% rnn_forward
def rnn_forward(x, a0, parameters):
    activations, predictions, caches = [], [], []
    a_t = a0
    for x_t in np.moveaxis(x, 2, 0):
        a_t, y_t, c = rnn_cell_forward(x_t, a_t, parameters)
        activations.append(a_t)
        predictions.append(y_t)
        caches.append(c)
    return np.stack(activations, axis=2), np.stack(predictions, axis=2), (caches, x)

# %% rnn_cell_backward
def rnn_cell_backward(da_next, cache):
    n_a = cache[1].shape[0]
    dz = da_next * (1.0 - np.square(cache[0]))
    W = np.hstack((cache[3]["Waa"], cache[3]["Wax"]))
    inputs = np.vstack((cache[1], cache[2]))
    d_inputs = W.T @ dz
    d_W = dz @ inputs.T
    return {"da_prev": d_inputs[:n_a], "dxt": d_inputs[n_a:],
            "dWaa": d_W[:, :n_a], "dWax": d_W[:, n_a:],
            "dba": dz.sum(axis=1).reshape(-1, 1)}

# %% rnn_backward
def rnn_backward(da, caches):
    step_caches, x = caches
    upstream = np.zeros_like(da[:, :, 0])
    per_step = []
    for t in reversed(range(len(step_caches))):
        grads_t = rnn_cell_backward(da[:, :, t] + upstream, step_caches[t])
        upstream = grads_t["da_prev"]
        per_step.insert(0, grads_t)
    dx = np.stack([g["dxt"] for g in per_step], axis=-1)
    return {"dx": dx, "da0": upstream,
            "dWax": sum(g["dWax"] for g in per_step),
            "dWaa": sum(g["dWaa"] for g in per_step),
            "dba": sum(g["dba"] for g in per_step)}

# %% find_buggy_gradient
import itertools


def numerical_gradient(f, x, eps=1e-6):
    def value_at(index, value):
        x[index] = value
        return f()

    grad = np.empty(x.shape)
    for index in itertools.product(*[range(n) for n in x.shape]):
        centre = float(x[index])
        grad[index] = (value_at(index, centre + eps) - value_at(index, centre - eps)) / eps / 2
        x[index] = centre
    return grad


def find_buggy_gradient(cell_backward_fn, seed=0):
    shapes = {"xt": (3, 2), "a_prev": (4, 2), "Wax": (4, 3), "Waa": (4, 4), "Wya": (2, 4),
              "ba": (4, 1), "by": (2, 1), "da_next": (4, 2)}
    rng = np.random.default_rng(seed)
    v = {name: rng.standard_normal(shape) for name, shape in shapes.items()}
    parameters = {key: v[key] for key in ("Wax", "Waa", "Wya", "ba", "by")}

    def forward():
        return np.tanh(v["Waa"] @ v["a_prev"] + v["Wax"] @ v["xt"] + v["ba"])

    grads = cell_backward_fn(v["da_next"], (forward(), v["a_prev"], v["xt"], parameters))
    errors = {}
    for key in ("dxt", "da_prev", "dWax", "dWaa", "dba"):
        target = v[key[1:]]   # "dWax" -> "Wax"
        numeric = numerical_gradient(lambda: float((forward() * v["da_next"]).sum()), target)
        errors[key] = relative_error(grads[key], numeric)
    name = max(errors, key=lambda k: errors[k])
    return (name if errors[name] > 1e-7 else None), errors
