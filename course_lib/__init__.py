"""course_lib: the shared library behind the *Sequence Models* course.

One module per concept, in the notes' notation (column vectors, shapes
``(n_x, m, T_x)``). Chapters, assignment solutions and tests import from here,
so every formula has exactly one implementation. Modules depend downward
(text <- rnn <- language_model <- sampling), never in a circle; torch is
imported only by the modules that need it (toy_tasks, char_model).

Modules
-------
text            tokenisation, vocabularies with <PAD>/<UNK>/<EOS>, one-hot batches and masks
rnn             the numpy RNN: cell/sequence forward, losses, cell backward, BPTT
gradcheck       centred differences and relative error
gradient_flow   exact Jacobians da<T>/da<t> of a vanilla RNN vs distance (vanishing/exploding)
language_model  numpy RNN language model: inputs/targets, clipping, SGD/Adam, training loop
sampling        sampling novel sequences: temperature, greedy, <UNK> rejection
lstm            numpy LSTM cell and sequence forward/backward, peepholes, torch mapping
gru             numpy simplified and full GRU (notes and torch variants), backward, torch mapping
bidirectional   bidirectional wrapper and deep (stacked) RNNs over the rnn, gru and lstm cells
toy_sequences   synthetic long-dependency (agreement) and right-context tagging tasks, torch taggers
ngram           add-k and Kneser-Ney n-gram language models, perplexity
embeddings      GloVe 6B 50d, cosine similarity, neighbours, analogies (3CosAdd/3CosMul), E·O_j,
                PCA/t-SNE, debiasing (neutralise, equalise), analogy/similarity evaluation
word2vec        skip-gram pairs, CBOW examples, softmax and negative-sampling losses/gradients,
                f^{3/4} table, Huffman depths, torch SGNS trainer
sentiment       labelled movie/Amazon sentences (fixed splits), GloVe tokenisation, averaging
                model (numpy), many-to-one RNN over GloVe (torch), accuracy, confusion matrix
datasets        names, Moby Dick and State of the Union, with fixed splits (data/ + licences)
toy_tasks       synthetic tasks and small torch models for the RNN types (torch)
char_model      torch character-level LSTM/GRU language model (torch)
plots, rnn_plots, bptt_plots   figures shared by chapters
grading         instructor side: parallel autograding (python -m course_lib.grading.parallel)
"""

__version__ = "0.1.0"
