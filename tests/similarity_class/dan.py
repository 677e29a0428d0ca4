"""Copy: "dan" took ada's answers, renamed every variable and reordered independent statements.

Data for tests/test_similarity.py (see ada.py for the format). The report must rank
(dan, ada) above every pair of honest students in every cell.
"""

# %% rnn_cell_forward
def rnn_cell_forward(xt, a_prev, parameters):
    bias_y = parameters["by"]
    W_out = parameters["Wya"]
    bias_h = parameters["ba"]
    W_rec = parameters["Waa"]
    W_in = parameters["Wax"]
    pre_activation = np.dot(W_rec, a_prev) + np.dot(W_in, xt) + bias_h
    h = np.tanh(pre_activation)
    saved = (h, a_prev, xt, parameters)
    probabilities = softmax(np.dot(W_out, h) + bias_y)
    return h, probabilities, saved

# %% rnn_forward
def rnn_forward(x, a0, parameters):
    batch, steps = x.shape[1:]
    n_hidden, n_out = parameters["Waa"].shape[0], parameters["Wya"].shape[0]
    history = []
    outputs = np.zeros((n_out, batch, steps))
    hidden = np.zeros((n_hidden, batch, steps))
    for step in range(steps):
        h_before = a0 if step == 0 else hidden[:, :, step - 1]
        hidden[:, :, step], outputs[:, :, step], c = rnn_cell_forward(x[:, :, step], h_before, parameters)
        history.append(c)
    return hidden, outputs, (history, x)

# %% rnn_cell_backward
def rnn_cell_backward(da_next, cache):
    (h, h_before, inp, params) = cache
    W_rec = params["Waa"]
    W_in = params["Wax"]
    g = (1 - h ** 2) * da_next
    grad_W_rec = np.dot(g, h_before.T)
    grad_h_before = np.dot(W_rec.T, g)
    grad_b = np.sum(g, axis=1, keepdims=True)
    grad_W_in = np.dot(g, inp.T)
    grad_inp = np.dot(W_in.T, g)
    result = {"dxt": grad_inp, "da_prev": grad_h_before, "dWax": grad_W_in, "dWaa": grad_W_rec, "dba": grad_b}
    return result

# %% rnn_backward
def rnn_backward(da, caches):
    all_caches, inputs = caches
    n_hidden, batch, steps = da.shape
    h1, h0, first_input, params = all_caches[0]
    n_in = first_input.shape[0]
    carried = np.zeros((n_hidden, batch))
    sums = {"dWax": 0.0, "dWaa": 0.0, "dba": 0.0}
    grad_inputs = np.zeros((n_in, batch, steps))
    for s in range(steps - 1, -1, -1):
        step_grads = rnn_cell_backward(da[:, :, s] + carried, all_caches[s])
        grad_inputs[:, :, s] = step_grads["dxt"]
        for key in sums:
            sums[key] = sums[key] + step_grads[key]
        carried = step_grads["da_prev"]
    return {"dx": grad_inputs, "da0": carried, **sums}

# %% find_buggy_gradient
def numerical_gradient(f, x, eps=1e-6):
    result = np.zeros(x.shape)
    flat_result = result.reshape(-1)
    flat = x.reshape(-1)   # same memory as x
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old - eps
        low = f()
        flat[j] = old + eps
        high = f()
        flat[j] = old
        flat_result[j] = (high - low) / (2 * eps)
    return result


def find_buggy_gradient(cell_backward_fn, seed=0):
    generator = np.random.default_rng(seed)
    n_x, n_a, n_y, m = 3, 4, 2, 2
    params = {"Wax": generator.standard_normal((n_a, n_x)), "Waa": generator.standard_normal((n_a, n_a)),
              "Wya": generator.standard_normal((n_y, n_a)), "ba": generator.standard_normal((n_a, 1)),
              "by": generator.standard_normal((n_y, 1))}
    inp = generator.standard_normal((n_x, m))
    h_before = generator.standard_normal((n_a, m))
    upstream = generator.standard_normal((n_a, m))

    def scalar():
        h = np.tanh(params["Wax"] @ inp + params["Waa"] @ h_before + params["ba"])
        return float(np.sum(h * upstream))

    h = np.tanh(params["Wax"] @ inp + params["Waa"] @ h_before + params["ba"])
    analytic = cell_backward_fn(upstream, (h, h_before, inp, params))
    checked = {"dxt": inp, "da_prev": h_before, "dWax": params["Wax"],
               "dWaa": params["Waa"], "dba": params["ba"]}
    errs = {}
    for key, arr in checked.items():
        estimate = numerical_gradient(scalar, arr)
        errs[key] = relative_error(analytic[key], estimate)
    biggest = max(errs, key=errs.get)
    if errs[biggest] > 1e-7:
        return biggest, errs
    return None, errs
