"""Give a student's notebook back the release's graded-cell structure, keeping the student's code.

nbgrader 0.9.6 finds a notebook's graded cells by their metadata (``metadata.nbgrader``:
``grade_id`` and the ``solution`` / ``grade`` / ``locked`` flags). When that metadata was edited
(a copied cell, an extension that rewrites metadata, a flag removed), when an answer cell and
its test cell were both deleted, or when a graded cell was duplicated, ``nbgrader autograde``
stops with an error for that student and records no score. :func:`repair_notebook` puts the
structure right before grading:

1. **Matching.** Each cell of the student's notebook is matched to at most one graded cell of
   the release, strongest evidence first: the same ``grade_id`` *and* the same content (for a
   locked cell the same source, for an answer cell the stub's ``def name(`` / ``class Name``
   line), then the ``grade_id`` alone, then the content alone. An answer cell that none of
   these finds is recognised by its position: the one cell of its type, between the graded
   cells around it, that is neither the release's text nor another graded cell's.
2. **Duplicates.** When several cells claim one graded cell, the one kept is, among the
   strongest claims, the last copy that differs from the release's stub (the copy the student
   edited last), else the last copy. The other copies stay where they are as ordinary
   (ungraded) cells, code and all; if one of them sits below the kept cell, the kept cell
   moves below it, so that a pasted stub does not redefine the student's function before the
   test runs.
3. **Restoring.** A matched cell gets the release's nbgrader metadata and cell type (code <->
   Markdown); its source stays the student's (nbgrader itself resets locked cells' source).
   A graded cell out of the release's order is moved back. A missing graded cell is put back
   from the release, next to the release's neighbouring text: an answer cell as the blank stub
   (the task scores 0), a test cell as released. Grader metadata that matches nothing (an
   unknown ``grade_id``) is removed; the cell stays.
4. **Notebook metadata.** A missing ``kernelspec`` / ``language_info`` is taken from the
   release.

Nothing the student wrote is deleted. Every repair is described in a sentence addressed to
the student, for the note at the top of the notebook (:mod:`course_lib.grading.intake`), and
repairing a repaired notebook changes nothing.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field

import nbformat

GRADED_FLAGS = ("solution", "grade", "locked", "task")
DEFINITION_RE = re.compile(r"^(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)", re.M)


def nbgrader_metadata(cell) -> dict:
    """The cell's ``metadata.nbgrader`` (an empty dict when it has none)."""
    return cell.get("metadata", {}).get("nbgrader") or {}


def is_graded(cell) -> bool:
    """Whether nbgrader treats the cell as part of the assignment (any flag set)."""
    meta = nbgrader_metadata(cell)
    return any(meta.get(flag) for flag in GRADED_FLAGS)


def definitions(source: str) -> dict[str, str]:
    """Top-level ``def`` / ``class`` names of ``source``, each with how it is written."""
    return {m.group(2): ("def {}(" if m.group(1) == "def" else "class {}").format(m.group(2))
            for m in DEFINITION_RE.finditer(source)}


def _norm(source: str) -> str:
    return " ".join(source.split())


@dataclass
class Slot:
    """One graded cell of the release: where it is and how to recognise it."""

    position: int  # index among the release's cells
    cell: nbformat.NotebookNode

    @property
    def grade_id(self) -> str:
        return nbgrader_metadata(self.cell)["grade_id"]

    @property
    def meta(self) -> dict:
        return nbgrader_metadata(self.cell)

    @property
    def is_answer(self) -> bool:
        return bool(self.meta.get("solution"))

    @property
    def names(self) -> dict[str, str]:
        """The stub's definitions (answer code cells only): its signature lines."""
        if self.is_answer and self.cell.cell_type == "code":
            return definitions(self.cell.source)
        return {}

    def describe(self) -> str:
        if self.is_answer:
            kind = "answer cell" if self.cell.cell_type == "code" else "written-answer cell"
        elif self.meta.get("grade"):
            kind = "test cell"
        elif self.meta.get("task"):
            kind = "task cell"
        else:
            kind = "locked cell"
        return f"the {kind} `{self.grade_id}`"


