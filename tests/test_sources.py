"""No git-tracked text file contains a control character or an invisible format character.

A control character in a source is invisible in an editor and breaks the page: in chapter 12 a
BEL (U+0007) had replaced the ``\\a`` of ``\\approx`` (Python reads ``"\\a"`` as BEL), and the
book showed "pprox". This test reads every file that ``git ls-files`` lists, as it is in the
working tree, and reports each forbidden character with its file, line, column, code point and
name.

What is allowed
    Line feed (``\\n``) and tab (``\\t``, which Makefile recipes need). Nothing else of Unicode
    category Cc: carriage return is forbidden too, since every tracked file uses LF line endings
    and a lone CR is never needed in a chapter, a module or a notebook (a progress bar's CR in
    a committed output would be caught as well). Also forbidden are the invisible format
    characters of category Cf (zero-width space, byte-order mark, soft hyphen, the
    bidirectional overrides of "Trojan source") and the line and paragraph separators
    U+2028 / U+2029, which look like nothing and change how text is split into lines.

JSON files
    A notebook (``.ipynb``) or a benchmark result (``.json``) stores a control character as an
    escape such as ``\\u0007`` inside a string, so its raw text looks clean. Every JSON string
    literal is therefore decoded and checked as well; JSON strings cannot span lines, so the
    literal's line is the line to report (nbformat writes one source line of a cell per line).
    An escaped backslash followed by the letters ``u0007`` is text, not a control character.

Binary files
    Files with a suffix in ``BINARY_SUFFIXES`` (the compressed data sets) are skipped. Every
    other tracked file must be UTF-8 text; one that is not is reported too, so that a binary
    file is never skipped by accident and a text file with a stray NUL byte is not missed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

ALLOWED = frozenset("\n\t")
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
BINARY_SUFFIXES = frozenset({".gz", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".pdf", ".ico",
                             ".mxl", ".npy", ".npz", ".pt", ".mo", ".woff", ".woff2", ".ttf"})
JSON_SUFFIXES = frozenset({".ipynb", ".json"})
# A JSON string literal: quotes around characters that are neither a quote nor a backslash, or
# a backslash and the character it escapes. Outside strings valid JSON has no quotes, so this
# finds exactly the string literals of a valid file.
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
            "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US").split()


@dataclass(frozen=True)
class Finding:
    """One forbidden character (or one undecodable file) found in a tracked file."""

    path: str
    line: int
    column: int
    char: str | None
    context: str
    where: str = ""

    def __str__(self) -> str:
        if self.char is None:
            return f"{self.path}:{self.line}:{self.column}: {self.context}"
        place = f" {self.where}" if self.where else ""
        return (f"{self.path}:{self.line}:{self.column}: {describe(self.char)}{place} "
                f"in {self.context}")


def describe(char: str) -> str:
    """Code point and name of a character, e.g. ``U+0007 BELL (BEL)``.

    Parameters
    ----------
    char : str
        One character.

    Returns
    -------
    str
        ``U+XXXX`` followed by the Unicode name (control characters have none in Python's
        database, so the C0 abbreviation, ``DEL`` or ``C1 control`` is used).
    """
    code = ord(char)
    if code < 0x20:
        name = {7: "BELL (BEL)", 8: "BACKSPACE (BS)", 13: "CARRIAGE RETURN (CR)",
                0: "NULL (NUL)", 27: "ESCAPE (ESC)"}.get(code, C0_NAMES[code])
    elif code == 0x7F:
        name = "DELETE (DEL)"
    elif 0x80 <= code <= 0x9F:
        name = "C1 control"
    else:
        name = unicodedata.name(char, "unnamed")
    return f"U+{code:04X} {name}"


def is_forbidden(char: str) -> bool:
    """True if ``char`` may not appear in a tracked text file (see the module docstring)."""
    return char not in ALLOWED and unicodedata.category(char) in FORBIDDEN_CATEGORIES


def _forbidden_pattern() -> re.Pattern:
    """One character class of every forbidden code point, as ranges (a scan by regex is about
    fifty times faster than asking ``is_forbidden`` of every character of the repository)."""
    ranges, start = [], None
    for code in range(0x110000 + 1):
        bad = code <= 0x10FFFF and is_forbidden(chr(code))
        if bad and start is None:
            start = code
        elif not bad and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    return re.compile("[" + "".join(ranges) + "]")


FORBIDDEN = _forbidden_pattern()


def _context(text: str, index: int, width: int = 24) -> str:
    """The text around ``index`` on its line, as a repr so that the character shows."""
    start = max(text.rfind("\n", 0, index) + 1, index - width)
    end = text.find("\n", index)
    end = min(len(text) if end == -1 else end, index + width + 1)
    return repr(text[start:end])


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def scan_text(path: str, text: str) -> list[Finding]:
    """Forbidden characters of ``text``, the decoded content of the file ``path``.

    Parameters
    ----------
    path : str
        The file's path relative to the repository root, used in the findings and to decide
        whether the file is JSON (``.ipynb``, ``.json``), whose string literals are decoded.
    text : str
        The file's content.

    Returns
    -------
    list of Finding
        One finding per forbidden character, in the order of the file; for a JSON file also
        one per forbidden character that a string literal's escapes decode to.
    """
    findings = []
    for match in FORBIDDEN.finditer(text):
        line, column = _line_and_column(text, match.start())
        findings.append(Finding(path, line, column, match.group(), _context(text, match.start())))
    if Path(path).suffix in JSON_SUFFIXES:
        for match in JSON_STRING.finditer(text):
            literal = match.group()
            if "\\" not in literal:
                continue  # no escape: any raw character was checked above
            try:
                value = json.loads(literal)
            except json.JSONDecodeError:
                continue  # not valid JSON here (e.g. a raw control character, reported above)
            for bad in FORBIDDEN.finditer(value):
                line, column = _line_and_column(text, match.start())
                findings.append(Finding(
                    path, line, column, bad.group(), _context(value, bad.start()),
                    where="(escaped in the JSON string that starts here)"))
    return findings


def scan_file(root: Path, path: str) -> list[Finding]:
    """Findings for one tracked file; a file that is neither binary nor UTF-8 is one finding.

    Parameters
    ----------
    root : Path
        The repository root.
    path : str
        The file's path relative to ``root``, as ``git ls-files`` prints it.

    Returns
    -------
    list of Finding
        Empty for a clean file, a binary file (suffix in ``BINARY_SUFFIXES``) and a tracked
        file that the working tree no longer has (deleting it is not this test's business).
    """
    file = root / path
    if Path(path).suffix.lower() in BINARY_SUFFIXES or not file.is_file():
        return []
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return [Finding(path, line, error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1,
                        None, f"not UTF-8 text ({error.reason} at byte {error.start}); if the "
                        f"file is binary, add its suffix to BINARY_SUFFIXES in {Path(__file__).name}")]
    return scan_text(path, text)


def tracked_files(root: Path) -> list[str]:
    """Paths of the files git tracks under ``root`` (the index, not only committed files).

    Raises
    ------
    RuntimeError
        If ``git ls-files`` fails, with git's message.
    """
    result = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"`git ls-files` failed in {root}: "
                           f"{result.stderr.decode(errors='replace').strip()}")
    return [p for p in result.stdout.decode("utf-8").split("\0") if p]


def scan_repository(root: Path) -> list[Finding]:
    """Findings for every file that git tracks under ``root``."""
    return [finding for path in tracked_files(root) for finding in scan_file(root, path)]


def _require_git(root: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: cannot list the tracked files")
    if not (root / ".git").exists():
        pytest.skip(f"{root} is not a git checkout (e.g. an unpacked sdist): nothing is tracked")


def test_no_control_characters_in_tracked_text_files():
    _require_git(REPO)
    files = tracked_files(REPO)
    assert any(p.startswith("chapters/") for p in files), "git lists no chapter: wrong root?"
    findings = scan_repository(REPO)
    assert not findings, (
        f"{len(findings)} forbidden character(s) in tracked files (only \\n and \\t are "
        "allowed; see tests/test_sources.py):\n" + "\n".join(map(str, findings)))


# --- self-tests: the scan finds what it should, and only that ------------------------------


def test_planted_bel_is_found_with_file_line_and_name():
    text = "first line\nabout $1 - s/2 \x07pprox 0.9$\n"
    [finding] = scan_text("chapters/99_planted.md", text)
    assert (finding.path, finding.line, finding.column, finding.char) == (
        "chapters/99_planted.md", 2, 16, "\x07")
    message = str(finding)
    assert message.startswith("chapters/99_planted.md:2:16: U+0007 BELL (BEL)"), message
    assert "pprox" in message, message


@pytest.mark.parametrize("char, name", [
    ("\r", "CARRIAGE RETURN"), ("\x00", "NUL"), ("\x1b", "ESCAPE"), ("\x0c", "FF"),
    ("\x7f", "DELETE"), ("\x85", "C1 control"), ("\u200b", "ZERO WIDTH SPACE"),
    ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"), ("\u202e", "RIGHT-TO-LEFT OVERRIDE"),
    ("\u2028", "LINE SEPARATOR"),
])
def test_other_invisible_characters_are_found(char, name):
    [finding] = scan_text("course_lib/planted.py", f"x = 1{char}\n")
    assert finding.char == char and name in str(finding), str(finding)


def test_newline_tab_and_visible_unicode_are_allowed():
    text = "all:\n\tmake book\n中文 α ≈ 0.9 — “quotes” ★ µs\n"
    assert scan_text("Makefile", text) == []


def test_escaped_control_character_in_a_notebook_is_found():
    cell = {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "$a \u0007pprox b$"]}
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1)
    assert "\x07" not in text and "\\u0007" in text  # raw text is clean: only the escape
    [finding] = scan_text("solutions/a99/a99.ipynb", text)
    assert finding.char == "\x07"
    assert text.splitlines()[finding.line - 1].strip().startswith('"$a \\u0007pprox'), finding
    assert "U+0007 BELL" in str(finding) and "JSON string" in str(finding)


def test_escaped_backslash_before_u0007_is_text_not_a_control_character():
    # the cell's text is the six characters \u0007 (e.g. a regex in code), not BEL
    text = json.dumps({"source": ["pattern = r'\\u0007'\n", "tab = '\\t'"]})
    assert "\\\\u0007" in text
    assert scan_text("solutions/a99/a99.ipynb", text) == []
    # and a JSON escape of an allowed character is allowed
    assert scan_text("benchmarks/results/x.json", json.dumps({"a": "one\ttwo\nthree"})) == []


def test_git_tracked_files_are_scanned_binary_skipped_and_non_utf8_reported(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "clean.md").write_text("clean\n", encoding="utf-8")
    (tmp_path / "chapters" / "bel.md").write_text("ok\nbad \x07 here\n", encoding="utf-8")
    (tmp_path / "data.txt.gz").write_bytes(b"\x1f\x8b\x08\x00\x07\x00")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")
    (tmp_path / "untracked.md").write_text("\x07\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "chapters", "data.txt.gz", "latin1.txt"],
                   check=True)
    findings = sorted(scan_repository(tmp_path), key=lambda f: f.path)
    assert [(f.path, f.line) for f in findings] == [("chapters/bel.md", 2), ("latin1.txt", 1)]
    assert "U+0007 BELL" in str(findings[0])
    assert "not UTF-8" in str(findings[1]) and "BINARY_SUFFIXES" in str(findings[1])


def test_git_failure_is_a_clear_error(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    with pytest.raises(RuntimeError, match="git ls-files. failed in"):
        tracked_files(tmp_path / "not-a-repository")


def test_the_scan_pattern_matches_exactly_the_forbidden_characters():
    every = "".join(map(chr, range(0x110000)))
    by_pattern = {m.start() for m in FORBIDDEN.finditer(every)}
    by_rule = {code for code in range(0x110000) if is_forbidden(chr(code))}
    assert by_pattern == by_rule
    assert {0x07, 0x0D, 0x85, 0x200B, 0xFEFF, 0x2028} <= by_rule
    assert not {0x09, 0x0A, 0x20, 0x3000, 0x2248} & by_rule  # tab, LF, spaces, ≈
