"""What nbgrader's feedback shows a student: the checks' diagnoses, never the hidden tests."""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


class ShortTracebacks(Preprocessor):
    """Replace each error's traceback by its last line (``AssertionError: <diagnosis>``).

    A failing test cell's traceback quotes the line that failed, which may be a hidden test; the
    diagnosis is in the exception's message, so that is all a student needs to see.
    """

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
