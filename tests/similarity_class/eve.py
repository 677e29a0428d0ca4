"""Copy: "eve" took course_lib's functions (course_lib.rnn, course_lib.gradcheck), renamed the
variables, rewrote the comments, re-wrapped the lines and adapted what the notebook does not
have (no g1/g2 arguments, the cache without the activation's name, caches as (list, x)).
find_buggy_gradient is left as released: that part of the cell is only the stub.

Data for tests/test_similarity.py (see ada.py for the format). The report must rank
(eve, course_lib) above every pair of honest students in the cells with a reference.
"""

# %% rnn_cell_forward
def rnn_cell_forward(xt, a_prev, parameters):
    # hidden state, then the output distribution
    h_new = np.tanh(parameters["Waa"] @ a_prev
                    + parameters["Wax"] @ xt
                    + parameters["ba"])
    y_hat = softmax(parameters["Wya"] @ h_new
                    + parameters["by"])
    return h_new, y_hat, (h_new, a_prev, xt, parameters)

# %% rnn_forward
def rnn_forward(x, a0, parameters):
    n_h = parameters["Waa"].shape[0]
    n_out = parameters["Wya"].shape[0]
    _, batch, steps = x.shape
    a = np.zeros((n_h, batch, steps))
    y_hat = np.zeros((n_out, batch, steps))
    step_caches = []
    h = a0
    for t in range(steps):
        # the prediction is written straight into its slice
        h, y_hat[:, :, t], c = rnn_cell_forward(x[:, :, t], h, parameters)
        a[:, :, t] = h
        step_caches.append(c)
    return a, y_hat, (step_caches, x)

# %% rnn_cell_backward
def rnn_cell_backward(da_next, cache):
    h, h_prev, inp, params = cache
    # through tanh: its derivative is 1 - h^2
    g = da_next * (1.0 - h**2)
    return {
        "dxt": params["Wax"].T @ g,
        "da_prev": params["Waa"].T @ g,
        "dWax": g @ inp.T,
        "dWaa": g @ h_prev.T,
        "dba": g.sum(axis=1,
                     keepdims=True),
    }

# %% rnn_backward
def rnn_backward(da, caches):
    caches, _ = caches
    if not caches:
        raise ValueError("no steps to go back through")
    h1, h0, x1, params = caches[0]
    n_h, batch = h1.shape
    n_in = x1.shape[0]
    steps = len(caches)
    out = {
        "dx": np.zeros((n_in, batch, steps)),
        "dWax": np.zeros_like(params["Wax"]),
        "dWaa": np.zeros_like(params["Waa"]),
        "dba": np.zeros_like(params["ba"]),
    }
    g_prev = np.zeros((n_h, batch))
    for t in reversed(range(steps)):
        s = rnn_cell_backward(da[:, :, t] + g_prev, caches[t])
        out["dx"][:, :, t] = s["dxt"]
        out["dWax"] += s["dWax"]
        out["dWaa"] += s["dWaa"]
        out["dba"] += s["dba"]
        g_prev = s["da_prev"]
    out["da0"] = g_prev
    return out

# %% find_buggy_gradient
def numerical_gradient(f, x, eps=1e-6):
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"need float64, got {getattr(x, 'dtype', type(x))}")
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        j = it.multi_index
        saved = x[j]
        x[j] = saved + eps
        hi = f()
        x[j] = saved - eps
        lo = f()
        x[j] = saved
        g[j] = (hi - lo) / (2 * eps)
    return g


def find_buggy_gradient(cell_backward_fn, seed=0):
    # YOUR CODE HERE
    raise NotImplementedError()
