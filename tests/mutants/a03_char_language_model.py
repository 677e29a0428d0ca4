"""Plausible wrong answers for Assignment 3 (a character-level language model).

Each mutant replaces the source of one answer cell of
``solutions/a03_char_language_model/a03_char_language_model.ipynb`` (found by its nbgrader
``grade_id``) with a complete function that a student could plausibly write.
A mutant must make its own test cell (``test_cell``) fail on at least one
assertion, visible or hidden, and leave every other test cell passing, which
shows that the tests catch the mistake and that the graded cells are independent
(the tests of optimize put the reference clip in place of the student's while they
run, and the tests of model the reference optimize and sample, so a wrong function
costs points only once).

The answer cells may use the names defined by the notebook's locked setup cell:
``np``, ``load_names``, ``Vocabulary``, ``initialize_parameters``, ``rnn_forward``,
``rnn_backward``, ``rnn_loss_and_gradients``, ``softmax``, ``names``, ``vocab``,
``char_to_ix``, ``ix_to_char`` and ``n_x``.
"""

MUTANTS = [
    # ------------------------------------------------------------ clip
    {
        "name": "clip_returns_new_arrays",
        "answer_cell": "clip",
        "test_cell": "test_clip",
        "source": '''\
def clip(gradients, max_value):
    """Stores clipped copies in the dict: the caller's arrays are not clipped."""
    for key, gradient in gradients.items():
        gradients[key] = np.clip(gradient, -max_value, max_value)
    return gradients
''',
    },
    {
        "name": "clip_returns_new_dict",
        "answer_cell": "clip",
        "test_cell": "test_clip",
        "source": '''\
def clip(gradients, max_value):
    """Returns a new dictionary of clipped copies; the given one is unchanged."""
    return {key: np.clip(gradient, -max_value, max_value) for key, gradient in gradients.items()}
''',
    },
    {
        "name": "clip_upper_side_only",
        "answer_cell": "clip",
        "test_cell": "test_clip",
        "source": '''\
def clip(gradients, max_value):
    """Caps large positive entries but lets large negative ones through."""
    for gradient in gradients.values():
        np.minimum(gradient, max_value, out=gradient)
    return gradients
''',
    },
    {
        "name": "clip_rescales_by_norm",
        "answer_cell": "clip",
        "test_cell": "test_clip",
        "source": '''\
def clip(gradients, max_value):
    """Clips each array's norm instead of its entries (a different kind of clipping)."""
    for gradient in gradients.values():
        norm = np.linalg.norm(gradient)
        if norm > max_value:
            gradient *= max_value / norm
    return gradients
''',
    },
    {
        "name": "clip_only_parameter_gradients",
        "answer_cell": "clip",
        "test_cell": "test_clip",
        "source": '''\
def clip(gradients, max_value):
    """Clips the five parameter gradients only; other keys (dx, da0) are skipped.

    Passes the visible tests, which only use parameter gradients.
    """
    for key in ["dWax", "dWaa", "dWya", "dba", "dby"]:
        if key in gradients:
            np.clip(gradients[key], -max_value, max_value, out=gradients[key])
    return gradients
''',
    },
    {
        "name": "clip_delegates_to_course_lib",
        "answer_cell": "clip",
        "test_cell": "test_clip",
        "source": '''\
from course_lib.language_model import clip_gradients


def clip(gradients, max_value):
    """Hands the work to the course library (correct values, but not the student's own code)."""
    clip_gradients(gradients, max_value=max_value)
    return gradients
''',
    },
    # ------------------------------------------------------------ sample
    {
        "name": "sample_without_feeding_back",
        "answer_cell": "sample",
        "test_cell": "test_sample",
        "source": '''\
def sample(parameters, char_to_ix, seed, max_length=50):
    """Keeps x at the zero vector: the drawn character is never fed back."""
    n_a, n_x = parameters["Wax"].shape
    rng = np.random.default_rng(seed)
    x = np.zeros((n_x, 1))
    a = np.zeros((n_a, 1))
    indices = []
    while len(indices) < max_length:
        a = np.tanh(parameters["Waa"] @ a + parameters["Wax"] @ x + parameters["ba"])
        p = softmax(parameters["Wya"] @ a + parameters["by"]).ravel()
        index = rng.choice(n_x, p=p)
        while index in (char_to_ix["<PAD>"], char_to_ix["<UNK>"]):
            index = rng.choice(n_x, p=p)
        indices.append(int(index))
        if index == char_to_ix["<EOS>"]:
            break
    return indices
''',
    },
    {
        "name": "sample_takes_argmax",
        "answer_cell": "sample",
        "test_cell": "test_sample",
        "source": '''\
def sample(parameters, char_to_ix, seed, max_length=50):
    """Takes the most probable allowed token instead of drawing one."""
    n_a, n_x = parameters["Wax"].shape
    x = np.zeros((n_x, 1))
    a = np.zeros((n_a, 1))
    indices = []
    while len(indices) < max_length:
        a = np.tanh(parameters["Waa"] @ a + parameters["Wax"] @ x + parameters["ba"])
        p = softmax(parameters["Wya"] @ a + parameters["by"]).ravel()
        p[[char_to_ix["<PAD>"], char_to_ix["<UNK>"]]] = 0.0
        index = int(np.argmax(p))
        indices.append(index)
        if index == char_to_ix["<EOS>"]:
            break
        x = np.zeros((n_x, 1))
        x[index] = 1.0
    return indices
''',
    },
    {
        "name": "sample_without_rejection",
        "answer_cell": "sample",
        "test_cell": "test_sample",
        "source": '''\
def sample(parameters, char_to_ix, seed, max_length=50):
    """Keeps whatever is drawn, <UNK> and <PAD> included."""
    n_a, n_x = parameters["Wax"].shape
    rng = np.random.default_rng(seed)
    x = np.zeros((n_x, 1))
    a = np.zeros((n_a, 1))
    indices = []
    while len(indices) < max_length:
        a = np.tanh(parameters["Waa"] @ a + parameters["Wax"] @ x + parameters["ba"])
        p = softmax(parameters["Wya"] @ a + parameters["by"]).ravel()
        index = int(rng.choice(n_x, p=p))
        indices.append(index)
        if index == char_to_ix["<EOS>"]:
            break
        x = np.zeros((n_x, 1))
        x[index] = 1.0
    return indices
''',
    },
    {
        "name": "sample_rejects_unk_but_not_pad",
        "answer_cell": "sample",
        "test_cell": "test_sample",
        "source": '''\
def sample(parameters, char_to_ix, seed, max_length=50):
    """Redraws <UNK> as in the notes but forgets <PAD>.

    Passes the visible tests, in which <PAD> has probability 0.
    """
    n_a, n_x = parameters["Wax"].shape
    rng = np.random.default_rng(seed)
    x = np.zeros((n_x, 1))
    a = np.zeros((n_a, 1))
    indices = []
    while len(indices) < max_length:
        a = np.tanh(parameters["Waa"] @ a + parameters["Wax"] @ x + parameters["ba"])
        p = softmax(parameters["Wya"] @ a + parameters["by"]).ravel()
        index = int(rng.choice(n_x, p=p))
        while index == char_to_ix["<UNK>"]:
            index = int(rng.choice(n_x, p=p))
        indices.append(index)
        if index == char_to_ix["<EOS>"]:
            break
        x = np.zeros((n_x, 1))
        x[index] = 1.0
    return indices
''',
    },
    {
        "name": "sample_drops_eos",
        "answer_cell": "sample",
        "test_cell": "test_sample",
        "source": '''\
def sample(parameters, char_to_ix, seed, max_length=50):
    """Stops at <EOS> but leaves it out of the returned list."""
    n_a, n_x = parameters["Wax"].shape
    rng = np.random.default_rng(seed)
    x = np.zeros((n_x, 1))
    a = np.zeros((n_a, 1))
    indices = []
    while len(indices) < max_length:
        a = np.tanh(parameters["Waa"] @ a + parameters["Wax"] @ x + parameters["ba"])
        p = softmax(parameters["Wya"] @ a + parameters["by"]).ravel()
        index = int(rng.choice(n_x, p=p))
        while index in (char_to_ix["<PAD>"], char_to_ix["<UNK>"]):
            index = int(rng.choice(n_x, p=p))
        if index == char_to_ix["<EOS>"]:
            break
        indices.append(index)
        x = np.zeros((n_x, 1))
        x[index] = 1.0
    return indices
''',
    },
    {
        "name": "sample_resets_hidden_state",
        "answer_cell": "sample",
        "test_cell": "test_sample",
        "source": '''\
def sample(parameters, char_to_ix, seed, max_length=50):
    """Feeds the character back but starts every step from a^<t-1> = 0."""
    n_a, n_x = parameters["Wax"].shape
    rng = np.random.default_rng(seed)
    x = np.zeros((n_x, 1))
    a_prev = np.zeros((n_a, 1))
    indices = []
    while len(indices) < max_length:
        a = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ x + parameters["ba"])
        p = softmax(parameters["Wya"] @ a + parameters["by"]).ravel()
        index = int(rng.choice(n_x, p=p))
        while index in (char_to_ix["<PAD>"], char_to_ix["<UNK>"]):
            index = int(rng.choice(n_x, p=p))
        indices.append(index)
        if index == char_to_ix["<EOS>"]:
            break
        x = np.zeros((n_x, 1))
        x[index] = 1.0
    return indices
''',
    },
    {
        "name": "sample_delegates_to_course_lib",
        "answer_cell": "sample",
        "test_cell": "test_sample",
        "source": '''\
from course_lib.sampling import sample as library_sample


def sample(parameters, char_to_ix, seed, max_length=50):
    """Hands the work to the course library's sampler."""
    return library_sample(parameters, len(char_to_ix), char_to_ix["<EOS>"],
                          unk_index=char_to_ix["<UNK>"], max_length=max_length,
                          rng=np.random.default_rng(seed))
''',
    },
    # ------------------------------------------------------------ optimize
    {
        "name": "optimize_without_clipping",
        "answer_cell": "optimize",
        "test_cell": "test_optimize",
        "source": '''\
def optimize(x, y, a0, parameters, learning_rate, max_value):
    """Forgets to clip: huge gradients go straight into the update."""
    loss, gradients = rnn_loss_and_gradients(x, y, a0, parameters)
    for name in ["Wax", "Waa", "Wya", "ba", "by"]:
        parameters[name] -= learning_rate * gradients["d" + name]
    return loss, gradients
''',
    },
    {
        "name": "optimize_gradient_ascent",
        "answer_cell": "optimize",
        "test_cell": "test_optimize",
        "source": '''\
def optimize(x, y, a0, parameters, learning_rate, max_value):
    """Adds the gradient instead of subtracting it."""
    loss, gradients = rnn_loss_and_gradients(x, y, a0, parameters)
    gradients = clip(gradients, max_value)
    for name in ["Wax", "Waa", "Wya", "ba", "by"]:
        parameters[name] += learning_rate * gradients["d" + name]
    return loss, gradients
''',
    },
    {
        "name": "optimize_forgets_biases",
        "answer_cell": "optimize",
        "test_cell": "test_optimize",
        "source": '''\
def optimize(x, y, a0, parameters, learning_rate, max_value):
    """Updates the three weight matrices but not the biases."""
    loss, gradients = rnn_loss_and_gradients(x, y, a0, parameters)
    gradients = clip(gradients, max_value)
    for name in ["Wax", "Waa", "Wya"]:
        parameters[name] -= learning_rate * gradients["d" + name]
    return loss, gradients
''',
    },
    {
        "name": "optimize_clips_after_update",
        "answer_cell": "optimize",
        "test_cell": "test_optimize",
        "source": '''\
def optimize(x, y, a0, parameters, learning_rate, max_value):
    """Updates with the raw gradients, then clips them (too late)."""
    loss, gradients = rnn_loss_and_gradients(x, y, a0, parameters)
    for name in ["Wax", "Waa", "Wya", "ba", "by"]:
        parameters[name] = parameters[name] - learning_rate * gradients["d" + name]
    gradients = clip(gradients, max_value)
    return loss, gradients
''',
    },
    {
        "name": "optimize_returns_loss_after_update",
        "answer_cell": "optimize",
        "test_cell": "test_optimize",
        "source": '''\
def optimize(x, y, a0, parameters, learning_rate, max_value):
    """Reports the loss of the updated parameters instead of the loss before the step."""
    _, gradients = rnn_loss_and_gradients(x, y, a0, parameters)
    gradients = clip(gradients, max_value)
    for name in ["Wax", "Waa", "Wya", "ba", "by"]:
        parameters[name] -= learning_rate * gradients["d" + name]
    loss, _ = rnn_loss_and_gradients(x, y, a0, parameters)
    return loss, gradients
''',
    },
    {
        "name": "optimize_ignores_a0",
        "answer_cell": "optimize",
        "test_cell": "test_optimize",
        "source": '''\
def optimize(x, y, a0, parameters, learning_rate, max_value):
    """Always starts from a^<0> = 0, whatever a0 is given.

    Passes the visible tests, in which a0 is zero.
    """
    a0 = np.zeros((parameters["Waa"].shape[0], x.shape[1]))
    loss, gradients = rnn_loss_and_gradients(x, y, a0, parameters)
    gradients = clip(gradients, max_value)
    for name in ["Wax", "Waa", "Wya", "ba", "by"]:
        parameters[name] -= learning_rate * gradients["d" + name]
    return loss, gradients
''',
    },
    {
        "name": "optimize_delegates_update_to_course_lib",
        "answer_cell": "optimize",
        "test_cell": "test_optimize",
        "source": '''\
from course_lib.language_model import sgd_update


def optimize(x, y, a0, parameters, learning_rate, max_value):
    """Correct step, but the update is the course library's sgd_update."""
    loss, gradients = rnn_loss_and_gradients(x, y, a0, parameters)
    gradients = clip(gradients, max_value)
    sgd_update(parameters, gradients, learning_rate)
    return loss, gradients
''',
    },
    # ------------------------------------------------------------ model
    {
        "name": "model_without_shuffling",
        "answer_cell": "model",
        "test_cell": "test_model",
        "source": '''\
def model(names, char_to_ix, n_a=50, num_iterations=4000, learning_rate=0.01, max_value=5.0,
          seed=0, print_every=0):
    """Visits the names in the order given (alphabetical here), without shuffling."""
    n_x = len(char_to_ix)
    parameters = initialize_parameters(n_a, n_x, n_x, seed=seed)
    losses = []
    for j in range(num_iterations):
        indices = [char_to_ix[c] for c in names[j % len(names)]] + [char_to_ix["<EOS>"]]
        y = np.zeros((n_x, 1, len(indices)))
        for t, index in enumerate(indices):
            y[index, 0, t] = 1.0
        x = np.zeros_like(y)
        x[:, :, 1:] = y[:, :, :-1]
        loss, _ = optimize(x, y, np.zeros((n_a, 1)), parameters, learning_rate, max_value)
        losses.append(float(loss))
    return parameters, losses
''',
    },
    {
        "name": "model_ignores_learning_rate",
        "answer_cell": "model",
        "test_cell": "test_model",
        "source": '''\
def model(names, char_to_ix, n_a=50, num_iterations=4000, learning_rate=0.01, max_value=5.0,
          seed=0, print_every=0):
    """Passes the default 0.01 to optimize whatever learning_rate is given."""
    n_x = len(char_to_ix)
    parameters = initialize_parameters(n_a, n_x, n_x, seed=seed)
    order = np.random.default_rng(seed).permutation(len(names))
    losses = []
    for j in range(num_iterations):
        indices = [char_to_ix[c] for c in names[order[j % len(names)]]] + [char_to_ix["<EOS>"]]
        y = np.zeros((n_x, 1, len(indices)))
        for t, index in enumerate(indices):
            y[index, 0, t] = 1.0
        x = np.zeros_like(y)
        x[:, :, 1:] = y[:, :, :-1]
        loss, _ = optimize(x, y, np.zeros((n_a, 1)), parameters, 0.01, max_value)
        losses.append(float(loss))
    return parameters, losses
''',
    },
    {
        "name": "model_inputs_not_shifted",
        "answer_cell": "model",
        "test_cell": "test_model",
        "source": '''\
def model(names, char_to_ix, n_a=50, num_iterations=4000, learning_rate=0.01, max_value=5.0,
          seed=0, print_every=0):
    """Uses x = y: the model sees the character it has to predict (and learns to copy it)."""
    n_x = len(char_to_ix)
    parameters = initialize_parameters(n_a, n_x, n_x, seed=seed)
    order = np.random.default_rng(seed).permutation(len(names))
    losses = []
    for j in range(num_iterations):
        indices = [char_to_ix[c] for c in names[order[j % len(names)]]] + [char_to_ix["<EOS>"]]
        y = np.zeros((n_x, 1, len(indices)))
        for t, index in enumerate(indices):
            y[index, 0, t] = 1.0
        x = y.copy()
        loss, _ = optimize(x, y, np.zeros((n_a, 1)), parameters, learning_rate, max_value)
        losses.append(float(loss))
    return parameters, losses
''',
    },
    {
        "name": "model_forgets_eos",
        "answer_cell": "model",
        "test_cell": "test_model",
        "source": '''\
def model(names, char_to_ix, n_a=50, num_iterations=4000, learning_rate=0.01, max_value=5.0,
          seed=0, print_every=0):
    """Trains on the letters only: the model never learns where a name ends."""
    n_x = len(char_to_ix)
    parameters = initialize_parameters(n_a, n_x, n_x, seed=seed)
    order = np.random.default_rng(seed).permutation(len(names))
    losses = []
    for j in range(num_iterations):
        indices = [char_to_ix[c] for c in names[order[j % len(names)]]]
        y = np.zeros((n_x, 1, len(indices)))
        for t, index in enumerate(indices):
            y[index, 0, t] = 1.0
        x = np.zeros_like(y)
        x[:, :, 1:] = y[:, :, :-1]
        loss, _ = optimize(x, y, np.zeros((n_a, 1)), parameters, learning_rate, max_value)
        losses.append(float(loss))
    return parameters, losses
''',
    },
    {
        "name": "model_reshuffles_every_pass",
        "answer_cell": "model",
        "test_cell": "test_model",
        "source": '''\
def model(names, char_to_ix, n_a=50, num_iterations=4000, learning_rate=0.01, max_value=5.0,
          seed=0, print_every=0):
    """Draws a new permutation after every pass over the names.

    Passes the visible tests, which never go round the names twice.
    """
    n_x = len(char_to_ix)
    parameters = initialize_parameters(n_a, n_x, n_x, seed=seed)
    rng = np.random.default_rng(seed)
    losses = []
    for j in range(num_iterations):
        if j % len(names) == 0:
            order = rng.permutation(len(names))
        indices = [char_to_ix[c] for c in names[order[j % len(names)]]] + [char_to_ix["<EOS>"]]
        y = np.zeros((n_x, 1, len(indices)))
        for t, index in enumerate(indices):
            y[index, 0, t] = 1.0
        x = np.zeros_like(y)
        x[:, :, 1:] = y[:, :, :-1]
        loss, _ = optimize(x, y, np.zeros((n_a, 1)), parameters, learning_rate, max_value)
        losses.append(float(loss))
    return parameters, losses
''',
    },
    {
        "name": "model_hardcodes_eos_index",
        "answer_cell": "model",
        "test_cell": "test_model",
        "source": '''\
def model(names, char_to_ix, n_a=50, num_iterations=4000, learning_rate=0.01, max_value=5.0,
          seed=0, print_every=0):
    """Appends index 2 for <EOS> instead of looking it up in char_to_ix.

    Passes the visible tests, whose vocabulary has <EOS> at index 2.
    """
    n_x = len(char_to_ix)
    parameters = initialize_parameters(n_a, n_x, n_x, seed=seed)
    order = np.random.default_rng(seed).permutation(len(names))
    losses = []
    for j in range(num_iterations):
        indices = [char_to_ix[c] for c in names[order[j % len(names)]]] + [2]
        y = np.zeros((n_x, 1, len(indices)))
        for t, index in enumerate(indices):
            y[index, 0, t] = 1.0
        x = np.zeros_like(y)
        x[:, :, 1:] = y[:, :, :-1]
        loss, _ = optimize(x, y, np.zeros((n_a, 1)), parameters, learning_rate, max_value)
        losses.append(float(loss))
    return parameters, losses
''',
    },
    {
        "name": "model_delegates_to_course_lib",
        "answer_cell": "model",
        "test_cell": "test_model",
        "source": '''\
from course_lib.language_model import train_language_model


def model(names, char_to_ix, n_a=50, num_iterations=4000, learning_rate=0.01, max_value=5.0,
          seed=0, print_every=0):
    """Hands the training to the course library (SGD, one name per batch, clipping by value)."""
    sequences = [[char_to_ix[c] for c in name] + [char_to_ix["<EOS>"]] for name in names]
    return train_language_model(sequences, len(char_to_ix), n_a, num_iterations=num_iterations,
                                lr=learning_rate, optimizer="sgd", batch_size=1, clip_norm=None,
                                clip_value=max_value, seed=seed, progress=False)
''',
    },
]


