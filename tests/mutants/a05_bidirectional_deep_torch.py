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
