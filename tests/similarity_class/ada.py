"""Honest student "ada": parameters unpacked into names, np.dot, gradients written one by one.

Data for tests/test_similarity.py, not a module to import: each ``# %% <grade_id>`` section is the
code this student typed into that answer cell of Assignment 2 (the test puts the released
docstrings back above it). The cells run after the notebook's setup cell (numpy as np, softmax)
and the locked cell with relative_error, as in the notebook.
"""

# %% rnn_cell_forward
def rnn_cell_forward(xt, a_prev, parameters):
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]
    z = np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba
    a_next = np.tanh(z)
    yt_pred = softmax(np.dot(Wya, a_next) + by)
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache

# %% rnn_forward
def rnn_forward(x, a0, parameters):
    n_a, n_y = parameters["Waa"].shape[0], parameters["Wya"].shape[0]
    m, T_x = x.shape[1:]
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    caches = []
    for t in range(T_x):
        # the previous activation is read back from the output array
        a_prev = a0 if t == 0 else a[:, :, t - 1]
        a[:, :, t], y_pred[:, :, t], cache = rnn_cell_forward(x[:, :, t], a_prev, parameters)
        caches.append(cache)
    return a, y_pred, (caches, x)

# %% rnn_cell_backward
def rnn_cell_backward(da_next, cache):
    (a_next, a_prev, xt, parameters) = cache
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    dtanh = (1 - a_next ** 2) * da_next
    dxt = np.dot(Wax.T, dtanh)
    dWax = np.dot(dtanh, xt.T)
    da_prev = np.dot(Waa.T, dtanh)
    dWaa = np.dot(dtanh, a_prev.T)
    dba = np.sum(dtanh, axis=1, keepdims=True)
    gradients = {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}
    return gradients

# %% rnn_backward
def rnn_backward(da, caches):
    cache_list, x = caches
    a1, a0, x1, parameters = cache_list[0]
    n_a, m, T_x = da.shape
    n_x = x1.shape[0]
    dx = np.zeros((n_x, m, T_x))
    totals = {"dWax": 0.0, "dWaa": 0.0, "dba": 0.0}
    da_prevt = np.zeros((n_a, m))
    for t in range(T_x - 1, -1, -1):
        g = rnn_cell_backward(da[:, :, t] + da_prevt, cache_list[t])
        dx[:, :, t] = g["dxt"]
        for name in totals:
            totals[name] = totals[name] + g[name]
        da_prevt = g["da_prev"]
    return {"dx": dx, "da0": da_prevt, **totals}

# %% find_buggy_gradient
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    flat_x = x.reshape(-1)   # a view: writing into it changes x
    flat_grad = grad.reshape(-1)
    for i in range(flat_x.size):
        keep = flat_x[i]
        flat_x[i] = keep + eps
        up = f()
        flat_x[i] = keep - eps
        down = f()
        flat_x[i] = keep
        flat_grad[i] = (up - down) / (2 * eps)
    return grad


def find_buggy_gradient(cell_backward_fn, seed=0):
    rng = np.random.default_rng(seed)
    n_x, n_a, n_y, m = 3, 4, 2, 2
    parameters = {"Wax": rng.standard_normal((n_a, n_x)), "Waa": rng.standard_normal((n_a, n_a)),
                  "Wya": rng.standard_normal((n_y, n_a)), "ba": rng.standard_normal((n_a, 1)),
                  "by": rng.standard_normal((n_y, 1))}
    xt = rng.standard_normal((n_x, m))
    a_prev = rng.standard_normal((n_a, m))
    da_next = rng.standard_normal((n_a, m))

    def loss():
        a_next = np.tanh(parameters["Wax"] @ xt + parameters["Waa"] @ a_prev + parameters["ba"])
        return float(np.sum(a_next * da_next))

    a_next = np.tanh(parameters["Wax"] @ xt + parameters["Waa"] @ a_prev + parameters["ba"])
    grads = cell_backward_fn(da_next, (a_next, a_prev, xt, parameters))
    targets = {"dxt": xt, "da_prev": a_prev, "dWax": parameters["Wax"],
               "dWaa": parameters["Waa"], "dba": parameters["ba"]}
    errors = {}
    for name, array in targets.items():
        numeric = numerical_gradient(loss, array)
        errors[name] = relative_error(grads[name], numeric)
    worst = max(errors, key=errors.get)
    if errors[worst] > 1e-7:
        return worst, errors
    return None, errors
