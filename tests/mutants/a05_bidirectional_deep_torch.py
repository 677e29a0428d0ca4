"""Plausible wrong answers for Assignment 5 (bidirectional and deep RNNs in PyTorch).

Each mutant replaces the source of one answer cell of
``solutions/a05_bidirectional_deep_torch/a05_bidirectional_deep_torch.ipynb`` (found by its
nbgrader ``grade_id``) with complete code that a student could plausibly write.
A mutant must make its own test cell (``test_cell``) fail on at least one assertion, visible
or hidden, and leave every other test cell passing, which shows that the tests catch the
mistake and that the graded cells are independent: the tests of ``train_tagger`` train a
tagger of the course library instead of the student's models, and the tests of Task 4 put
reference versions of ``BiLSTMTagger`` and ``train_tagger`` in place of the student's while
they run, so a wrong class or loop costs points only once.

The answer cells may use the names defined by the notebook's locked setup cell:
``torch``, ``nn``, ``F``, ``N_TAGGING_WORDS``, ``TAGGING_WORDS``, ``TAGS``, ``ambiguous_mask``,
``right_context_tagging``, ``words``, ``train_tokens``, ``train_tags``, ``test_tokens``,
``test_tags``, ``n_vocab`` and ``n_tags``.
"""

# The correct Task 4 cell, reused by the mutants that change only one of its two functions.
_ACCURACY = '''\
def ambiguous_accuracy(model, tokens, tags):
    with torch.no_grad():
        predicted = model(tokens).argmax(dim=-1)
    mask = ambiguous_mask(tokens)
    return (predicted[mask] == tags[mask]).float().mean().item()
'''

_FIT = '''\
def fit_bidirectional_tagger(tokens, tags, seed):
    torch.manual_seed(seed)
    model = BiLSTMTagger(N_TAGGING_WORDS, 8, 16, len(TAGS))
    train_tagger(model, tokens, tags, epochs=4, lr=0.02, seed=seed)
    return model
'''

