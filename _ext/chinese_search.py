"""Sphinx extension: the Chinese edition's search index, built in seconds.

Sphinx's Chinese search language (sphinx.search.zh, jieba for the splitting) keeps every Latin
word it has met in a list and looks each word up in that list when it stems it, so indexing
takes time quadratic in the number of Latin words: 80 of the 130 s of the whole Chinese build
(measured with cProfile; this book has many: code names, formulas, English terms). This
registers the same language with a set in place of the list, through Sphinx's own
``add_search_language``: the index it writes is the same.
"""

from __future__ import annotations

from sphinx.search import zh


class SearchChinese(zh.SearchChinese):
    """``sphinx.search.zh.SearchChinese`` with ``latin_terms`` a set of this builder's own."""

    def init(self, options: dict[str, str]) -> None:
        super().init(options)
        self.latin_terms = set()

    def split(self, input: str) -> list[str]:
        chinese = list(zh.jieba.cut_for_search(input)) if zh.JIEBA else []
        latin = [term.strip() for term in self.latin1_letters.findall(input)]
        self.latin_terms.update(latin)
        return chinese + latin


def setup(app):
    app.add_search_language(SearchChinese)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
