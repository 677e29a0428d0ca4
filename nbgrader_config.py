"""nbgrader configuration for the course. Run nbgrader commands from the repo root.

Folders (relative to this file):
  solutions/<assignment>/   instructor source (solutions + hidden tests)  -> git
  assignments/<assignment>/ student release, generated, never hand-edited -> git
  submitted/, autograded/, feedback/, gradebook.db                        -> git-ignored
"""

import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "sequence-models"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")

# nbgrader 0.9 executes notebooks through nbclient: the per-cell timeout is
# `Execute.timeout` (older names such as ExecutePreprocessor.timeout are ignored
# silently). tests/test_autograding.py proves this limit is applied.
c.Execute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True

# A student who deletes a graded cell is still graded (that cell scores 0)
# instead of blocking the gradebook.
c.OverwriteCells.add_missing_cells = True

# Files nbgrader does not copy from a submission into autograded/ (they stay in submitted/):
# besides nbgrader's defaults, Python code and config that a student could hand in to shadow
# a module the tests import (numpy.py, course_lib.py, a compiled module) or configure IPython.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "*.py", "*.so", "*.pyd", "*.pth", "*.json", ".*"]

# Robust execution (course_lib/grading/execute.py): a kernel that dies (os._exit, a segfault,
# the memory limit) costs the student that cell, not the whole submission, and each cell keeps
# at most 200 kB of output. Otherwise nbgrader's own autograde steps, in nbgrader's order.
c.Autograde.autograde_preprocessors = [
    "course_lib.grading.execute.RobustExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback without the hidden tests (course_lib/grading/feedback.py): nbgrader renders the
# autograded notebook as it is, hidden blocks and traceback source lines included (nbgrader
# issues #917, #1363). nbgrader's own two steps, in order, then HideHiddenTests. Only the
# feedback copy is filtered: autograded/ and formgrader keep everything.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "course_lib.grading.feedback.HideHiddenTests",
]

# Sandboxed grading (course_lib/grading/sandbox.py): each student's kernel runs in bubblewrap
# with no network, no view of solutions/, the gradebook or other students, and resource limits.
# On by default; it needs Debian's bubblewrap (`make test` installs it) and root or a writable
# pids cgroup, and refuses to run without them. COURSE_SANDBOX=0 turns it off (unsafe: student
# code then runs with your rights).
if os.environ.get("COURSE_SANDBOX", "1") != "0":
    c.Execute.kernel_manager_class = "course_lib.grading.sandbox.SandboxedKernelManager"