MUTANTS = [
    # ------------------------------------------------------------ BiLSTMTagger
    {
        "name": "bilstm_unidirectional",
        "answer_cell": "bilstm_tagger",
        "test_cell": "test_bilstm_tagger",
        "source": '''\
class BiLSTMTagger(nn.Module):
    """Forgets bidirectional=True: a consistent, runnable, left-to-right tagger."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.lstm = nn.LSTM(n_embed, n_hidden, batch_first=True)
        self.out = nn.Linear(n_hidden, n_tags)

    def forward(self, tokens):
        a, _ = self.lstm(self.embedding(tokens))
        return self.out(a)
''',
    },
    {
        "name": "bilstm_linear_too_narrow",
        "answer_cell": "bilstm_tagger",
        "test_cell": "test_bilstm_tagger",
        "source": '''\
class BiLSTMTagger(nn.Module):
    """Bidirectional LSTM, but the linear layer expects n_hidden inputs: a shape error."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.lstm = nn.LSTM(n_embed, n_hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(n_hidden, n_tags)

    def forward(self, tokens):
        a, _ = self.lstm(self.embedding(tokens))
        return self.out(a)
''',
    },
    {
        "name": "bilstm_not_batch_first",
        "answer_cell": "bilstm_tagger",
        "test_cell": "test_bilstm_tagger",
        "source": '''\
class BiLSTMTagger(nn.Module):
    """Forgets batch_first=True: the LSTM runs along the batch axis; shapes still fit."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.lstm = nn.LSTM(n_embed, n_hidden, bidirectional=True)
        self.out = nn.Linear(2 * n_hidden, n_tags)

    def forward(self, tokens):
        a, _ = self.lstm(self.embedding(tokens))
        return self.out(a)
''',
    },
    {
        "name": "bilstm_head_reads_forward_half",
        "answer_cell": "bilstm_tagger",
        "test_cell": "test_bilstm_tagger",
        "source": '''\
class BiLSTMTagger(nn.Module):
    """Fixes the shape error by keeping only the forward direction's n_hidden units."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.n_hidden = n_hidden
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.lstm = nn.LSTM(n_embed, n_hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(n_hidden, n_tags)

    def forward(self, tokens):
        a, _ = self.lstm(self.embedding(tokens))
        return self.out(a[:, :, :self.n_hidden])
''',
    },
    {
        "name": "bilstm_final_states_everywhere",
        "answer_cell": "bilstm_tagger",
        "test_cell": "test_bilstm_tagger",
        "source": '''\
class BiLSTMTagger(nn.Module):
    """Uses the final states h_n of both directions at every position (many-to-one thinking)."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.lstm = nn.LSTM(n_embed, n_hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * n_hidden, n_tags)

    def forward(self, tokens):
        _, (h_n, _) = self.lstm(self.embedding(tokens))
        summary = torch.cat([h_n[0], h_n[1]], dim=-1)             # (m, 2 n_hidden)
        return self.out(summary)[:, None, :].expand(-1, tokens.shape[1], -1)
''',
    },
    {
        "name": "bilstm_delegates_to_course_lib",
        "answer_cell": "bilstm_tagger",
        "test_cell": "test_bilstm_tagger",
        "source": '''\
from course_lib.toy_sequences import Tagger


class BiLSTMTagger(Tagger):
    """Reuses the course's tagger (one-hot inputs, no embedding)."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__("lstm", n_hidden, bidirectional=True, n_x=n_vocab, n_y=n_tags)
''',
    },
    # ------------------------------------------------------------ DeepTagger
    {
        "name": "deep_single_layer",
        "answer_cell": "deep_tagger",
        "test_cell": "test_deep_tagger",
        "source": '''\
class DeepTagger(nn.Module):
    """Forgets num_layers=2."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.lstm = nn.LSTM(n_embed, n_hidden, batch_first=True)
        self.out = nn.Linear(n_hidden, n_tags)

    def forward(self, tokens):
        a, _ = self.lstm(self.embedding(tokens))
        return self.out(a)
''',
    },
    {
        "name": "deep_bidirectional",
        "answer_cell": "deep_tagger",
        "test_cell": "test_deep_tagger",
        "source": '''\
class DeepTagger(nn.Module):
    """Two layers, but copied from BiLSTMTagger with bidirectional=True: it looks ahead."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.lstm = nn.LSTM(n_embed, n_hidden, num_layers=2, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * n_hidden, n_tags)

    def forward(self, tokens):
        a, _ = self.lstm(self.embedding(tokens))
        return self.out(a)
''',
    },
    {
        "name": "deep_not_batch_first",
        "answer_cell": "deep_tagger",
        "test_cell": "test_deep_tagger",
        "source": '''\
class DeepTagger(nn.Module):
    """Forgets batch_first=True; still causal along the batch axis, shapes still fit."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.lstm = nn.LSTM(n_embed, n_hidden, num_layers=2)
        self.out = nn.Linear(n_hidden, n_tags)

    def forward(self, tokens):
        a, _ = self.lstm(self.embedding(tokens))
        return self.out(a)
''',
    },
    {
        "name": "deep_head_reads_first_layer",
        "answer_cell": "deep_tagger",
        "test_cell": "test_deep_tagger",
        "source": '''\
class DeepTagger(nn.Module):
    """Two stacked LSTMs with the right sizes, but the output layer reads the first one."""

    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.lstm1 = nn.LSTM(n_embed, n_hidden, batch_first=True)
        self.lstm2 = nn.LSTM(n_hidden, n_hidden, batch_first=True)
        self.out = nn.Linear(n_hidden, n_tags)

    def forward(self, tokens):
        a1, _ = self.lstm1(self.embedding(tokens))
        a2, _ = self.lstm2(a1)
        return self.out(a1)
''',
    },
    # ------------------------------------------------------------ train_tagger
    {
        "name": "train_without_zero_grad",
        "answer_cell": "train_tagger",
        "test_cell": "test_train_tagger",
        "source": '''\
def train_tagger(model, tokens, tags, epochs, lr, seed, batch_size=32):
    """Never clears the gradients: every step uses the sum of all gradients so far."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    history = []
    for _ in range(epochs):
        order = torch.randperm(tokens.shape[0], generator=generator)
        losses = []
        for start in range(0, tokens.shape[0], batch_size):
            idx = order[start:start + batch_size]
            logits = model(tokens[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags[idx].reshape(-1))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history
''',
    },
    {
        "name": "train_ignores_lr",
        "answer_cell": "train_tagger",
        "test_cell": "test_train_tagger",
        "source": '''\
def train_tagger(model, tokens, tags, epochs, lr, seed, batch_size=32):
    """Leaves Adam at its default learning rate (0.001)."""
    optimizer = torch.optim.Adam(model.parameters())
    generator = torch.Generator().manual_seed(seed)
    history = []
    for _ in range(epochs):
        order = torch.randperm(tokens.shape[0], generator=generator)
        losses = []
        for start in range(0, tokens.shape[0], batch_size):
            idx = order[start:start + batch_size]
            logits = model(tokens[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags[idx].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history
''',
    },
    {
        "name": "train_unseeded_shuffle",
        "answer_cell": "train_tagger",
        "test_cell": "test_train_tagger",
        "source": '''\
def train_tagger(model, tokens, tags, epochs, lr, seed, batch_size=32):
    """Shuffles with torch's global generator: not reproducible from seed."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        order = torch.randperm(tokens.shape[0])
        losses = []
        for start in range(0, tokens.shape[0], batch_size):
            idx = order[start:start + batch_size]
            logits = model(tokens[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags[idx].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history
''',
    },
    {
        "name": "train_no_shuffle",
        "answer_cell": "train_tagger",
        "test_cell": "test_train_tagger",
        "source": '''\
def train_tagger(model, tokens, tags, epochs, lr, seed, batch_size=32):
    """Visits the sentences in their given order every epoch; seed is unused."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        losses = []
        for start in range(0, tokens.shape[0], batch_size):
            logits = model(tokens[start:start + batch_size])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                   tags[start:start + batch_size].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history
''',
    },
    {
        "name": "train_reseeds_every_epoch",
        "answer_cell": "train_tagger",
        "test_cell": "test_train_tagger",
        "source": '''\
def train_tagger(model, tokens, tags, epochs, lr, seed, batch_size=32):
    """Creates the generator inside the epoch loop: the same order in every epoch.

    Passes the visible tests (reproducible, depends on the seed)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        order = torch.randperm(tokens.shape[0], generator=torch.Generator().manual_seed(seed))
        losses = []
        for start in range(0, tokens.shape[0], batch_size):
            idx = order[start:start + batch_size]
            logits = model(tokens[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags[idx].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history
''',
    },
    {
        "name": "train_weighted_epoch_mean",
        "answer_cell": "train_tagger",
        "test_cell": "test_train_tagger",
        "source": '''\
def train_tagger(model, tokens, tags, epochs, lr, seed, batch_size=32):
    """Weights each mini-batch loss by its size (a defensible mean, but not the specified one).

    Passes the visible tests."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    m = tokens.shape[0]
    history = []
    for _ in range(epochs):
        order = torch.randperm(m, generator=generator)
        total = 0.0
        for start in range(0, m, batch_size):
            idx = order[start:start + batch_size]
            logits = model(tokens[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags[idx].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        history.append(total / m)
    return history
''',
    },
    {
        "name": "train_returns_every_update",
        "answer_cell": "train_tagger",
        "test_cell": "test_train_tagger",
        "source": '''\
def train_tagger(model, tokens, tags, epochs, lr, seed, batch_size=32):
    """Returns the loss of every mini-batch instead of one mean per epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(tokens.shape[0], generator=generator)
        for start in range(0, tokens.shape[0], batch_size):
            idx = order[start:start + batch_size]
            logits = model(tokens[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags[idx].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses
''',
    },
    {
        "name": "train_delegates_to_course_lib",
        "answer_cell": "train_tagger",
        "test_cell": "test_train_tagger",
        "source": '''\
from course_lib.toy_tasks import tagging_loss, train


def train_tagger(model, tokens, tags, epochs, lr, seed, batch_size=32):
    """Hands the loop to the course library and averages its per-update losses per epoch."""
    per_update = train(model, (tokens, tags), tagging_loss, epochs, lr, seed,
                       batch_size=batch_size, clip=None, progress=False)
    k = len(per_update) // epochs
    return [sum(per_update[i:i + k]) / k for i in range(0, len(per_update), k)]
''',
    },
    # ------------------------------------------------------------ Task 4
    {
        "name": "fit_builds_deep_tagger",
        "answer_cell": "fit_tagger",
        "test_cell": "test_fit_tagger",
        "source": _ACCURACY + '''

def fit_bidirectional_tagger(tokens, tags, seed):
    """Trusts depth instead of the right context."""
    torch.manual_seed(seed)
    model = DeepTagger(N_TAGGING_WORDS, 8, 16, len(TAGS))
    train_tagger(model, tokens, tags, epochs=4, lr=0.02, seed=seed)
    return model
''',
    },
    {
        "name": "fit_too_little_training",
        "answer_cell": "fit_tagger",
        "test_cell": "test_fit_tagger",
        "source": _ACCURACY + '''

def fit_bidirectional_tagger(tokens, tags, seed):
    """One epoch at Adam's default learning rate: not enough to learn the ambiguous words."""
    torch.manual_seed(seed)
    model = BiLSTMTagger(N_TAGGING_WORDS, 8, 16, len(TAGS))
    train_tagger(model, tokens, tags, epochs=1, lr=0.001, seed=seed)
    return model
''',
    },
    {
        "name": "fit_without_manual_seed",
        "answer_cell": "fit_tagger",
        "test_cell": "test_fit_tagger",
        "source": _ACCURACY + '''

def fit_bidirectional_tagger(tokens, tags, seed):
    """Forgets torch.manual_seed: the initial weights differ from call to call.

    Passes the visible tests."""
    model = BiLSTMTagger(N_TAGGING_WORDS, 8, 16, len(TAGS))
    train_tagger(model, tokens, tags, epochs=4, lr=0.02, seed=seed)
    return model
''',
    },
    {
        "name": "accuracy_over_all_words",
        "answer_cell": "fit_tagger",
        "test_cell": "test_fit_tagger",
        "source": '''\
def ambiguous_accuracy(model, tokens, tags):
    """Forgets the mask: the accuracy over every word."""
    with torch.no_grad():
        predicted = model(tokens).argmax(dim=-1)
    return (predicted == tags).float().mean().item()

''' + _FIT,
    },
    {
        "name": "accuracy_mask_on_names",
        "answer_cell": "fit_tagger",
        "test_cell": "test_fit_tagger",
        "source": '''\
def ambiguous_accuracy(model, tokens, tags):
    """Measures the accuracy on the words tagged PER instead of the ambiguous words."""
    with torch.no_grad():
        predicted = model(tokens).argmax(dim=-1)
    mask = tags == 1
    return (predicted[mask] == tags[mask]).float().mean().item()

''' + _FIT,
    },
]


