"""Partial copy: "fay" copied the first half of each of ben's functions and wrote the rest
herself. One of her comments carries markup, which the HTML report must show as text.

Data for tests/test_similarity.py (see ada.py for the format). The report must rank
(fay, ben) above every pair of honest students in every cell.
"""

# %% rnn_cell_forward
def rnn_cell_forward(xt, a_prev, parameters):
    stacked_input = np.concatenate([a_prev, xt], axis=0)
    W = np.concatenate([parameters["Waa"], parameters["Wax"]], axis=1)
    a_next = np.tanh(W @ stacked_input + parameters["ba"])
    # </pre><script>alert("fay")</script> my own output layer
    yt_pred = softmax(np.matmul(parameters["Wya"], a_next) + parameters["by"])
    cache = a_next, a_prev, xt, parameters
    return a_next, yt_pred, cache

# %% rnn_forward
def rnn_forward(x, a0, parameters):
    activations, predictions, caches = [], [], []
    a_t = a0
    for x_t in np.moveaxis(x, 2, 0):
        a_t, y_t, c = rnn_cell_forward(x_t, a_t, parameters)
        activations.append(a_t)
        predictions.append(y_t)
        caches.append(c)
    a = np.zeros((a0.shape[0], x.shape[1], len(activations)))
    y_pred = np.zeros((predictions[0].shape[0], x.shape[1], len(predictions)))
    for k in range(len(activations)):
        a[:, :, k] = activations[k]
        y_pred[:, :, k] = predictions[k]
    return a, y_pred, (caches, x)

# %% rnn_cell_backward
def rnn_cell_backward(da_next, cache):
    n_a = cache[1].shape[0]
    dz = da_next * (1.0 - np.square(cache[0]))
    W = np.hstack((cache[3]["Waa"], cache[3]["Wax"]))
    inputs = np.vstack((cache[1], cache[2]))
    d_inputs = W.T @ dz
    gradients = {"dxt": d_inputs[n_a:], "da_prev": d_inputs[:n_a]}
    gradients["dWax"] = np.einsum("im,jm->ij", dz, cache[2])
    gradients["dWaa"] = np.einsum("im,jm->ij", dz, cache[1])
    gradients["dba"] = np.add.reduce(dz, axis=1)[:, np.newaxis]
    return gradients

# %% rnn_backward
def rnn_backward(da, caches):
    step_caches, x = caches
    upstream = np.zeros_like(da[:, :, 0])
    per_step = []
    for t in reversed(range(len(step_caches))):
        grads_t = rnn_cell_backward(da[:, :, t] + upstream, step_caches[t])
        upstream = grads_t["da_prev"]
        per_step.insert(0, grads_t)
    names = ("dWax", "dWaa", "dba")
    result = dict(zip(names, (np.add.reduce([g[n] for g in per_step]) for n in names)))
    result["dx"] = np.concatenate([g["dxt"][:, :, None] for g in per_step], axis=2)
    result["da0"] = upstream
    return result

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
    a_next = np.tanh(v["Waa"] @ v["a_prev"] + v["Wax"] @ v["xt"] + v["ba"])
    backward = cell_backward_fn(v["da_next"], (a_next, v["a_prev"], v["xt"], parameters))
    loss = lambda: float(np.sum(v["da_next"] * np.tanh(v["Waa"] @ v["a_prev"] + v["Wax"] @ v["xt"] + v["ba"])))
    worst, errors = None, {}
    for label, array in [("dxt", v["xt"]), ("da_prev", v["a_prev"]), ("dWax", v["Wax"]),
                         ("dWaa", v["Waa"]), ("dba", v["ba"])]:
        errors[label] = relative_error(backward[label], numerical_gradient(loss, array))
        if errors[label] > 1e-7 and (worst is None or errors[label] > errors[worst]):
            worst = label
    return worst, errors
