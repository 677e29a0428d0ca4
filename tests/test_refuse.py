"""course_lib.grading.refuse: a reference implementation cannot be called inside the block."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import text
from course_lib.grading.refuse import refusing


def test_every_way_of_reaching_the_reference_is_refused_and_restored_after():
    from course_lib.text import one_hot as bound_copy

    def delegating(indices, n_x):
        return text.one_hot(indices, n_x)

    with refusing(text.one_hot, task="one_hot"):
        for call in (delegating, bound_copy, text.one_hot):
            with pytest.raises(AssertionError, match="one_hot must be your own code.*text.one_hot"):
                call([1, 0], 3)
    np.testing.assert_array_equal(bound_copy([1, 0], 3), np.eye(3)[:, [1, 0]])


def test_methods_and_classmethods_are_refused():
    with refusing(text.Vocabulary.encode, text.Vocabulary.__dict__["from_corpus"],
                  task="encode"):
        with pytest.raises(AssertionError, match="encode must be your own code"):
            text.Vocabulary.from_corpus([["a", "b"]])
    vocab = text.Vocabulary.from_corpus([["a", "b"]])
    assert vocab.encode(["a"]) == [vocab.index("a")]


def test_the_code_is_restored_when_the_block_fails():
    with pytest.raises(ValueError):
        with refusing(text.tokenize):
            raise ValueError("a test failed inside the block")
    assert text.tokenize("Hi there") == ["hi", "there"]


def test_only_python_functions_can_be_refused():
    with pytest.raises(TypeError, match="Python functions"):
        with refusing(np.add):
            pass