@dataclass
class Repair:
    """What :func:`repair_notebook` did to one notebook.

    ``messages`` are sentences for the student (the note in the feedback), ``tags`` short
    labels for the grader's log, ``problems`` what could not be repaired with certainty (also
    among the messages).
    """

    messages: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.messages)

    def add(self, tag: str, message: str, problem: bool = False) -> None:
        self.tags.append(tag)
        self.messages.append(message)
        if problem:
            self.problems.append(message)


def _claim(cell, slot: Slot) -> tuple[int, str]:
    """How strongly ``cell`` claims to be ``slot`` (0: not at all), and by what evidence."""
    by_id = nbgrader_metadata(cell).get("grade_id") == slot.grade_id
    evidence = ""
    if slot.meta.get("locked") and _norm(slot.cell.source):
        if _norm(cell.source) == _norm(slot.cell.source):
            evidence = "its content"
    elif slot.names:
        mine = definitions(cell.source)
        shared = [name for name in slot.names if name in mine]
        if shared:
            evidence = f"its `{slot.names[shared[0]]}` line"
    score = 2 * by_id + bool(evidence)
    return score, ("its grade_id" if by_id else evidence)


def _is_stub(cell, slot: Slot) -> bool:
    return _norm(cell.source) == _norm(slot.cell.source)


def _set_type(cell, cell_type: str) -> None:
    """Turn ``cell`` into a ``cell_type`` cell, keeping its source."""
    if cell.cell_type == cell_type:
        return
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
        attachments = cell.pop("attachments", None)
        if attachments:  # images pasted into the Markdown cell: kept, out of nbformat's way
            cell.metadata["course_intake_attachments"] = attachments
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


# Keys nbgrader itself keeps up to date on every autograde (a notebook from an earlier release
# has other checksums): a difference there is no damage and needs no note.
SELF_UPDATING_KEYS = ("checksum", "schema_version")


def _metadata_problem(old: dict, new: dict) -> str:
    """What was wrong with a matched cell's nbgrader metadata, in words ('' if nothing)."""
    def relevant(meta):
        return {k: v for k, v in meta.items() if k not in SELF_UPDATING_KEYS}

    if relevant(old) == relevant(new):
        return ""
    if not old:
        return "its grader metadata had been removed"
    if old.get("grade_id") != new["grade_id"]:
        if old.get("grade_id"):
            return f"its grade_id had been changed to `{old['grade_id']}`"
        return "its grade_id had been removed"
    flags = [flag for flag in GRADED_FLAGS if bool(old.get(flag)) != bool(new.get(flag))]
    if flags:
        lost = [f for f in flags if new.get(f)]
        gained = [f for f in flags if not new.get(f)]
        parts = ([f"its {', '.join(f'`{f}`' for f in lost)} flag had been removed"] if lost else [])
        parts += ([f"it had been given a {', '.join(f'`{f}`' for f in gained)} flag"]
                  if gained else [])
        return " and ".join(parts)
    return "its grader metadata had been edited"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _missing_message(slot: Slot, candidates: int) -> str:
    """The sentence for a graded cell that was put back from the release."""
    what = _capitalised(slot.describe())
    written = slot.is_answer and slot.cell.cell_type != "code"
    if candidates:
        where = ("your instructor will find your text next to it" if written else
                 "your cells still run, after it and before the test")
        return (f"Could not tell which of your {candidates} cells around it is "
                f"{slot.describe()}: the assignment's empty cell was put back above them "
                f"({where}). Ask your instructor to look at this task.")
    if written:
        return f"{what} was missing; the assignment's empty cell was put back."
    if slot.is_answer:
        return (f"{what} was missing; the assignment's empty cell was put back, so this task "
                "scores 0.")
    return f"{what} was missing; it was put back from the assignment."


def _heaviest_increasing(values: list[int], weights: list[float]) -> set[int]:
    """Indices of the strictly increasing subsequence of ``values`` with the largest weight."""
    if not values:
        return set()
    best = list(weights)
    back = [-1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i] and best[j] + weights[i] > best[i]:
                best[i], back[i] = best[j] + weights[i], j
    i = max(range(len(values)), key=lambda k: (best[k], k))
    chosen = set()
    while i != -1:
        chosen.add(i)
        i = back[i]
    return chosen


