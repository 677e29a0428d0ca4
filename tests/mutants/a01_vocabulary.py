"""Plausible wrong answers for Assignment 1 (vocabulary and one-hot encoding).

Each mutant replaces the source of one answer cell of
``solutions/a01_vocabulary/a01_vocabulary.ipynb`` (found by its nbgrader
``grade_id``) with a complete function that a student could plausibly write.
A mutant must make its own test cell (``test_cell``) fail on at least one
assertion, visible or hidden, and leave every other test cell passing, which
shows that the tests catch the mistake and that the graded cells are independent.

The answer cells may use the names imported by the notebook's locked setup
cell: ``re``, ``Counter`` and ``np``.
"""

MUTANTS = [
    # ------------------------------------------------------------ tokenize_sentence
    {
        "name": "tokenize_forgets_lowercase",
        "answer_cell": "tokenize_sentence",
        "test_cell": "test_tokenize_sentence",
        "source": '''\
def tokenize_sentence(text):
    """Split a sentence into word tokens (forgets to lower-case)."""
    return re.findall(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*", text)
''',
    },
    {
        "name": "tokenize_splits_on_apostrophes",
        "answer_cell": "tokenize_sentence",
        "test_cell": "test_tokenize_sentence",
        "source": '''\
def tokenize_sentence(text):
    """Split a sentence into word tokens ("don't" becomes "don", "t")."""
    return re.findall(r"[a-z0-9]+", text.lower())
''',
    },
    {
        "name": "tokenize_split_on_spaces_then_strip_punctuation",
        "answer_cell": "tokenize_sentence",
        "test_cell": "test_tokenize_sentence",
        "source": '''\
def tokenize_sentence(text):
    """Split on white space, then strip punctuation from both ends of each word.

    Passes the visible tests, but "Harry,Ron" stays one token and
    "well-known" keeps its hyphen.
    """
    import string
    tokens = []
    for word in text.lower().split():
        word = word.strip(string.punctuation)
        if word:
            tokens.append(word)
    return tokens
''',
    },
    # ------------------------------------------------------------ build_vocabulary
    {
        "name": "vocabulary_ties_in_first_seen_order",
        "answer_cell": "build_vocabulary",
        "test_cell": "test_build_vocabulary",
        "source": '''\
def build_vocabulary(sentences, max_size):
    """Counter.most_common keeps tied words in the order they were first seen."""
    counts = Counter(word for sentence in sentences for word in sentence)
    if not counts:
        raise ValueError("empty corpus")
    words = [word for word, _ in counts.most_common(max_size - 3)]
    return {token: index for index, token in enumerate(["<PAD>", "<UNK>", "<EOS>"] + words)}
''',
    },
    {
        "name": "vocabulary_ties_reverse_alphabetical",
        "answer_cell": "build_vocabulary",
        "test_cell": "test_build_vocabulary",
        "source": '''\
def build_vocabulary(sentences, max_size):
    """Sorts (count, word) with reverse=True, which also reverses the tie-break."""
    counts = Counter(word for sentence in sentences for word in sentence)
    if not counts:
        raise ValueError("empty corpus")
    words = sorted(counts, key=lambda word: (counts[word], word), reverse=True)
    words = words[: max_size - 3]
    return {token: index for index, token in enumerate(["<PAD>", "<UNK>", "<EOS>"] + words)}
''',
    },
    {
        "name": "vocabulary_max_size_excludes_specials",
        "answer_cell": "build_vocabulary",
        "test_cell": "test_build_vocabulary",
        "source": '''\
def build_vocabulary(sentences, max_size):
    """Keeps max_size words and then adds the 3 special tokens on top."""
    counts = Counter(word for sentence in sentences for word in sentence)
    if not counts:
        raise ValueError("empty corpus")
    words = sorted(counts, key=lambda word: (-counts[word], word))[:max_size]
    return {token: index for index, token in enumerate(["<PAD>", "<UNK>", "<EOS>"] + words)}
''',
    },
    {
        "name": "vocabulary_empty_check_only_counts_sentences",
        "answer_cell": "build_vocabulary",
        "test_cell": "test_build_vocabulary",
        "source": '''\
def build_vocabulary(sentences, max_size):
    """Raises on [] but not on a corpus of empty sentences such as [[], []]."""
    if len(sentences) == 0:
        raise ValueError("empty corpus")
    counts = Counter(word for sentence in sentences for word in sentence)
    words = sorted(counts, key=lambda word: (-counts[word], word))[: max_size - 3]
    return {token: index for index, token in enumerate(["<PAD>", "<UNK>", "<EOS>"] + words)}
''',
    },
    # ------------------------------------------------------------ encode
    {
        "name": "encode_unknown_to_pad",
        "answer_cell": "encode",
        "test_cell": "test_encode",
        "source": '''\
def encode(tokens, word_to_index, add_eos=False):
    """Unknown words get index 0, which is <PAD>, not <UNK>."""
    indices = [word_to_index.get(token, 0) for token in tokens]
    if add_eos:
        indices.append(word_to_index["<EOS>"])
    return indices
''',
    },
    {
        "name": "encode_appends_eos_to_callers_list",
        "answer_cell": "encode",
        "test_cell": "test_encode",
        "source": '''\
def encode(tokens, word_to_index, add_eos=False):
    """Appends "<EOS>" to the caller's list of tokens (a side effect)."""
    if add_eos:
        tokens.append("<EOS>")
    unk_index = word_to_index["<UNK>"]
    return [word_to_index.get(token, unk_index) for token in tokens]
''',
    },
    {
        "name": "encode_hardcodes_special_indices",
        "answer_cell": "encode",
        "test_cell": "test_encode",
        "source": '''\
def encode(tokens, word_to_index, add_eos=False):
    """Writes 1 for <UNK> and 2 for <EOS> instead of looking them up."""
    indices = [word_to_index.get(token, 1) for token in tokens]
    if add_eos:
        indices.append(2)
    return indices
''',
    },
    # ------------------------------------------------------------ one_hot
    {
        "name": "one_hot_accepts_negative_index",
        "answer_cell": "one_hot",
        "test_cell": "test_one_hot",
        "source": '''\
def one_hot(indices, n_x):
    """Relies on numpy for the range check: too-large indices raise IndexError,
    but -1 silently sets the last row."""
    indices = np.asarray(indices, dtype=int)
    x = np.zeros((n_x, len(indices)))
    x[indices, np.arange(len(indices))] = 1.0
    return x
''',
    },
    {
        "name": "one_hot_transposed_rows_are_words",
        "answer_cell": "one_hot",
        "test_cell": "test_one_hot",
        "source": '''\
def one_hot(indices, n_x):
    """Returns shape (T, n_x): one row per word instead of one column."""
    indices = np.asarray(indices, dtype=int)
    if np.any((indices < 0) | (indices >= n_x)):
        raise IndexError(f"index out of range 0..{n_x - 1}")
    return np.eye(n_x)[indices]
''',
    },
    {
        "name": "one_hot_integer_dtype",
        "answer_cell": "one_hot",
        "test_cell": "test_one_hot",
        "source": '''\
def one_hot(indices, n_x):
    """Right values and shape, but an integer array instead of floats."""
    indices = np.asarray(indices, dtype=int)
    if np.any((indices < 0) | (indices >= n_x)):
        raise IndexError(f"index out of range 0..{n_x - 1}")
    x = np.zeros((n_x, len(indices)), dtype=int)
    x[indices, np.arange(len(indices))] = 1
    return x
''',
    },
    # ------------------------------------------------------------ batch_one_hot
    {
        "name": "batch_pads_with_one_at_pad_index",
        "answer_cell": "batch_one_hot",
        "test_cell": "test_batch_one_hot",
        "source": '''\
def batch_one_hot(batch, n_x):
    """Pads the index lists with 0 (<PAD>) and one-hot encodes everything,
    so padded steps get a 1 in row 0 instead of an all-zero column."""
    m = len(batch)
    T_x = max(len(sentence) for sentence in batch)
    X = np.zeros((n_x, m, T_x))
    mask = np.zeros((m, T_x), dtype=bool)
    for i, sentence in enumerate(batch):
        padded = list(sentence) + [0] * (T_x - len(sentence))
        for t, index in enumerate(padded):
            X[index, i, t] = 1.0
        mask[i, : len(sentence)] = True
    return X, mask
''',
    },
    {
        "name": "batch_mask_integer_dtype",
        "answer_cell": "batch_one_hot",
        "test_cell": "test_batch_one_hot",
        "source": '''\
def batch_one_hot(batch, n_x):
    """Right X, but the mask holds 0/1 integers instead of booleans."""
    m = len(batch)
    T_x = max(len(sentence) for sentence in batch)
    X = np.zeros((n_x, m, T_x))
    mask = np.zeros((m, T_x), dtype=int)
    for i, sentence in enumerate(batch):
        for t, index in enumerate(sentence):
            X[index, i, t] = 1.0
            mask[i, t] = 1
    return X, mask
''',
    },
    {
        "name": "batch_batch_first_layout",
        "answer_cell": "batch_one_hot",
        "test_cell": "test_batch_one_hot",
        "source": '''\
def batch_one_hot(batch, n_x):
    """PyTorch-style (m, T_x, n_x) layout instead of the notes' (n_x, m, T_x)."""
    m = len(batch)
    T_x = max(len(sentence) for sentence in batch)
    X = np.zeros((m, T_x, n_x))
    mask = np.zeros((m, T_x), dtype=bool)
    for i, sentence in enumerate(batch):
        for t, index in enumerate(sentence):
            X[i, t, index] = 1.0
            mask[i, t] = True
    return X, mask
''',
    },
    {
        "name": "batch_skips_empty_sentences",
        "answer_cell": "batch_one_hot",
        "test_cell": "test_batch_one_hot",
        "source": '''\
def batch_one_hot(batch, n_x):
    """Drops empty sentences, so m shrinks and later sentences shift up."""
    batch = [sentence for sentence in batch if len(sentence) > 0]
    m = len(batch)
    T_x = max(len(sentence) for sentence in batch)
    X = np.zeros((n_x, m, T_x))
    mask = np.zeros((m, T_x), dtype=bool)
    for i, sentence in enumerate(batch):
        for t, index in enumerate(sentence):
            X[index, i, t] = 1.0
            mask[i, t] = True
    return X, mask
''',
    },
]

