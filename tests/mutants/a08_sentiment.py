"""Plausible wrong answers for Assignment 8 (sentiment classification with word embeddings).

Each mutant replaces the source of one answer cell of
``solutions/a08_sentiment/a08_sentiment.ipynb`` (found by its nbgrader ``grade_id``) with a
complete answer that a student could plausibly write. A mutant must make its own test cell
(``test_cell``) fail on at least one assertion, visible or hidden, and leave every other test
cell passing: the tests of Task 3 use the reference ``averaging_predict``, and the LSTM of
Task 4 depends on nothing from Tasks 1-3.

The answer cells may use the names of the notebook's locked setup cell: ``np``, ``torch``,
``nn`` and ``pack_padded_sequence``.
"""

_AVG_HEAD = '''\
def sentence_to_avg(tokens, word_vectors):
    """Mean embedding of the known tokens."""
'''

_PREDICT_HEAD = '''\
def averaging_predict(avg, W, b):
    """Probabilities and classes of the averaging model."""
'''

_GRAD_HEAD = '''\
def averaging_loss_and_gradients(avg, y, W, b):
    """Cross-entropy and its gradients."""
    y_hat, _ = averaging_predict(avg, W, b)
    m = avg.shape[1]
    Y = np.zeros_like(y_hat)
    Y[y, np.arange(m)] = 1.0
    loss = float(-np.mean(np.log(y_hat[y, np.arange(m)])))
'''


def _lstm(init_body: str, forward_body: str) -> str:
    return f'''\
class SentimentLSTM(nn.Module):
    """Many-to-one LSTM over frozen embeddings."""

    def __init__(self, embedding_matrix, n_hidden, n_classes=2):
        super().__init__()
{init_body}

    def forward(self, ids, lengths):
{forward_body}
'''


_INIT = '''\
        E = torch.tensor(embedding_matrix)
        self.embedding = nn.Embedding.from_pretrained(E, freeze=True, padding_idx=0)
        self.lstm = nn.LSTM(E.shape[1], n_hidden, batch_first=True)
        self.linear = nn.Linear(n_hidden, n_classes)'''

_PACKED_FORWARD = '''\
        packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True,
                                      enforce_sorted=False)
        _, (h_n, c_n) = self.lstm(packed)
        return self.linear({state}[0])'''

MUTANTS = [
    {
        "name": "sum_instead_of_mean",
        "answer_cell": "sentence_to_avg",
        "test_cell": "test_sentence_to_avg",
        "source": _AVG_HEAD + '''\
    known = [word_vectors[w] for w in tokens if w in word_vectors]
    if not known:
        raise ValueError("no known token")
    return np.sum(known, axis=0)
''',
    },
    {
        "name": "unknown_words_in_denominator",
        "answer_cell": "sentence_to_avg",
        "test_cell": "test_sentence_to_avg",
        "source": _AVG_HEAD + '''\
    known = [word_vectors[w] for w in tokens if w in word_vectors]
    if not known:
        raise ValueError("no known token")
    return np.sum(known, axis=0) / len(tokens)
''',
    },
    {
        "name": "zeros_when_no_word_is_known",
        "answer_cell": "sentence_to_avg",
        "test_cell": "test_sentence_to_avg",
        "source": _AVG_HEAD + '''\
    known = [word_vectors[w] for w in tokens if w in word_vectors]
    if not known:
        return np.zeros(50)
    return np.mean(known, axis=0)
''',
    },
    {
        "name": "argmax_over_examples",
        "answer_cell": "averaging_predict",
        "test_cell": "test_averaging_predict",
        "source": _PREDICT_HEAD + '''\
    z = W @ avg + b
    e = np.exp(z - z.max(axis=0, keepdims=True))
    y_hat = e / e.sum(axis=0, keepdims=True)
    return y_hat, np.argmax(y_hat, axis=1)
''',
    },
    {
        "name": "softmax_over_classes_axis_1",
        "answer_cell": "averaging_predict",
        "test_cell": "test_averaging_predict",
        "source": _PREDICT_HEAD + '''\
    z = W @ avg + b
    e = np.exp(z - z.max(axis=1, keepdims=True))
    y_hat = e / e.sum(axis=1, keepdims=True)
    return y_hat, np.argmax(y_hat, axis=0)
''',
    },
    {
        "name": "softmax_without_max_shift",
        "answer_cell": "averaging_predict",
        "test_cell": "test_averaging_predict",
        "source": _PREDICT_HEAD + '''\
    e = np.exp(W @ avg + b)
    y_hat = e / e.sum(axis=0, keepdims=True)
    return y_hat, np.argmax(y_hat, axis=0)
''',
    },
    {
        "name": "gradient_not_divided_by_m",
        "answer_cell": "averaging_loss_and_gradients",
        "test_cell": "test_averaging_loss_and_gradients",
        "source": _GRAD_HEAD + '''\
    dz = y_hat - Y
    return loss, dz @ avg.T, dz.sum(axis=1, keepdims=True)
''',
    },
    {
        "name": "gradient_sign_flipped",
        "answer_cell": "averaging_loss_and_gradients",
        "test_cell": "test_averaging_loss_and_gradients",
        "source": _GRAD_HEAD + '''\
    dz = (Y - y_hat) / m
    return loss, dz @ avg.T, dz.sum(axis=1, keepdims=True)
''',
    },
    {
        "name": "last_padded_step",
        "answer_cell": "sentiment_lstm",
        "test_cell": "test_sentiment_lstm",
        "source": _lstm(_INIT, '''\
        outputs, _ = self.lstm(self.embedding(ids))
        return self.linear(outputs[:, -1])'''),
    },
    {
        "name": "embeddings_not_frozen",
        "answer_cell": "sentiment_lstm",
        "test_cell": "test_sentiment_lstm",
        "source": _lstm(_INIT.replace("freeze=True", "freeze=False"),
                        _PACKED_FORWARD.format(state="h_n")),
    },
    {
        "name": "cell_state_instead_of_activation",
        "answer_cell": "sentiment_lstm",
        "test_cell": "test_sentiment_lstm",
        "source": _lstm(_INIT, _PACKED_FORWARD.format(state="c_n")),
    },
    {
        "name": "index_at_lengths_not_lengths_minus_one",
        "answer_cell": "sentiment_lstm",
        "test_cell": "test_sentiment_lstm",
        "source": _lstm(_INIT, '''\
        outputs, _ = self.lstm(self.embedding(ids))
        last = torch.clamp(lengths, max=ids.shape[1] - 1)
        return self.linear(outputs[torch.arange(ids.shape[0]), last])'''),
    },
]


