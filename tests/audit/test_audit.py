"""``audit_model``, ``fnr_screen``, ``proxy_strength`` and ``audit_report``: exact values on hand-made cases."""

import base64

import numpy as np
import pandas as pd
import pytest

from biaslab.audit import AuditResult, audit_model, audit_report, fnr_screen, proxy_strength
from biaslab.metrics import discrimination_score, disparate_impact_ratio, group_metrics
from biaslab.robustness import counterfactual_flip_rate


class ApprovesMenOver40:
    """Approves men over 40 and nobody else: uses sex directly."""

    def predict(self, X):
        return ((X["sex"] == "M") & (X["age"] > 40)).astype(int).to_numpy()

    def predict_proba(self, X):
        p = self.predict(X) * 0.8 + 0.1
        return np.column_stack([1 - p, p])


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 400
    sex = rng.choice(["M", "F"], n)
    X = pd.DataFrame({
        "sex": sex,
        "age": rng.integers(20, 70, n),
        "role": np.where(sex == "M", "husband", "wife"),  # a perfect proxy
        "noise": rng.normal(size=n),
    })
    y = (rng.random(n) < 0.6).astype(int)
    groups = pd.DataFrame({"sex": sex, "band": np.where(X["age"] > 40, "old", "young")})
    return X, y, groups


def test_fnr_screen_exact_values():
    y = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    pred = [0, 0, 0, 1, 1, 1, 1, 1, 0, 1]
    sex = pd.Series(["F", "F", "F", "F", "M", "M", "M", "M", "F", "M"], name="sex")
    screen = fnr_screen(y, pred, sensitive_features=sex, min_positives=1, threshold=0.5)
    assert screen.loc[("sex", "F"), "fnr"] == pytest.approx(0.75)
    assert screen.loc[("sex", "F"), "fnr_rest"] == pytest.approx(0.0)
    assert screen.loc[("sex", "F"), "fnr_gap"] == pytest.approx(0.75)
    assert screen.loc[("sex", "M"), "fnr_gap"] == pytest.approx(-0.75)
    assert screen.loc[("sex", "F"), "positives"] == 4 and screen.loc[("sex", "F"), "n"] == 5
    assert screen.index[0] == ("sex", "F") and screen["flagged"].tolist() == [True, False]
    # too few positives: listed, never flagged
    assert not fnr_screen(y, pred, sensitive_features=sex, min_positives=5, threshold=0.5)["flagged"].any()


def test_fnr_screen_rejects_bad_arguments():
    with pytest.raises(ValueError, match="min_positives"):
        fnr_screen([1, 0], [1, 0], sensitive_features=pd.Series(["a", "b"]), min_positives=0)
    with pytest.raises(ValueError, match="threshold"):
        fnr_screen([1, 0], [1, 0], sensitive_features=pd.Series(["a", "b"]), threshold=2)
    with pytest.raises(TypeError, match="sensitive_features"):
        fnr_screen([1, 0], [1, 0], sensitive_features=["a", "b"])
    with pytest.raises(ValueError, match="rows"):
        fnr_screen([1, 0], [1, 0], sensitive_features=pd.Series(["a", "b", "c"]))


def test_proxy_strength_ranks_a_perfect_proxy_first(data):
    X, _, groups = data
    strengths = proxy_strength(X[["role", "noise", "age"]], groups["sex"], favoured="M", random_state=0)
    assert strengths.index[0] == "role" and strengths["role"] == pytest.approx(1.0)
    assert (strengths >= 0.5).all() and strengths["noise"] < 0.65
    again = proxy_strength(X[["role", "noise", "age"]], groups["sex"], favoured="M", random_state=0)
    pd.testing.assert_series_equal(strengths, again)


def test_proxy_strength_rejects_bad_arguments(data):
    X, _, groups = data
    with pytest.raises(ValueError, match="favoured='X'"):
        proxy_strength(X, groups["sex"], favoured="X")
    with pytest.raises(ValueError, match="test_size"):
        proxy_strength(X, groups["sex"], favoured="M", test_size=1.5)
    with pytest.raises(TypeError, match="DataFrame"):
        proxy_strength(X.to_numpy(), groups["sex"], favoured="M")