def repair_notebook(nb, release, skip=lambda cell: False) -> Repair:
    """Repair ``nb`` in place against the release notebook ``release`` (see the module doc).

    Of several copies of one graded cell, the one kept graded is the last copy that differs
    from the release's stub (the copy the student edited last), else the last copy; the
    others become ordinary cells above it. A missing answer cell comes back as the stub.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The student's notebook (version 4); changed in place.
    release : nbformat.NotebookNode
        The released notebook the student started from.
    skip : callable, optional
        ``skip(cell)`` is true for cells that are not the student's (intake's note): they stay
        first and are never matched.

    Returns
    -------
    Repair
        The sentences for the student; ``changed`` is False when nothing was wrong.
    """
    report = Repair()
    slots = [Slot(i, c) for i, c in enumerate(release.cells) if is_graded(c)]
    by_id = {s.grade_id: s for s in slots}
    order = {s.grade_id: k for k, s in enumerate(slots)}
    head = []
    while len(head) < len(nb.cells) and skip(nb.cells[len(head)]):
        head.append(nb.cells[len(head)])
    cells = list(nb.cells[len(head):])

    # 1. matching: strongest claim first; among equal claims on one slot, the last edited copy.
    claims = []
    for ci, cell in enumerate(cells):
        for slot in slots:
            score, evidence = _claim(cell, slot)
            if score:
                edited = slot.is_answer and not _is_stub(cell, slot)
                claims.append(((score, bool(nbgrader_metadata(cell)), edited, ci), ci, slot,
                               evidence))
    claims.sort(key=lambda c: c[0], reverse=True)
    match: dict[str, int] = {}        # grade_id -> index in cells
    matched_by: dict[str, str] = {}   # grade_id -> evidence
    owner: dict[int, str] = {}        # index in cells -> grade_id
    for _, ci, slot, evidence in claims:
        if slot.grade_id not in match and ci not in owner:
            match[slot.grade_id], owner[ci] = ci, slot.grade_id
            matched_by[slot.grade_id] = evidence
    claimed = {ci for _, ci, _, _ in claims}

    # ... then answer cells by position, between the graded cells matched around them.
    release_text = {_norm(c.source) for c in release.cells}
    ambiguous: dict[str, int] = {}  # grade_id -> how many cells could be its answer
    for k, slot in enumerate(slots):
        if slot.grade_id in match or not slot.is_answer:
            continue
        before = [match[s.grade_id] for s in slots[:k] if s.grade_id in match]
        after = [match[s.grade_id] for s in slots[k + 1:] if s.grade_id in match]
        lo = before[-1] if before else -1
        hi = after[0] if after else len(cells)
        if lo > hi:
            continue
        candidates = [ci for ci in range(lo + 1, hi)
                      if ci not in claimed and cells[ci].cell_type == slot.cell.cell_type
                      and _norm(cells[ci].source) and _norm(cells[ci].source) not in release_text
                      # an answer to a stub that defines something defines something too
                      # (a cell that only prints is a scratch cell, not the answer)
                      and (definitions(cells[ci].source) or not slot.names)]
        if len(candidates) == 1:
            match[slot.grade_id] = candidates[0]
            owner[candidates[0]] = slot.grade_id
            matched_by[slot.grade_id] = "its position"
        elif candidates:
            ambiguous[slot.grade_id] = len(candidates)

    # 2. duplicates and unknown grader metadata: ordinary cells from now on.
    copies: dict[str, list[int]] = {}
    for ci, cell in enumerate(cells):
        if ci in owner:
            continue
        gid = nbgrader_metadata(cell).get("grade_id")
        if gid in by_id and gid in match:
            copies.setdefault(gid, []).append(ci)
        elif is_graded(cell) or gid in by_id:
            report.add(f"unknown:{gid}", (
                f"A cell had grader metadata (grade_id `{gid}`) that matches no graded cell of "
                "this assignment; it is kept as an ordinary cell."))
        else:
            continue
        cell.metadata.pop("nbgrader", None)

    # 3. restore each matched cell's metadata and type, and say what was wrong.
    for slot in slots:
        if slot.grade_id not in match:
            continue
        cell = cells[match[slot.grade_id]]
        problems = []
        meta_problem = _metadata_problem(nbgrader_metadata(cell), slot.meta)
        if meta_problem:
            problems.append(meta_problem)
        if cell.cell_type != slot.cell.cell_type:
            names = {"code": "code", "markdown": "Markdown", "raw": "raw"}
            problems.append(f"it had been turned into a {names[cell.cell_type]} cell "
                            f"(it is a {names[slot.cell.cell_type]} cell again)")
            _set_type(cell, slot.cell.cell_type)
        cell.metadata["nbgrader"] = copy.deepcopy(slot.meta)
        if slot.grade_id in copies:
            n = len(copies[slot.grade_id]) + 1
            problems.append(
                f"it appeared {n} times: the copy you edited last is graded, the other "
                f"cop{'y stays' if n == 2 else 'ies stay'} in the notebook as "
                f"{'an ordinary cell' if n == 2 else 'ordinary cells'} (the code still runs)")
        if problems:
            how = matched_by[slot.grade_id]
            found = "" if how == "its grade_id" else f" (recognised by {how})"
            restored = " Its grader metadata was restored." if meta_problem else ""
            report.add(f"restored:{slot.grade_id}",
                       f"{_capitalised(slot.describe())}{found}: {'; '.join(problems)}."
                       f"{restored}")

    # 4. order: graded cells in release order. The longest run already in order stays put
    #    (the student's answer cells rather than the assignment's locked cells, on a tie); the
    #    other graded cells move.
    placed = sorted(match, key=lambda gid: match[gid])
    weights = [1.0 + 0.01 * by_id[g].is_answer for g in placed]
    keep = {placed[i] for i in _heaviest_increasing([order[g] for g in placed], weights)}
    moved = set(match) - keep
    out = [(cell, owner.get(ci)) for ci, cell in enumerate(cells)
           if owner.get(ci) not in moved]
    ids = {c.get("id") for c in nb.cells} | {c.get("id") for c in head}

    def position(gid):
        return next(i for i, (_, g) in enumerate(out) if g == gid)

    for k, slot in enumerate(slots):
        gid = slot.grade_id
        if gid in keep:
            continue
        lo = position(slots[k - 1].grade_id) if k else -1
        hi = next((position(s.grade_id) for s in slots[k + 1:] if s.grade_id in keep), len(out))
        window = range(lo + 1, hi)

        def text_at(offset):
            i = slot.position + offset
            if 0 <= i < len(release.cells) and not is_graded(release.cells[i]):
                want = _norm(release.cells[i].source)
                hits = [j for j in window if out[j][1] is None and _norm(out[j][0].source) == want]
                return hits
            return []

        if slot.is_answer:   # early in its window: below the release's text before it
            hits = text_at(-1)
            at = hits[0] + 1 if hits else lo + 1
        else:                # late in its window: above the release's text after it
            hits = text_at(+1)
            at = hits[-1] if hits else hi
        at = max(at, lo + 1)
        if gid in moved:
            cell = cells[match[gid]]
            report.add(f"moved:{gid}", (
                f"{_capitalised(slot.describe())} was out of the "
                "assignment's order; it was moved back to its place."))
        else:
            cell = copy.deepcopy(slot.cell)
            if nb.nbformat_minor < 5:  # cell ids came with nbformat 4.5
                cell.pop("id", None)
            elif cell.get("id") in ids:
                cell["id"] = uuid.uuid4().hex[:8]
            ids.add(cell.get("id"))
            report.add(f"missing:{gid}", _missing_message(slot, ambiguous.get(gid, 0)),
                       problem=gid in ambiguous)
        out.insert(at, (cell, gid))

    # 2b. a kept answer cell goes below its own copies (a pasted stub must not come after it).
    for gid, dups in copies.items():
        kept = cells[match[gid]]
        i = next(j for j, (c, _) in enumerate(out) if c is kept)
        later = [j for j, (c, _) in enumerate(out) if j > i and any(c is cells[d] for d in dups)]
        if later and all(g is None for _, g in out[i + 1:later[-1] + 1]):
            out.insert(later[-1], out.pop(i))

    # 5. notebook metadata from the release, where it was stripped. (Another kernel's
    #    kernelspec is no damage: nbgrader grades with the release's kernel anyway.)
    for key in ("kernelspec", "language_info"):
        ours = release.metadata.get(key)
        if ours is not None and not (nb.metadata.get(key) or {}).get("name"):
            nb.metadata[key] = copy.deepcopy(ours)
            report.add(f"metadata:{key}", (
                f"The notebook's `{key}` metadata was missing; the assignment's was restored."))

    nb.cells = head + [cell for cell, _ in out]
    return report