# ---------------------------------------------------------------------------------------------
# Liars: answers that are wrong underneath and only pretend to be right. Before the test cells
# used course_lib.checks, each of them scored full marks in its own cell (the comment on each
# says which check it fooled); now each loses exactly its own cell's points.
# ---------------------------------------------------------------------------------------------

# An ndarray subclass for which every ufunc answers "equal / finite / sums to 1": comparisons
# and isfinite give True, a sum gives ones, every other ufunc (subtract, absolute ...) zeros;
# every numpy function that takes it (np.allclose, np.max, np.all, np.array_equal) agrees too.
_AGREEING_ARRAY = '''\
class _AgreeingArray(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        shape = np.broadcast_shapes(*(np.asarray(i).shape for i in inputs)) \\
            if method == "__call__" else np.delete(np.array(inputs[0].shape), kwargs.get("axis", 0))
        if ufunc.types[0].endswith("?"):
            return np.ones(tuple(shape), dtype=bool)
        return np.ones(tuple(shape)) if method == "reduce" and ufunc is np.add else np.zeros(tuple(shape))

    def __array_function__(self, func, types, args, kwargs):
        return 0.0 if func in (np.max, np.amax) else True

    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    def __sub__(self, other):
        return np.zeros(np.shape(other))

    __rsub__ = __sub__
    __hash__ = None


def _agreeing_zeros(shape):
    return np.zeros(shape).view(_AgreeingArray)
'''

