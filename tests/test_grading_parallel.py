"""course_lib.grading.parallel: how the class is split and how the gradebook URL is set.

(The end-to-end check, parallel grades == serial grades on a real class, is in
test_autograding.py, where every assignment is graded with this command.)
"""

from __future__ import annotations

import pytest

from course_lib.grading import parallel


def test_shards_give_every_student_to_exactly_one_worker():
    students = [f"s{i:02d}" for i in range(11)]
    groups = parallel.shards(students, 3)
    assert len(groups) == 3
    assert sorted(s for g in groups for s in g) == students
    assert max(map(len, groups)) - min(map(len, groups)) <= 1


def test_shards_never_start_an_idle_worker():
    assert parallel.shards(["a", "b"], 8) == [["a"], ["b"]]
    with pytest.raises(ValueError, match="workers must be at least 1"):
        parallel.shards(["a"], 0)


def test_sqlite_urls_get_a_busy_timeout_and_others_are_untouched():
    assert parallel.with_busy_timeout("sqlite:////c/gradebook.db", 60) == \
        "sqlite:////c/gradebook.db?timeout=60"
    assert parallel.with_busy_timeout("sqlite:////c/g.db?mode=rw", 60) == \
        "sqlite:////c/g.db?mode=rw&timeout=60"
    assert parallel.with_busy_timeout("sqlite:////c/g.db?timeout=5", 60) == \
        "sqlite:////c/g.db?timeout=5"
    url = "postgresql://grader@db/gradebook"
    assert parallel.with_busy_timeout(url, 60) == url


def test_the_course_config_db_url_is_read(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.db_url = 'sqlite:////x/gradebook.db'\n")
    assert parallel.configured_db_url(tmp_path) == "sqlite:////x/gradebook.db"
    assert parallel.configured_db_url(tmp_path / "nowhere") is None


def test_students_are_found_and_bad_input_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing has been submitted"):
        parallel.submitted_students(tmp_path, "a01")
    for student in ("bob", "alice", "carol"):
        (tmp_path / "submitted" / student / ("a01" if student != "carol" else "a02")).mkdir(
            parents=True)
    assert parallel.submitted_students(tmp_path, "a01") == ["alice", "bob"]
    with pytest.raises(ValueError, match="nobody submitted 'a03'"):
        parallel.autograde_parallel("a03", tmp_path, nbgrader="nbgrader")
    (tmp_path / "submitted" / "x,y" / "a01").mkdir(parents=True)
    with pytest.raises(ValueError, match="comma"):
        parallel.submitted_students(tmp_path, "a01")


def test_the_command_line_reports_bad_input_with_exit_code_2(tmp_path, capsys):
    assert parallel.main(["a01", "--course-dir", str(tmp_path)]) == 2
    assert "nothing has been submitted" in capsys.readouterr().err


def test_machine_shares_are_disjoint_and_cover_the_class():
    students = [f"s{i:02d}" for i in range(10)]
    shares = [parallel.machine_share(students, f"{k}/3") for k in (1, 2, 3)]
    assert sorted(s for share in shares for s in share) == students
    assert parallel.machine_share(students, None) == students
    for bad in ("0/3", "4/3", "two/3", "1-3"):
        with pytest.raises(ValueError, match="share"):
            parallel.machine_share(students, bad)