def test_audit_model_reuses_the_library(data):
    X, y, groups = data
    model = ApprovesMenOver40()
    result = audit_model(model, X, y, sensitive_features=groups, favoured="M", n_boot=50, random_state=1)
    assert isinstance(result, AuditResult) and result.attribute == "sex"
    pred = model.predict(X)
    assert result.overall["accuracy"] == pytest.approx(np.mean(pred == y))
    assert result.fairness["discrimination_score"] == pytest.approx(
        discrimination_score(pred, sensitive_features=groups["sex"], favoured="M"))
    assert result.fairness["disparate_impact_ratio"] == pytest.approx(
        disparate_impact_ratio(pred, sensitive_features=groups["sex"], favoured="M"))
    expected = group_metrics(y, pred, sensitive_features=groups["sex"], metrics=["false_negative_rate"])
    np.testing.assert_allclose(result.group_report.by_group["false_negative_rate"],
                               expected.by_group["false_negative_rate"])
    assert result.group_report.n_boot == 50
    # women's positives are all missed: the screen flags them first
    assert result.flagged_group == ("sex", "F")
    assert result.attack_screen.loc[("sex", "F"), "fnr"] == pytest.approx(1.0)
    assert result.flips.rate == pytest.approx(counterfactual_flip_rate(model, X, column="sex").rate)
    assert result.flip_column == "sex"
    assert result.proxies.index[0] == "role" and result.proxy_auc_all > 0.99
    assert "Largest FNR gap: sex=F" in result.summary()


def test_audit_model_is_reproducible(data):
    X, y, groups = data
    a = audit_model(ApprovesMenOver40(), X, y, sensitive_features=groups, favoured="M", n_boot=30, random_state=5)
    b = audit_model(ApprovesMenOver40(), X, y, sensitive_features=groups, favoured="M", n_boot=30, random_state=5)
    pd.testing.assert_frame_equal(a.group_report.by_group_ci, b.group_report.by_group_ci)
    pd.testing.assert_series_equal(a.proxies, b.proxies)


def test_audit_model_mitigation_table(data):
    X, y, groups = data
    model = ApprovesMenOver40()
    fair = (X["age"] > 40).astype(int).to_numpy()  # ignores sex
    result = audit_model(model, X, y, sensitive_features=groups, favoured="M", n_boot=None, proxies=False,
                         mitigated=fair, random_state=0)
    table = result.mitigation
    assert list(table.index) == ["audited model", "mitigated"]
    assert table.loc["mitigated", "accuracy"] == pytest.approx(np.mean(fair == y))
    female = (groups["sex"] == "F").to_numpy()
    fnr_f = np.mean(fair[female & (y == 1)] == 0)
    fnr_m = np.mean(fair[~female & (y == 1)] == 0)
    assert table.loc["mitigated", "fnr_gap"] == pytest.approx(fnr_f - fnr_m)
    assert table.attrs["group"] == ("sex", "F")
    assert result.proxies is None and "Mitigation" in result.summary()


def test_audit_model_without_the_column_notes_it(data):
    X, y, groups = data

    class Blind:
        def predict(self, X):
            return (X["age"] > 40).astype(int).to_numpy()

    result = audit_model(Blind(), X.drop(columns="sex"), y, sensitive_features=groups["sex"], favoured="M",
                         n_boot=None, random_state=0)
    assert result.flips is None and any("does not take it" in n for n in result.notes)