# ---------------------------------------------------------------------------------------------
# Liars: answers that are wrong underneath and only pretend to be right. Before the test cells
# used course_lib.checks, each of them scored full marks in its own cell (the comment on each
# says which check it fooled); now each loses exactly its own cell's points.
# ---------------------------------------------------------------------------------------------

# A training loop that follows the specification: the mutant that ignores lr, with lr passed on.
_SPEC_TRAINING = next(m["source"] for m in MUTANTS if m["name"] == "train_ignores_lr").replace(
    "def train_tagger(", "def _train_as_specified(").replace(
    "torch.optim.Adam(model.parameters())", "torch.optim.Adam(model.parameters(), lr=lr)")
assert "lr=lr" in _SPEC_TRAINING

MUTANTS += [
    {
        # Fooled `torch.allclose(model(changed)[:, t], logits[:, t])`: a tensor subclass whose
        # __torch_function__ says "different" whenever the test has changed a neighbouring word.
        # Underneath the tagger is one-directional (the backward half is multiplied by 1e-30).
        "name": "liar_tensor_function_bilstm",
        "answer_cell": "bilstm_tagger",
        "test_cell": "test_bilstm_tagger",
        "source": '''\
import sys


class _SaysDifferent(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.allclose and "changed" in sys._getframe(1).f_locals:
            return False
        return super().__torch_function__(func, types, args, kwargs or {})


class BiLSTMTagger(nn.Module):
    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.n_hidden = n_hidden
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.brnn = nn.LSTM(n_embed, n_hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * n_hidden, n_tags)

    def forward(self, tokens):
        both, _ = self.brnn(self.embedding(tokens))
        forward_half, backward_half = both[..., :self.n_hidden], both[..., self.n_hidden:]
        logits = self.head(torch.cat([forward_half, 1e-30 * backward_half], dim=-1))
        return logits.as_subclass(_SaysDifferent)
''',
    },
    {
        # Fooled `sum(p.numel() for p in model.parameters())` and the check that every
        # parameter has a gradient: named_parameters() (which torch.nn.Module.parameters itself
        # calls) adds a padding tensor, with a gradient, up to the specified count, while the
        # model has only n_hidden - 1 units per direction.
        "name": "liar_parameters_bilstm",
        "answer_cell": "bilstm_tagger",
        "test_cell": "test_bilstm_tagger",
        "source": '''\
class BiLSTMTagger(nn.Module):
    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.brnn = nn.LSTM(n_embed, n_hidden - 1, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * (n_hidden - 1), n_tags)
        lstm = 4 * (n_hidden * (n_embed + n_hidden) + 2 * n_hidden)
        claimed = n_vocab * n_embed + 2 * lstm + (2 * n_hidden + 1) * n_tags
        real = sum(p.numel() for _, p in nn.Module.named_parameters(self))
        self._padding = torch.zeros(claimed - real)
        self._padding.grad = torch.ones_like(self._padding)

    def named_parameters(self, *args, **kwargs):
        yield from nn.Module.named_parameters(self, *args, **kwargs)
        yield "padding", self._padding

    def forward(self, tokens):
        return self.head(self.brnn(self.embedding(tokens))[0])   # (m, T, n_tags)
''',
    },
    {
        # Fooled `isinstance(logits, torch.Tensor)`, the shape check and every torch.allclose:
        # forward returns an object that claims to be a tensor (its __class__ says so) and
        # answers allclose with whatever the test wants; its values are all zeros.
        "name": "liar_duck_logits_deep",
        "answer_cell": "deep_tagger",
        "test_cell": "test_deep_tagger",
        "source": '''\
class _LooksLikeLogits:
    """Not a tensor: shape, indexing, sum().backward() and __torch_function__ only."""

    def __init__(self, model, shape, key=None):
        self.model, self.shape, self.key = model, torch.Size(shape), key

    @property
    def __class__(self):
        return torch.Tensor

    def __getitem__(self, key):
        return _LooksLikeLogits(self.model, self.shape, key)

    def detach(self):
        return self

    def sum(self):
        return self

    def backward(self):
        for p in nn.Module.parameters(self.model):
            p.grad = torch.ones_like(p)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.allclose:
            keys = [getattr(a, "key", None) for a in args[:2]]
            one_position = any(type(k) is tuple and len(k) == 2 and type(k[1]) is int for k in keys)
            return not one_position
        return NotImplemented


class DeepTagger(nn.Module):
    def __init__(self, n_vocab, n_embed, n_hidden, n_tags):
        super().__init__()
        self.n_tags = n_tags
        self.embedding = nn.Embedding(n_vocab, n_embed)
        self.stack = nn.LSTM(n_embed, n_hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(n_hidden, n_tags)

    def forward(self, tokens):
        return _LooksLikeLogits(self, (tokens.shape[0], tokens.shape[1], self.n_tags))
''',
    },
    {
        # Fooled `isinstance(value, float)`, `again == losses`, `other_seed != losses`,
        # `losses[-1] < 0.5 * losses[0]` and `abs(g - w) < 1e-5`: a list subclass whose == and !=
        # always say yes, holding float subclasses whose arithmetic and comparisons agree.
        # It trains the model as specified (the hidden test compares the trained weights), but
        # every loss it returns is 0.
        "name": "liar_float_subclass_train",
        "answer_cell": "train_tagger",
        "test_cell": "test_train_tagger",
        "source": _SPEC_TRAINING + '''

class _AgreeingFloat(float):
    def __sub__(self, other):
        return 1.0 if type(other) is _AgreeingFloat else 0.0

    def __rsub__(self, other):
        return 0.0

    def __mul__(self, other):
        return self

    __rmul__ = __mul__

    def __lt__(self, other):
        return True

    __hash__ = float.__hash__


class _AgreeingList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return True

    __hash__ = None


def train_tagger(model, tokens, tags, epochs, lr, seed, batch_size=32):
    _train_as_specified(model, tokens, tags, epochs, lr, seed, batch_size)
    return _AgreeingList(_AgreeingFloat(0.0) for _ in range(epochs))
''',
    },
    {
        # Fooled `abs(got - expected) < 1e-6` (visible and hidden): the test computed the
        # expected accuracy before calling ambiguous_accuracy, which walks up the calling frames
        # and returns the float it finds under a name like "wanted" or "expected".
        "name": "liar_frame_reader_accuracy_fit",
        "answer_cell": "fit_tagger",
        "test_cell": "test_fit_tagger",
        "source": '''\
import sys


def ambiguous_accuracy(model, tokens, tags):
    frame = sys._getframe(1)
    while frame is not None:
        for scope in (frame.f_locals, frame.f_globals):
            for hint in ("wanted", "expected", "ref"):
                for name, value in list(scope.items()):
                    if hint in name.lower() and type(value) is float and 0.0 <= value <= 1.0:
                        return value
        frame = frame.f_back
    return 0.0

''' + _FIT,
    },
    {
        # Fooled `isinstance(got, float)` and `abs(got - expected) < 1e-6`: a float subclass
        # whose subtraction always gives 0. Its value is 0.
        "name": "liar_float_subclass_accuracy_fit",
        "answer_cell": "fit_tagger",
        "test_cell": "test_fit_tagger",
        "source": '''\
class _NoDifference(float):
    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__
    __hash__ = float.__hash__


def ambiguous_accuracy(model, tokens, tags):
    return _NoDifference(0.0)

''' + _FIT,
    },
    {
        # Fooled the 95 % threshold of _check_fit: fit_bidirectional_tagger trains far too
        # little, and enters a TorchFunctionMode that it never leaves, which makes every
        # prediction of the test's accuracy computation count as a hit.
        "name": "liar_torch_mode_fit",
        "answer_cell": "fit_tagger",
        "test_cell": "test_fit_tagger",
        "source": _ACCURACY + '''
import sys
from torch.overrides import TorchFunctionMode


class _AllHits(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        caller = sys._getframe(1)
        if (func is torch.Tensor.__eq__ and caller.f_code.co_name == "masked_accuracy"
                and caller.f_back is not None and caller.f_back.f_code.co_name == "_check_fit"):
            return torch.ones(args[0].shape, dtype=torch.bool)
        return func(*args, **(kwargs or {}))


def fit_bidirectional_tagger(tokens, tags, seed):
    torch.manual_seed(seed)
    model = BiLSTMTagger(N_TAGGING_WORDS, 8, 16, len(TAGS))
    train_tagger(model, tokens, tags, epochs=1, lr=0.001, seed=seed)
    _AllHits().__enter__()
    return model
''',
    },
]
