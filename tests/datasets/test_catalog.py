"""The dataset catalog is read from the loaders and their datasheets."""

import pytest

from biaslab.datasets import load_compas, load_heart_disease
from biaslab.datasets._catalog import CATALOG_LOADERS, dataset_catalog, datasheet_section


@pytest.fixture(scope="module")
def catalog():
    return dataset_catalog()


def test_one_row_per_dataset_with_every_column(catalog):
    assert list(catalog["loader"]) == list(CATALOG_LOADERS)
    assert list(catalog.columns) == ["dataset", "loader", "rows", "label: what 1 means", "sensitive attributes",
                                     "origin", "licence", "data", "modules"]
    for column in ["dataset", "label: what 1 means", "sensitive attributes", "origin", "licence", "data", "modules"]:
        assert catalog[column].str.len().gt(0).all(), column


def test_values_match_the_datasheets(catalog):
    rows = catalog.set_index("loader")
    assert rows.loc["load_adult", "rows"] == 48842
    assert rows.loc["load_compas", "rows"] == 6172
    assert rows.loc["load_german_credit", "rows"] == 1000
    assert rows.loc["load_heart_disease", "rows"] == 303
    assert rows.loc["load_fashion_mnist", "rows"] == 70000
    assert rows.loc["load_adult", "label: what 1 means"] == "income_over_50k: >50K"
    assert rows.loc["load_adult", "sensitive attributes"] == "sex, race, age_band"
    assert rows.loc["load_adult", "licence"] == "CC BY 4.0"
    assert rows.loc["load_fashion_mnist", "licence"] == "MIT"
    assert rows.loc["load_compas", "licence"] == "none stated"
    assert rows.loc["load_adult", "origin"] == "UCI Machine Learning Repository"
    assert rows.loc["load_adult", "modules"] == "01, 02, 03, 05, 08"
    assert rows.loc["load_fashion_mnist", "modules"] == "06, 07"
    assert "known harms" in rows.loc["load_compas", "data"]


def test_synthetic_data_is_called_synthetic(catalog):
    xrays = catalog.set_index("loader").loc["make_chest_xrays"]
    assert xrays["data"] == "SYNTHETIC"
    assert xrays["modules"] == "04"
    assert str(xrays["rows"]) == "<NA>"
    assert (catalog["data"] == "SYNTHETIC").sum() == 1


def test_catalog_does_not_repeat_the_compas_warning():
    dataset_catalog()  # warnings are errors in the tests: none may escape


def test_datasheet_section():
    heart = load_heart_disease()
    label = datasheet_section(heart, "label")
    assert label.startswith("`heart_disease`") and "## " not in label
    with pytest.warns(UserWarning):
        harms = datasheet_section(load_compas().DESCR, "Known issues and harms")
    assert "ProPublica" in harms
    with pytest.raises(ValueError, match="not in this datasheet"):
        datasheet_section(heart, "Nothing like this")
    with pytest.raises(TypeError, match="datasheet"):
        datasheet_section(42, "Label")
    with pytest.raises(TypeError, match="section"):
        datasheet_section(heart, "")