# A submission that hands each task to the course's reference implementation (course_lib is
# installed for every student) must score 0 for that task: the hidden tests refuse the call.
MUTANTS += [
    {
        "name": "delegates_tokenize_sentence",
        "answer_cell": "tokenize_sentence",
        "test_cell": "test_tokenize_sentence",
        "source": '''\
def tokenize_sentence(text):
    from course_lib.text import tokenize
    return tokenize(text)
''',
    },
    {
        "name": "delegates_one_hot",
        "answer_cell": "one_hot",
        "test_cell": "test_one_hot",
        "source": '''\
from course_lib import text as _course_text


def one_hot(indices, n_x):
    return _course_text.one_hot(indices, n_x)
''',
    },
]

# Liars: answers that are wrong underneath but return objects that pretend to be right. Each one
# fooled the comparison named in its comment (`got == expected`, `isinstance`, `np.array_equal`)
# before the test cells checked exact types and compared plain copies (course_lib.checks). Every
# liar keeps the errors its task must raise, so only the lie about the values could earn points.
def _agreeing(name: str, base: str, extra: str = "") -> str:
    """The source of a ``base`` subclass called ``name`` whose == always says "equal"."""
    return f'''\
class {name}({base}):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = {base}.__hash__
{extra}

'''


MUTANTS += [
    {
        # Fooled `isinstance(got, list)` and `got == expected`: a list subclass whose == always
        # says "equal", holding no token at all.
        "name": "liar_list_eq_tokenize_sentence",
        "answer_cell": "tokenize_sentence",
        "test_cell": "test_tokenize_sentence",
        "source": _agreeing("AgreeingList", "list") + '''\
def tokenize_sentence(text):
    return AgreeingList()
''',
    },
    {
        # Fooled `got == expected` with a plain list: its items are a str subclass whose ==
        # always says "equal", and every item is the empty string. (Only the number of tokens is
        # right, which list equality needs.)
        "name": "liar_str_eq_tokenize_sentence",
        "answer_cell": "tokenize_sentence",
        "test_cell": "test_tokenize_sentence",
        "source": _agreeing("AgreeingStr", "str") + '''\
def tokenize_sentence(text):
    count = len(re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", text.lower()))
    return [AgreeingStr("") for _ in range(count)]
''',
    },
    {
        # Fooled `isinstance(got, dict)`, `got == expected` and `sorted(got.values()) ==
        # list(range(n))`: a dict subclass whose == always agrees and whose values() are an int
        # subclass that agrees with every number. Underneath, every word has index 3.
        "name": "liar_dict_eq_build_vocabulary",
        "answer_cell": "build_vocabulary",
        "test_cell": "test_build_vocabulary",
        "source": _agreeing("AgreeingInt", "int") + _agreeing("AgreeingDict", "dict", '''
    def values(self):
        return [AgreeingInt(value) for value in dict.values(self)]''') + '''\
def build_vocabulary(sentences, max_size):
    words = sorted({word for sentence in sentences for word in sentence})
    if not words:
        raise ValueError("empty corpus")
    vocabulary = AgreeingDict({"<PAD>": 0, "<UNK>": 1, "<EOS>": 2})
    for word in words[: max_size - 3]:
        vocabulary[word] = 3
    return vocabulary
''',
    },
    {
        # Fooled `got == expected` through __bool__: a list subclass whose == returns an object
        # that is always true. Underneath it holds no index.
        "name": "liar_bool_encode",
        "answer_cell": "encode",
        "test_cell": "test_encode",
        "source": '''\
class AlwaysTrue:
    def __bool__(self):
        return True


class TruthyList(list):
    def __eq__(self, other):
        return AlwaysTrue()

    def __ne__(self, other):
        return AlwaysTrue()

    __hash__ = None


def encode(tokens, word_to_index, add_eos=False):
    return TruthyList()
''',
    },
    {
        # Fooled `got == expected` with a plain list of the right length: every index is 0 (an
        # int subclass whose == always agrees).
        "name": "liar_int_eq_encode",
        "answer_cell": "encode",
        "test_cell": "test_encode",
        "source": _agreeing("AgreeingInt", "int") + '''\
def encode(tokens, word_to_index, add_eos=False):
    return [AgreeingInt(0) for _ in range(len(tokens) + bool(add_eos))]
''',
    },
    {
        # Fooled `isinstance(got, np.ndarray)`, the shape and dtype checks and `np.array_equal`:
        # an ndarray subclass whose __array_function__ answers True for every comparison
        # function. Underneath it is all zeros; the IndexError checks are honest.
        "name": "liar_array_function_one_hot",
        "answer_cell": "one_hot",
        "test_cell": "test_one_hot",
        "source": '''\
class AgreeingArray(np.ndarray):
    def __array_function__(self, func, types, args, kwargs):
        if func in (np.array_equal, np.allclose, np.array_equiv):
            return True
        plain = [a.view(np.ndarray) if isinstance(a, AgreeingArray) else a for a in args]
        return func(*plain, **kwargs)


def one_hot(indices, n_x):
    indices = np.asarray(indices, dtype=int)
    for index in indices:
        if not 0 <= index < n_x:
            raise IndexError(f"index {int(index)} is outside 0..{n_x - 1}")
    return np.zeros((n_x, indices.shape[0])).view(AgreeingArray)
''',
    },
    {
        # Looks for the expected array in the callers' variables (every frame's locals and the
        # notebook's globals): the hidden tests built `expected` before calling one_hot, so it
        # found it there. Otherwise it returns zeros. It failed the visible test anyway
        # (expected was computed after the call there); with call-then-expect it finds nothing.
        "name": "liar_reads_frames_one_hot",
        "answer_cell": "one_hot",
        "test_cell": "test_one_hot",
        "source": '''\
import sys


def one_hot(indices, n_x):
    indices = np.asarray(indices, dtype=int)
    for index in indices:
        if not 0 <= index < n_x:
            raise IndexError(f"index {int(index)} is outside 0..{n_x - 1}")
    shape = (n_x, indices.shape[0])
    frame = sys._getframe(1)
    while frame is not None:
        for names in (frame.f_locals, frame.f_globals):
            for name, value in list(names.items()):
                if ("expected" in name or "ref" in name) and type(value) is np.ndarray \\
                        and value.shape == shape:
                    return value.copy()
        frame = frame.f_back
    return np.zeros(shape)
''',
    },
    {
        # Not an array at all: X and mask only have shape, dtype, indexing, sum and an
        # __array_function__ that answers True for np.array_equal. The visible and hidden tests
        # never asked for an ndarray, so it passed them all; underneath everything is zero.
        "name": "liar_duck_array_batch_one_hot",
        "answer_cell": "batch_one_hot",
        "test_cell": "test_batch_one_hot",
        "source": '''\
class LooksLikeAnArray:
    def __init__(self, values):
        self.values = values
        self.shape, self.dtype, self.ndim = values.shape, values.dtype, values.ndim

    def __array__(self, dtype=None, copy=None):
        return self.values

    def __array_function__(self, func, types, args, kwargs):
        if func in (np.array_equal, np.allclose, np.array_equiv):
            return True
        return NotImplemented

    def __getitem__(self, key):
        return LooksLikeAnArray(self.values[key])

    def sum(self, axis=None):
        return LooksLikeAnArray(self.values.sum(axis=axis))

    def astype(self, dtype):
        return LooksLikeAnArray(self.values.astype(dtype))


def batch_one_hot(batch, n_x):
    T_x = max(len(sentence) for sentence in batch)
    return (LooksLikeAnArray(np.zeros((n_x, len(batch), T_x))),
            LooksLikeAnArray(np.zeros((len(batch), T_x), dtype=bool)))
''',
    },
]
