"""Instructor-side helpers for grading the course with nbgrader.

Nothing here is needed by students, and nothing here is secret: the solutions and hidden tests
live in ``solutions/``, never in ``course_lib``.

Modules
-------
parallel    ``python -m course_lib.grading.parallel ASSIGNMENT``: nbgrader autograde, one worker
            per core, sharing one gradebook
"""
