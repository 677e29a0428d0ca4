"""Instructor-side helpers for grading the course with nbgrader.

Nothing here is needed by students, and nothing here is secret: the solutions and hidden tests
live in ``solutions/``, never in ``course_lib``.

Modules
-------
parallel    ``python -m course_lib.grading.parallel ASSIGNMENT``: intake, then nbgrader autograde,
            one worker per core, sharing one gradebook (``--share K/N`` across machines)
intake      unreadable, missing or renamed notebooks made gradable, with a note to the student
execute     RobustExecute: nbgrader's Execute that survives a dying kernel and caps output
sandbox     SandboxedKernelManager: each student's kernel in bubblewrap with resource limits
similarity  ``python -m course_lib.grading.similarity ASSIGNMENT``: pairs of students (and each
            against course_lib) ranked per answer cell by code similarity; HTML and CSV evidence
feedback    HideHiddenTests: feedback pages without hidden-test lines (in source or tracebacks)
"""