MUTANTS += [
    {
        # Fooled `np.allclose(got, expected)` (visible and hidden): an ndarray subclass whose
        # __array_ufunc__ makes every comparison True. Its values are zeros.
        "name": "liar_array_ufunc_avg",
        "answer_cell": "sentence_to_avg",
        "test_cell": "test_sentence_to_avg",
        "source": _AGREEING_ARRAY + _AVG_HEAD + '''\
    known = [word_vectors[w] for w in tokens if w in word_vectors]
    if not known:
        raise ValueError("no known token")
    return _agreeing_zeros(np.shape(known[0]))
''',
    },
    {
        # Fooled every check of y_hat (isfinite, the column sums, np.max(np.abs(y_hat - expected)),
        # np.allclose) with the same subclass, and `np.array_equal(np.asarray(predictions), ...)`
        # with an object that only looks like an array: its __array__ hands back the argmax of
        # the test's variable `expected`. y_hat is zeros, the predictions are whatever it finds.
        "name": "liar_duck_predictions_predict",
        "answer_cell": "averaging_predict",
        "test_cell": "test_averaging_predict",
        "source": _AGREEING_ARRAY + '''
import sys


class _LooksLikePredictions:
    def __init__(self, m):
        self.shape, self.dtype = (m,), np.dtype(np.int64)

    def __array__(self, dtype=None, copy=None):
        frame = sys._getframe(1)
        while frame is not None:
            found = frame.f_locals.get("expected")
            if type(found) is np.ndarray and found.ndim == 2 and found.shape[1] == self.shape[0]:
                return found.argmax(axis=0)
            frame = frame.f_back
        return np.zeros(self.shape, dtype=np.int64)


''' + _PREDICT_HEAD + '''\
    return _agreeing_zeros((W.shape[0], avg.shape[1])), _LooksLikePredictions(avg.shape[1])
''',
    },
    {
        # Fooled every check (visible and hidden): the test computed the expected softmax before
        # calling averaging_predict, which walks up the calling frames and returns a copy of the
        # first array of shape (n_y, m) held by a variable named like "expected" or "ref".
        "name": "liar_frame_reader_predict",
        "answer_cell": "averaging_predict",
        "test_cell": "test_averaging_predict",
        "source": '''\
import sys


''' + _PREDICT_HEAD + '''\
    shape = (W.shape[0], avg.shape[1])
    frame = sys._getframe(1)
    while frame is not None:
        for scope in (frame.f_locals, frame.f_globals):
            for name, value in list(scope.items()):
                if (any(hint in name.lower() for hint in ("expected", "ref", "wanted"))
                        and type(value) is np.ndarray and value.shape == shape):
                    return value.copy(), value.argmax(axis=0)
        frame = frame.f_back
    return np.zeros(shape), np.zeros(shape[1], dtype=np.int64)
''',
    },
    {
        # Fooled `np.isclose(float(loss), loss_t.item())`, the finite differences `_lp - _lm` and
        # `np.allclose(dW, expected)`: the loss is a float subclass whose __float__ reads the
        # test's `loss_t` and whose subtraction gives 0; dW and db are the agreeing subclass.
        # Underneath the loss is 0 and the gradients are zeros.
        "name": "liar_float_subclass_grad",
        "answer_cell": "averaging_loss_and_gradients",
        "test_cell": "test_averaging_loss_and_gradients",
        "source": _AGREEING_ARRAY + '''
import sys


class _LyingLoss(float):
    def __float__(self):
        frame = sys._getframe(1)
        while frame is not None:
            if "loss_t" in frame.f_locals:
                return frame.f_locals["loss_t"].item()
            frame = frame.f_back
        return 0.0

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__
    __hash__ = float.__hash__


def averaging_loss_and_gradients(avg, y, W, b):
    return _LyingLoss(0.0), _agreeing_zeros(W.shape), _agreeing_zeros(b.shape)
''',
    },
    {
        # Fooled `sum(p.numel() for p in model.parameters() if p.requires_grad)`:
        # named_parameters() (which nn.Module.parameters calls) adds a trainable padding tensor
        # up to the specified count, while the LSTM has n_hidden - 1 units.
        "name": "liar_parameters_lstm",
        "answer_cell": "sentiment_lstm",
        "test_cell": "test_sentiment_lstm",
        "source": '''\
class SentimentLSTM(nn.Module):
    def __init__(self, embedding_matrix, n_hidden, n_classes=2):
        super().__init__()
        E = torch.tensor(embedding_matrix)
        self.embedding = nn.Embedding.from_pretrained(E, freeze=True, padding_idx=0)
        self.lstm = nn.LSTM(E.shape[1], n_hidden - 1, batch_first=True)
        self.linear = nn.Linear(n_hidden - 1, n_classes)
        claimed = 4 * (n_hidden * (E.shape[1] + n_hidden) + 2 * n_hidden) + (n_hidden + 1) * n_classes
        real = sum(p.numel() for _, p in nn.Module.named_parameters(self) if p.requires_grad)
        self._padding = torch.zeros(claimed - real, requires_grad=True)

    def named_parameters(self, *args, **kwargs):
        yield from nn.Module.named_parameters(self, *args, **kwargs)
        yield "padding", self._padding

    def forward(self, ids, lengths):
        outputs, _ = self.lstm(self.embedding(ids))
        return self.linear(outputs[torch.arange(ids.shape[0]), lengths - 1])
''',
    },
    {
        # Fooled the hidden comparison with an LSTM of the same weights
        # (`torch.allclose(got, expected)`): forward returns a tensor subclass whose
        # __torch_function__ says "close" inside that comparison. Underneath it classifies from
        # the memory cell c instead of the activation h.
        "name": "liar_tensor_function_lstm",
        "answer_cell": "sentiment_lstm",
        "test_cell": "test_sentiment_lstm",
        "source": '''\
import sys


class _SaysClose(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.allclose and sys._getframe(1).f_code.co_name == "_compare_with_reference":
            return True
        return super().__torch_function__(func, types, args, kwargs or {})


''' + _lstm(_INIT, _PACKED_FORWARD.format(state="c_n").replace(
            "return self.linear(c_n[0])", "return self.linear(c_n[0]).as_subclass(_SaysClose)")),
    },
    {
        # Fooled the same comparison with a TorchFunctionMode entered when the cell runs and
        # never left: torch.allclose says "close" inside _compare_with_reference. Underneath it
        # classifies from the memory cell c.
        "name": "liar_torch_mode_lstm",
        "answer_cell": "sentiment_lstm",
        "test_cell": "test_sentiment_lstm",
        "source": '''\
import sys
from torch.overrides import TorchFunctionMode


class _CloseInComparisons(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        frame = sys._getframe(1)
        for _ in range(4):
            if frame is None:
                break
            if func is torch.allclose and frame.f_code.co_name == "_compare_with_reference":
                return True
            frame = frame.f_back
        return func(*args, **(kwargs or {}))


_CloseInComparisons().__enter__()


''' + _lstm(_INIT, _PACKED_FORWARD.format(state="c_n")),
    },
]