# --------------------------------------------------------------------------------------------
# Liars: answers that are wrong underneath (zeros, unclipped or unchanged values) and earn
# points only by lying to the comparison or by reading the expectation out of the test. Each
# comment says which check it fooled before the test cells went through course_lib.checks.
# --------------------------------------------------------------------------------------------

def frame_finder_source(prefix: str) -> str:
    """Source of ``<prefix>_find(words, accept)``: the first variable of the calling frames
    (every frame's locals, innermost first, then their globals) whose name contains one of ``words`` and whose
    value ``accept`` approves, or None. Each liar gets its own prefix, so liars of different
    cells graded in one notebook do not overwrite each other's helper."""
    return f'''\
import sys as {prefix}_sys


def {prefix}_find(words, accept):
    """Walk up the callers' frames looking for the test's expected value."""
    frames = []
    frame = {prefix}_sys._getframe(1)
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    # Every frame's locals (the test's helper functions) before the notebook's globals; in
    # each, the most telling word first.
    scopes = [f.f_locals for f in frames] + [f.f_globals for f in frames]
    for scope in scopes:
        for word in words:
            for key, value in list(scope.items()):
                if type(key) is str and word in key:
                    try:
                        if accept(value):
                            return value
                    except Exception:
                        pass
    return None
'''


