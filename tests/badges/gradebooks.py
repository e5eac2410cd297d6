"""A small nbgrader gradebook for the badge tests (shared by the gradebook and third-party tests)."""

import warnings

from biaslab.course import load_curriculum

CURRICULUM = load_curriculum()


def make_gradebook(path):
    """A small gradebook made with nbgrader's own API: every graded module, three students."""
    from nbgrader.api import Base, Gradebook
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SAWarning

    url = f"sqlite:///{path}"
    # nbgrader's schema, created up front, spares Gradebook() its `alembic` subprocess (seconds)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader 0.9 vs SQLAlchemy 2.x session warnings
        with Gradebook(url) as gb:
            for module in CURRICULUM.modules:
                if not module.exercises:
                    continue
                gb.add_assignment(module.id)
                gb.add_notebook(module.id, module.id)
                for ex in module.exercises:
                    # nbgrader scores in its own points; here twice the curriculum's, to test the scaling
                    gb.add_grade_cell(ex.grade_cell, module.id, module.id, max_score=2 * ex.points, cell_type="code")
            gb.add_student("ada", first_name="Ada", last_name="Lovelace", email="ada@example.org")
            gb.add_student("bob", first_name="Bob", last_name="Builder", email="bob@example.org")
            gb.add_student("eve")  # never submitted
            for sid, full in (("ada", True), ("bob", False)):
                for module in CURRICULUM.modules:
                    if not module.exercises:
                        continue
                    gb.add_submission(module.id, sid)
                    for i, ex in enumerate(module.exercises):
                        grade = gb.find_grade(ex.grade_cell, module.id, module.id, sid)
                        # bob gets half marks on the first required exercise
                        score = 2 * ex.points if full or i > 0 else ex.points
                        if ex.kind == "reflection":  # graded by the instructor in formgrader
                            grade.manual_score, grade.needs_manual_grade = score, False
                        else:
                            grade.auto_score, grade.needs_manual_grade = score, False
                        if not full and i == 0:
                            grade.manual_score = ex.points  # a manual grade overrides the autograder
            gb.db.commit()
    return url