def test_audit_model_validates_its_arguments(data):
    X, y, groups = data
    model = ApprovesMenOver40()
    with pytest.raises(TypeError, match="predict"):
        audit_model(object(), X, y, sensitive_features=groups, favoured="M")
    with pytest.raises(TypeError, match="X must be a pandas DataFrame"):
        audit_model(model, X.to_numpy(), y, sensitive_features=groups, favoured="M")
    with pytest.raises(ValueError, match="labels"):
        audit_model(model, X, y[:-1], sensitive_features=groups, favoured="M")
    with pytest.raises(ValueError, match="favoured='Male'"):
        audit_model(model, X, y, sensitive_features=groups, favoured="Male")
    with pytest.raises(ValueError, match="not a column of X"):
        audit_model(model, X, y, sensitive_features="gender", favoured="M")
    with pytest.raises(TypeError, match="sensitive_features"):
        audit_model(model, X, y, sensitive_features=42, favoured="M")
    with pytest.raises(ValueError, match="mitigated"):
        audit_model(model, X, y, sensitive_features=groups, favoured="M", n_boot=None, mitigated=[0, 1])


@pytest.fixture(scope="module")
def result(data):
    X, y, groups = data
    fair = (X["age"] > 40).astype(int).to_numpy()
    return audit_model(ApprovesMenOver40(), X, y, sensitive_features=groups, favoured="M", n_boot=30,
                       mitigated=fair, random_state=0)


def test_markdown_report_writes_its_pictures_beside_it(result, tmp_path):
    path = tmp_path / "out" / "card.md"
    text = audit_report(result, path, title="Card", intended_use="Testing.")
    assert path.read_text(encoding="utf-8") == text
    assert text.startswith("# Card\n")
    for section in ("## Intended use\n\nTesting.", "## Planted-attack screen", "## Proxies", "## Robustness",
                    "## Mitigation and its cost", "## Limits of this audit", "not legal advice"):
        assert section in text
    figures = tmp_path / "out" / "card_figures"
    names = sorted(p.name for p in figures.iterdir())
    assert names == ["attack_screen.png", "group_rates.png", "mitigation.png", "proxies.png"]
    for name in names:
        assert (figures / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"(card_figures/{name})" in text
    assert "| sex = F |" in text  # the screen's table


def test_html_report_is_one_file_with_embedded_pictures(result, tmp_path):
    path = tmp_path / "card.html"
    text = audit_report(result, path)
    assert path.is_file() and not (tmp_path / "card_figures").exists()
    assert text.startswith("<!DOCTYPE html>") and text.count('src="data:image/png;base64,') == 4
    encoded = text.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(encoded)[:4] == b"\x89PNG"


def test_report_without_a_path_embeds_pictures(result):
    text = audit_report(result)
    assert text.count("](data:image/png;base64,") == 4


def test_report_rejects_bad_arguments(result, tmp_path):
    with pytest.raises(TypeError, match="AuditResult"):
        audit_report({"not": "a result"})
    with pytest.raises(ValueError, match="format"):
        audit_report(result, format="pdf")
    with pytest.raises(TypeError, match="title"):
        audit_report(result, title=3)
    with pytest.raises(TypeError, match="path"):
        audit_report(result, path=3)


def test_an_int_seed_gives_the_audit_the_proxies_a_learner_computes_with_it(data):
    """Module 09 showed 0.771 in the audit and 0.786 in the learner's plot of the same proxy: two splits."""
    X, y, groups = data
    result = audit_model(ApprovesMenOver40(), X, y, sensitive_features=groups, favoured="M", n_boot=30,
                         random_state=3)
    features = X.drop(columns=["sex"])
    own = proxy_strength(features, groups["sex"].to_numpy(), favoured="M", random_state=3)
    pd.testing.assert_series_equal(result.proxies, own)
    other = proxy_strength(features, groups["sex"].to_numpy(), favoured="M", random_state=4)
    assert not np.allclose(other.to_numpy(), own.to_numpy())  # the seed does choose the split


def test_the_reports_pictures_carry_their_own_findings_as_alt_text(data):
    import re

    X, y, groups = data
    result = audit_model(ApprovesMenOver40(), X, y, sensitive_features=groups, favoured="M", n_boot=30,
                         random_state=3)
    alts = re.findall(r"!\[([^\]]*)\]", audit_report(result))
    assert len(alts) == 3
    assert alts[0].startswith("Bar chart") and alts[1].startswith("Attack screen")
    assert alts[2].startswith("How well each feature alone predicts sex") and "role 1.00" in alts[2]
