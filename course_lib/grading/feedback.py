"""Student feedback without the hidden tests.

``nbgrader generate_feedback`` renders the autograded notebook as it is, so every line of every
``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` block reaches the student, and so does
the traceback of a failing test: IPython prints the source lines around the failing line of
every frame (nbgrader issues #917 and #1363). nbgrader's own ``ClearHiddenTests`` only edits
the cell's source, so the traceback still shows the hidden lines.

:class:`HideHiddenTests` is a preprocessor for ``GenerateFeedback.preprocessors``. In the copy
of the notebook that becomes the feedback page (the autograded notebook on disk, which the
instructor and formgrader see, is not touched) it

* replaces each hidden block of a cell's source by one comment line (:data:`PLACEHOLDER`);
* drops, from every traceback, the source lines that belong to a hidden block: a frame of a
  cell with hidden tests (IPython names it ``Cell In[N], line L``, ``N`` being the cell's
  execution count) keeps only its visible lines; any numbered source line equal to a hidden
  line is dropped wherever it appears. The exception's type and message (``AssertionError:
  expected ...``), which tell the student what was wrong, stay;
* as a last net, removes from every text output (prints, results, the exception message) a
  line that contains a hidden line verbatim (one a student's code could have printed, e.g. by
  reading the running cell's source). Re-encoded text cannot be recognised: the real protection
  is that the test cell itself never shows its hidden part.

Enable in ``nbgrader_config.py`` after nbgrader's own steps::

    c.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
        "course_lib.grading.feedback.HideHiddenTests",
    ]
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, List, Unicode

PLACEHOLDER = "# Hidden tests ran here; they are not shown in feedback."
TRACEBACK_NOTE = "(hidden test lines not shown)"
OUTPUT_NOTE = "[a line of the hidden tests was removed from this output]"
# A traceback line of any frame that equals a hidden line at least this long is dropped even if
# the frame is not the test cell's; shorter lines ("try:", "else:") say nothing and stay.
MIN_FRAME_LINE_CHARS = 8

# Colour and cursor codes that IPython puts in tracebacks (ESC [ ... letter).
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The first line of a frame: "Cell In[12], line 7" (IPython >= 8) or, from older kernels,
# "<ipython-input-12-0123abcd> in <module>" and "Input In [12], in <cell line: 7>()".
FRAME_RE = re.compile(
    r"^\s*(?:Cell In\s?\[(\d+)\]|<ipython-input-(\d+)-|Input In\s?\[(\d+)\]|File )")
# A source line of a frame: "      3 code" or "----> 5 code" (the arrow marks the failing line).
NUMBERED_RE = re.compile(r"^\s*(?:-*>\s*)?(\d+)(?: (.*))?$")


def strip_ansi(text: str) -> str:
    """``text`` without ANSI escape sequences (colours)."""
    return ANSI_RE.sub("", text)


def normalise(line: str) -> str:
    """A line with runs of whitespace made one space, and no leading or trailing space."""
    return " ".join(line.split())


@dataclass
class HiddenCell:
    """A code cell's source split into what the student may see and what is hidden.

    Attributes
    ----------
    shown : str
        The source with each hidden block (markers included) replaced by one placeholder line,
        indented like the block's ``BEGIN`` marker.
    hidden_lines : set of int
        1-based numbers of the source lines inside a hidden block, markers included: the line
        numbers a traceback of this cell prints.
    hidden_texts : set of str
        The non-empty hidden lines, whitespace-normalised.
    """

    shown: str
    hidden_lines: set[int] = field(default_factory=set)
    hidden_texts: set[str] = field(default_factory=set)


def split_hidden(source: str, begin: str = "BEGIN HIDDEN TESTS",
                 end: str = "END HIDDEN TESTS") -> HiddenCell:
    """Split ``source`` into its visible part and its hidden-test blocks.

    A block runs from a line containing ``begin`` to the next line containing ``end``. The
    function fails safe rather than raising: a ``begin`` without its ``end`` hides the rest of
    the source, a second ``begin`` inside a block is part of the block, and a stray ``end``
    line is dropped (it is only a marker).

    Parameters
    ----------
    source : str
        A code cell's source.
    begin, end : str
        The delimiters (nbgrader's ``ClearHiddenTests.begin_test_delimeter`` and
        ``end_test_delimeter``).

    Returns
    -------
    HiddenCell
    """
    shown: list[str] = []
    cell = HiddenCell(shown="")
    inside = False
    for number, line in enumerate(source.split("\n"), start=1):
        if not inside and begin in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            shown.append(indent + PLACEHOLDER)
        if inside:
            cell.hidden_lines.add(number)
            if normalise(line):
                cell.hidden_texts.add(normalise(line))
            if end in line:
                inside = False
        elif end in line:
            continue
        else:
            shown.append(line)
    cell.shown = "\n".join(shown)
    return cell


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests from the feedback copy of an autograded notebook.

    See the module docstring for what is removed and what is kept. Only the notebook that
    nbconvert renders is changed; the autograded notebook on disk keeps everything.
    """

    begin_test_delimeter = Unicode(
        "BEGIN HIDDEN TESTS", help="The delimiter marking the beginning of hidden tests"
    ).tag(config=True)
    end_test_delimeter = Unicode(
        "END HIDDEN TESTS", help="The delimiter marking the end of hidden tests"
    ).tag(config=True)
    # nbconvert's HTML exporter configures this for every NbConvertBase; declared configurable
    # here (as nbgrader's GetGrades does) so traitlets does not warn that it is unknown.
    display_data_priority = List(
        NbGraderPreprocessor.class_traits()["display_data_priority"].default(), config=True)
    min_output_leak_chars = Integer(
        12, help="Hidden lines at least this long (whitespace-normalised) are looked for, "
                 "verbatim, in every text output, and the output lines holding one removed."
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """Hide the hidden blocks of every code cell and clean every cell's outputs."""
        split = {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                parts = split_hidden(cell.source, self.begin_test_delimeter,
                                     self.end_test_delimeter)
                if parts.hidden_lines:
                    split[index] = parts
        # A traceback names a cell by its execution count: which hidden lines each count has
        # (after a kernel restart two cells may share a count: both cells' lines count).
        self._hidden_by_count: dict[int, set[int]] = {}
        for index, parts in split.items():
            count = nb.cells[index].get("execution_count")
            if count is not None:
                self._hidden_by_count.setdefault(count, set()).update(parts.hidden_lines)
        self._hidden_texts = set().union(*(p.hidden_texts for p in split.values()))
        self._long_hidden = sorted(t for t in self._hidden_texts
                                   if len(t) >= self.min_output_leak_chars)
        for index, cell in enumerate(nb.cells):
            if index in split:
                cell.source = split[index].shown
            if cell.cell_type == "code":
                cell.outputs = [self._clean_output(out) for out in cell.get("outputs", [])]
        self.log.debug("hid the hidden tests of %d cells", len(split))
        return nb, resources

    # -- outputs ---------------------------------------------------------------------------

    def _clean_output(self, output: NotebookNode) -> NotebookNode:
        if output.output_type == "error":
            output.traceback = self._clean_traceback(output.get("traceback", []))
            output.evalue = self._clean_text(output.get("evalue", ""))
        elif output.output_type == "stream":
            output.text = self._clean_text(output.get("text", ""))
        elif output.output_type in ("execute_result", "display_data"):
            for mime in list(output.get("data", {})):
                if not mime.startswith("text/") and mime != "application/json":
                    continue
                value = output.data[mime]
                text = value if isinstance(value, str) else str(value)
                if mime == "text/plain":
                    output.data[mime] = self._clean_text(text)
                elif self._leaked_in(strip_tags(text)):
                    del output.data[mime]  # rich text: drop it, text/plain (cleaned) remains
            if not output.get("data"):
                output.data = {"text/plain": OUTPUT_NOTE}
        return output

    def _leaked_in(self, text: str) -> bool:
        flat = normalise(strip_ansi(text))
        return any(secret in flat for secret in self._long_hidden)

    def _clean_text(self, text: str) -> str:
        """``text`` without the lines that contain a (long enough) hidden line verbatim."""
        if not self._long_hidden or not self._leaked_in(text):
            return text
        lines = [OUTPUT_NOTE if self._leaked_in(line) else line for line in text.split("\n")]
        if self._leaked_in("\n".join(lines)):
            return OUTPUT_NOTE  # the hidden line spanned several output lines
        return "\n".join(lines)

    def _clean_traceback(self, traceback: list[str]) -> list[str]:
        """The traceback with every source line of a hidden block removed.

        An entry that starts with a frame header is filtered line by line; the others (the
        separator, ``AssertionError  Traceback ...`` and the final ``ename: evalue``) are only
        passed through :meth:`_clean_text`.
        """
        cleaned = []
        for entry in traceback:
            first = strip_ansi(entry).split("\n", 1)[0]
            if FRAME_RE.match(first):
                cleaned.append(self._clean_frame(entry))
            else:
                cleaned.append(self._clean_text(entry))
        return cleaned

    def _clean_frame(self, entry: str) -> str:
        lines = entry.split("\n")
        header = FRAME_RE.match(strip_ansi(lines[0]))
        count = next((int(g) for g in header.groups() if g), None)
        hidden_numbers = self._hidden_by_count.get(count, set())
        kept: list[str] = []
        header_line = re.search(r"line (\d+)", strip_ansi(lines[0]))
        if header_line and int(header_line.group(1)) in hidden_numbers:
            # "Cell In[9], line 11, in helper(args)": the helper and its arguments are hidden.
            kept.append(f"Cell In[{count}], line {header_line.group(1)} (hidden test)")
        else:
            kept.append(lines[0])
        for line in lines[1:]:
            plain = strip_ansi(line)
            numbered = NUMBERED_RE.match(plain)
            if numbered:
                # A hidden line of this frame's cell goes, and so does a line equal to a hidden
                # one in any frame, should the frame be misattributed.
                code = normalise(numbered.group(2) or "")
                hide = (int(numbered.group(1)) in hidden_numbers
                        or (len(code) >= MIN_FRAME_LINE_CHARS and code in self._hidden_texts)
                        or self._leaked_in(code))
            else:
                hide = normalise(plain) in self._hidden_texts or self._leaked_in(plain)
            if not hide:
                kept.append(line)
            elif not kept or kept[-1] != TRACEBACK_NOTE:
                kept.append(TRACEBACK_NOTE)
        return "\n".join(kept)


def strip_tags(page: str) -> str:
    """The text of an HTML fragment: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))