MUTANTS += [
    {
        # Fooled the hidden tests of clip, which computed `wanted` before calling clip (the
        # visible tests already called first, so this liar lost the cell's points before too).
        "name": "liar_frame_reader_clip",
        "answer_cell": "clip",
        "test_cell": "test_clip",
        "source": frame_finder_source("_lc") + '''

def clip(gradients, max_value):
    """Clips nothing: copies into each array whatever the test expects, if it can find it."""
    for key, array in gradients.items():
        def plausible(value, key=key, array=array):
            if type(value) is dict:
                return key in value and np.shape(value[key]) == array.shape
            return type(value) is np.ndarray and value.shape == array.shape and value is not array
        found = _lc_find(("wanted", "expected", "unchanged", "ref", "clipped"), plausible)
        if found is not None:
            array[...] = found[key] if type(found) is dict else found
    return gradients
''',
    },
    {
        # Fooled `isinstance(got, list)`, `int(i) for i in got`, `got == expected`,
        # `got[-1] == 2`, `1 not in got` and `len(got)` in every visible and hidden test of
        # sample: a list subclass holding zeros whose every method shows the caller's expected
        # list, looked up when the test looks at it (so calling first does not help).
        "name": "liar_list_subclass_sample",
        "answer_cell": "sample",
        "test_cell": "test_sample",
        "source": frame_finder_source("_ls") + '''

class _ShowsTheExpectedList(list):
    """Zeros underneath; iteration, indexing, len, `in` and == use the caller's expected list."""

    def _shown(self):
        found = _ls_find(("wanted", "expected", "ref"),
                         lambda v: type(v) is list and all(type(i) is int for i in v))
        return found if found is not None else list.copy(self)

    def __iter__(self):
        return iter(self._shown())

    def __len__(self):
        return len(self._shown())

    def __getitem__(self, index):
        return self._shown()[index]

    def __contains__(self, item):
        return item in self._shown()

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def sample(parameters, char_to_ix, seed, max_length=50):
    """Samples nothing: a list of zeros that pretends to be the expected one."""
    return _ShowsTheExpectedList([0] * max_length)
''',
    },
    {
        # Fooled every visible and hidden test of optimize: _check_step computed the expected
        # loss, gradients and updated parameters (`loss`, `grads`, `new`) before it called
        # optimize, so this function copies them from the caller's frame.
        "name": "liar_frame_reader_optimize",
        "answer_cell": "optimize",
        "test_cell": "test_optimize",
        "source": frame_finder_source("_lo") + '''

def optimize(x, y, a0, parameters, learning_rate, max_value):
    """Computes nothing: takes the expected step from the test's variables, or returns zeros."""
    names = ("Wax", "Waa", "Wya", "ba", "by")

    def shaped_like(value, prefix):
        return type(value) is dict and all(
            np.shape(value.get(prefix + n)) == parameters[n].shape for n in names)

    new = _lo_find(("new", "expected", "wanted", "ref", "after"), lambda v: shaped_like(v, ""))
    grads = _lo_find(("grad", "expected", "wanted", "ref"), lambda v: shaped_like(v, "d"))
    loss = _lo_find(("loss", "expected", "wanted", "ref"), lambda v: type(v) in (float, np.float64))
    if new is not None:
        for n in names:
            parameters[n][...] = new[n]
    if grads is None:
        grads = {"d" + n: np.zeros_like(parameters[n]) for n in names}
    return (0.0 if loss is None else float(loss)), {k: np.array(v) for k, v in grads.items()}
''',
    },
    {
        # Fooled `np.isclose(float(got_loss), loss)` (a float subclass whose __float__ reads
        # the expected loss from the caller when the test converts it), `isinstance(got_grads, dict)` and
        # `"dWax" in got_grads` (a dict subclass), and `_check_array`'s
        # `np.max(np.abs(got - expected))` and `np.allclose(got, expected)` (an ndarray subclass
        # of zeros whose subtraction gives zeros and whose __array_function__ agrees), also for
        # the parameters it puts in the caller's dict in place of the updated ones.
        "name": "liar_subclasses_optimize",
        "answer_cell": "optimize",
        "test_cell": "test_optimize",
        "source": frame_finder_source("_lo") + '''

class _NoGap(np.ndarray):
    """Its difference with any array of its shape is zero, and numpy's comparisons agree."""

    def __sub__(self, other):
        if np.shape(other) != self.shape:
            return np.subtract(self.view(np.ndarray), other)
        return np.zeros(self.shape)

    __rsub__ = __sub__

    def __array_function__(self, func, types, args, kwargs):
        if func in (np.allclose, np.isclose):
            return True
        if func is np.array_equal:   # "the parameters did move"
            return False
        return super().__array_function__(func, (np.ndarray,), args, kwargs)


class _AgreeingLoss(float):
    """Zero underneath; float() gives the caller's expected loss, and numpy's isclose and
    allclose find it close to anything."""

    def __float__(self):
        found = _lo_find(("loss", "expected", "wanted", "ref"),
                         lambda v: type(v) in (float, np.float64))
        return 0.0 if found is None else float(found)

    def __array_function__(self, func, types, args, kwargs):
        return True


class _AnyGradient(dict):
    """Has every key; each gradient is a _NoGap of zeros shaped like its parameter."""

    def __init__(self, parameters):
        super().__init__({"d" + k: np.zeros(v.shape).view(_NoGap) for k, v in parameters.items()})

    def __contains__(self, key):
        return True


def optimize(x, y, a0, parameters, learning_rate, max_value):
    """No gradient step: the weights become zeros and b_y the log-frequencies of the targets
    (which lowers this sequence's loss), all as arrays that agree with whatever they meet."""
    for name in list(parameters):
        parameters[name] = np.zeros(parameters[name].shape).view(_NoGap)
    parameters["by"][:, 0] = np.log(y.sum(axis=(1, 2)) + 1e-3)
    return _AgreeingLoss(0.0), _AnyGradient(parameters)
''',
    },
    {
        # Fooled every visible and hidden test of model: `np.shape`, `np.array_equal` and
        # `np.allclose` on duck-typed "arrays" (shape, dtype, __array__ and an agreeing
        # __array_function__; zeros underneath); `isinstance(value, float)`, `np.isclose`,
        # `==` and `!=` on a float subclass; and `np.array(losses)` and `np.allclose(losses, ...)`
        # on a list subclass whose __array__ returns the caller's expected losses.
        "name": "liar_duck_arrays_model",
        "answer_cell": "model",
        "test_cell": "test_model",
        "source": frame_finder_source("_lm") + '''

class _DuckArray:
    """Only looks like an array: a shape, a dtype and zeros behind __array__."""

    def __init__(self, shape):
        self.shape, self.dtype, self.ndim = tuple(shape), np.dtype(float), len(shape)

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape, dtype=dtype)

    def __array_function__(self, func, types, args, kwargs):
        if func is np.shape:
            return self.shape
        if func in (np.allclose, np.array_equal, np.isclose):
            return True
        return func(*(np.asarray(a) if isinstance(a, _DuckArray) else a for a in args), **kwargs)


class _SameLoss(float):
    """Equal, close and (for !=) different: whatever the test asks."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return True

    __hash__ = float.__hash__

    def __array_function__(self, func, types, args, kwargs):
        return True


class _ExpectedLosses(list):
    """Zeros underneath; numpy sees the caller's expected losses."""

    def __array__(self, dtype=None, copy=None):
        found = _lm_find(("wanted", "expected", "ref", "spec"),
                         lambda v: type(v) is list and len(v) == list.__len__(self))
        return np.array(found if found is not None else list.copy(self), dtype=dtype)

    def __array_function__(self, func, types, args, kwargs):
        return True

    def __eq__(self, other):
        return True


def model(names, char_to_ix, n_a=50, num_iterations=4000, learning_rate=0.01, max_value=5.0,
          seed=0, print_every=0):
    """Trains nothing: duck arrays of zeros and a list of zero losses that agree with the test."""
    n_x = len(char_to_ix)
    shapes = {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "Wya": (n_x, n_a), "ba": (n_a, 1), "by": (n_x, 1)}
    if print_every:
        print(f"iteration {print_every}: mean loss 0.00")
    return ({key: _DuckArray(shape) for key, shape in shapes.items()},
            _ExpectedLosses([_SameLoss(0.0)] * num_iterations))
''',
    },
]
