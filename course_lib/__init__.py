"""course_lib: the shared library behind the *Sequence Models* course.

One module per concept, in the notes' notation (column vectors, shapes
``(n_x, m, T_x)``). Chapters, assignment solutions and tests import from here,
so every formula has exactly one implementation.

Modules
-------
text
    Tokenisation, vocabularies with ``<PAD>``, ``<UNK>`` and ``<EOS>``,
    encoding/decoding and one-hot batches with masks.
plots
    Figures shared by chapters (one-hot matrices, batch masks).
"""

__version__ = "0.1.0"
