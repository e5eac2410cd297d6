"""The shared argument checks of biaslab._validation."""

import re

import pandas as pd
import pytest

from biaslab._validation import check_sensitive_features


@pytest.mark.parametrize("columns, named", [(["sex", "sex"], "'sex'"), ([1, 1], "1")])
def test_duplicate_sensitive_columns_are_named(columns, named):
    frame = pd.DataFrame([["F", "a"], ["M", "b"]], columns=columns)
    with pytest.raises(ValueError, match=re.escape(f"sensitive_features has duplicate column names {named}")):
        check_sensitive_features(frame)
    with pytest.raises(ValueError, match="groups has duplicate column names"):
        check_sensitive_features(frame, name="groups")


def test_distinct_columns_pass_unchanged():
    frame = pd.DataFrame({"sex": ["F", "M"], "race": ["a", "b"]}, index=[10, 11])
    out = check_sensitive_features(frame)
    assert list(out.columns) == ["sex", "race"] and list(out.index) == [0, 1]
