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
