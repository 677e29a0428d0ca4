"""Honest student "chi": helper functions, loops over examples, while loops, steps counted from 1.

Data for tests/test_similarity.py (see ada.py for the format).
"""

# %% rnn_cell_forward
def _affine(W, v, b):
    return W @ v + b


def rnn_cell_forward(xt, a_prev, parameters):
    n_a, m = a_prev.shape
    n_y = parameters["Wya"].shape[0]
    a_next = np.empty((n_a, m))
    yt_pred = np.empty((n_y, m))
    for i in range(m):
        pre = _affine(parameters["Waa"], a_prev[:, [i]], parameters["ba"]) + parameters["Wax"] @ xt[:, [i]]
        a_next[:, [i]] = np.tanh(pre)
        yt_pred[:, [i]] = softmax(_affine(parameters["Wya"], a_next[:, [i]], parameters["by"]))
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)

# %% rnn_forward
def rnn_forward(x, a0, parameters):
    T_x = x.shape[2]
    outputs = [None] * T_x
    caches = [None] * T_x
    states = [a0]
    t = 1
    while t <= T_x:
        a_t, y_t, caches[t - 1] = rnn_cell_forward(x[..., t - 1], states[t - 1], parameters)
        states.append(a_t)
        outputs[t - 1] = y_t
        t += 1
    a = np.dstack(states[1:])
    y_pred = np.dstack(outputs)
    return a, y_pred, (caches, x)

# %% rnn_cell_backward
def rnn_cell_backward(da_next, cache):
    a_next, a_prev, xt, parameters = cache
    grads = {"dxt": np.zeros_like(xt), "da_prev": np.zeros_like(a_prev),
             "dWax": np.zeros_like(parameters["Wax"]), "dWaa": np.zeros_like(parameters["Waa"]),
             "dba": np.zeros_like(parameters["ba"])}
    for i in range(xt.shape[1]):
        dz_i = da_next[:, i] * (1 - a_next[:, i] * a_next[:, i])
        grads["dxt"][:, i] = parameters["Wax"].T.dot(dz_i)
        grads["da_prev"][:, i] = parameters["Waa"].T.dot(dz_i)
        grads["dWax"] += np.outer(dz_i, xt[:, i])
        grads["dWaa"] += np.outer(dz_i, a_prev[:, i])
        grads["dba"][:, 0] += dz_i
    return grads

# %% rnn_backward
def _accumulate(total, grads, names):
    for name in names:
        total[name] += grads[name]


def rnn_backward(da, caches):
    cell_caches, x = caches
    parameters = cell_caches[0][3]
    result = {"dx": np.zeros(x.shape), "dWax": np.zeros(parameters["Wax"].shape),
              "dWaa": np.zeros(parameters["Waa"].shape), "dba": np.zeros(parameters["ba"].shape)}
    carry = 0
    t = x.shape[2]
    while t > 0:
        t -= 1
        step = rnn_cell_backward(da[..., t] + carry, cell_caches[t])
        result["dx"][..., t] = step["dxt"]
        _accumulate(result, step, ("dWax", "dWaa", "dba"))
        carry = step["da_prev"]
    result["da0"] = carry
    return result

# %% find_buggy_gradient
def numerical_gradient(f, x, eps=1e-6):
    out = np.zeros_like(x, dtype=np.float64)
    for flat in range(x.size):
        where = np.unravel_index(flat, x.shape)
        before = x[where]

        def shifted(delta):
            x[where] = before + delta
            return f()

        out[where] = (shifted(eps) - shifted(-eps)) / (eps + eps)
        x[where] = before
    return out


def find_buggy_gradient(cell_backward_fn, seed=0):
    rng = np.random.default_rng(seed)
    Wax = rng.normal(size=(4, 3)) * 0.3
    Waa = rng.normal(size=(4, 4)) * 0.3
    Wya = rng.normal(size=(2, 4)) * 0.3
    ba = rng.normal(size=(4, 1)) * 0.3
    by = rng.normal(size=(2, 1)) * 0.3
    xt = rng.normal(size=(3, 2))
    a_prev = rng.normal(size=(4, 2))
    upstream = rng.normal(size=(4, 2))
    params = dict(Wax=Wax, Waa=Waa, Wya=Wya, ba=ba, by=by)

    def objective():
        return float(np.vdot(upstream, np.tanh(Waa.dot(a_prev) + Wax.dot(xt) + ba)))

    analytic = cell_backward_fn(upstream, (np.tanh(Waa.dot(a_prev) + Wax.dot(xt) + ba),
                                           a_prev, xt, params))
    pairs = [("dxt", xt), ("da_prev", a_prev), ("dWax", Wax), ("dWaa", Waa), ("dba", ba)]
    errors = {name: relative_error(analytic[name], numerical_gradient(objective, array))
              for name, array in pairs}
    ranked = sorted(errors.items(), key=lambda item: item[1], reverse=True)
    worst_name, worst_error = ranked[0]
    if worst_error <= 1e-7:
        worst_name = None
    return worst_name, errors
