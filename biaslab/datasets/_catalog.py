"""A tour of the course's datasets, read from the loaders themselves.

:func:`dataset_catalog` builds one table row per dataset from what its loader returns (rows,
what the label means, the sensitive attributes) and from its datasheet, the Bunch's ``DESCR``
(title, origin, licence, the modules that use it), so the table cannot drift from the data.
:func:`datasheet_section` prints one section of a datasheet ("Sensitive attributes", "Known
issues and harms", ...).
"""

from __future__ import annotations

import re
import warnings

__all__ = ["dataset_catalog", "datasheet_section", "CATALOG_LOADERS"]

#: The loaders the catalog describes, in course order (real data first, then synthetic).
CATALOG_LOADERS = ("load_adult", "load_compas", "load_german_credit", "load_heart_disease",
                   "load_fashion_mnist", "make_chest_xrays")

_CATALOG_COLUMNS = ["dataset", "loader", "rows", "label: what 1 means", "sensitive attributes", "origin",
                    "licence", "data", "modules"]


def _title(descr: str) -> str:
    for line in descr.splitlines():
        line = line.strip()
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def _bullet(descr: str, key: str) -> str:
    """The text of a datasheet bullet ``- Key: ...`` (continuation lines joined), or ``""``."""
    match = re.search(rf"^- {key}:(.*(?:\n  .*)*)", descr, flags=re.MULTILINE)
    return " ".join(match.group(1).split()) if match else ""


def _short_origin(descr: str) -> str:
    origin = _bullet(descr, "Origin")
    return re.split(r",|\. ", origin, maxsplit=1)[0].replace("`", "").strip(" .") if origin else ""


def _short_licence(descr: str) -> str:
    licence = _bullet(descr, "Licence").replace("*", "")
    if not licence:
        return ""
    abbreviation = re.search(r"\((CC[^)]*)\)", licence)
    if abbreviation:
        return abbreviation.group(1)
    return re.split(r"[(,;.]", licence, maxsplit=1)[0].strip()


def _modules(descr: str) -> str:
    """The course modules a datasheet says use the data ("Used in modules 02 and 08.")."""
    match = re.search(r"\b[Mm]odules? (0\d)[^.]*", descr)
    return ", ".join(dict.fromkeys(re.findall(r"\b0\d\b", match.group(0)))) if match else ""


def _label_meaning(bunch) -> str:
    names = bunch.get("target_names")
    if names is not None and len(names) == 2:
        return f"{bunch.target_name}: {names[1]}"
    if names is not None:
        return f"{bunch.target_name}: one of {len(names)} classes ({', '.join(map(str, names[:3]))}, ...)"
    return f"{bunch.target_name}"


def dataset_catalog():
    """One row per dataset of the course: size, label, sensitive attributes, origin, licence.

    Every value is read from the loaders' Bunches: ``rows`` from ``target``, the label from
    ``target_names``, the sensitive attributes from ``sensitive_features``, and the title, origin,
    licence and modules from the datasheet (``DESCR``). COMPAS's ``DatasetHarmWarning`` is not
    repeated here; its row says to read the datasheet. Synthetic chest X-rays have no fixed size
    (``rows`` is missing); their ``data`` column says SYNTHETIC.

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset``, ``loader``, ``rows``, ``label: what 1 means``, ``sensitive attributes``,
        ``origin``, ``licence``, ``data`` ("real" or "SYNTHETIC") and ``modules``.

    Examples
    --------
    >>> from biaslab.datasets._catalog import dataset_catalog
    >>> catalog = dataset_catalog()
    >>> int(catalog.loc[catalog["loader"] == "load_adult", "rows"].item())
    48842
    >>> catalog.set_index("loader").loc["make_chest_xrays", "data"]
    'SYNTHETIC'
    """
    import pandas as pd

    from . import _base
    from . import load_adult, load_compas, load_fashion_mnist, load_german_credit, load_heart_disease, make_chest_xrays

    rows = []
    for name, loader in [("load_adult", load_adult), ("load_compas", load_compas),
                         ("load_german_credit", load_german_credit), ("load_heart_disease", load_heart_disease),
                         ("load_fashion_mnist", load_fashion_mnist)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _base.DatasetHarmWarning)  # said in the licence/notes instead
            bunch = loader()
        descr = bunch.DESCR
        harms = "read its datasheet first (known harms)" if name == "load_compas" else ""
        rows.append({
            "dataset": _title(descr), "loader": name, "rows": len(bunch.target),
            "label: what 1 means": _label_meaning(bunch),
            "sensitive attributes": ", ".join(bunch.sensitive_features.columns) or "none (artifacts are planted)",
            "origin": _short_origin(descr), "licence": _short_licence(descr),
            "data": "real" + (f"; {harms}" if harms else ""), "modules": _modules(descr),
        })
    xrays = make_chest_xrays(4, image_size=32, random_state=0)  # tiny: only its description and columns
    descr = xrays.DESCR
    title = next((line.strip() for line in descr.splitlines()[2:] if line.strip() and not line.startswith(("=", "-"))), "")
    rows.append({
        "dataset": re.sub(r"\s*\(biaslab[^)]*\)", "", title), "loader": "make_chest_xrays", "rows": pd.NA,
        "label: what 1 means": f"{xrays.target_name}: lung opacity",
        "sensitive attributes": ", ".join(xrays.sensitive_features.columns),
        "origin": "generated by biaslab; cohort from NIH ChestX-ray14 counts",
        "licence": "MIT (biaslab)", "data": "SYNTHETIC" if descr.startswith("SYNTHETIC") else "real",
        "modules": _modules(descr),
    })
    table = pd.DataFrame(rows, columns=_CATALOG_COLUMNS)
    table["rows"] = table["rows"].astype("Int64")
    return table


def datasheet_section(descr, section: str) -> str:
    """The text of one ``## section`` of a datasheet (a Bunch's ``DESCR``).

    Parameters
    ----------
    descr : str or Bunch
        A datasheet, or a Bunch returned by a loader (its ``DESCR`` is used).
    section : str
        The section's heading, e.g. ``"Sensitive attributes"`` or ``"Known issues and harms"``
        (case does not matter).

    Examples
    --------
    >>> from biaslab.datasets import load_heart_disease
    >>> from biaslab.datasets._catalog import datasheet_section
    >>> datasheet_section(load_heart_disease(), "Label").startswith("`heart_disease`: **1 = more than 50% narrowing")
    True
    """
    if not isinstance(descr, str):
        descr = getattr(descr, "DESCR", None)
        if not isinstance(descr, str):
            raise TypeError("descr must be a datasheet (str) or a Bunch with a DESCR, got something else.")
    if not isinstance(section, str) or not section.strip():
        raise TypeError(f"section must be a heading such as 'Sensitive attributes', got {section!r}.")
    headings = re.findall(r"^## (.+)$", descr, flags=re.MULTILINE)
    wanted = section.strip().lower()
    for heading in headings:
        if heading.strip().lower() == wanted:
            body = re.search(rf"^## {re.escape(heading)}\s*$\n(.*?)(?=^## |\Z)", descr, flags=re.MULTILINE | re.DOTALL)
            return body.group(1).strip()
    raise ValueError(f"section {section!r} is not in this datasheet; its sections are {headings}.")
