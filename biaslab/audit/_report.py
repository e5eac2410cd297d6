"""``audit_report``: an :class:`AuditResult` as a Markdown or HTML audit report / model card."""

from __future__ import annotations

import base64
import html as _html
import io
from pathlib import Path

import pandas as pd

from ._audit import AuditResult

__all__ = ["audit_report"]

_FORMATS = ("markdown", "html")


def _figures(result: AuditResult) -> dict:
    """PNG bytes of each picture of the report, by file stem, and each picture's alt text."""
    import matplotlib.pyplot as plt

    from ..plots._audit import plot_fnr_screen, plot_mitigation_cost, plot_proxy_strength
    from ..plots._fairness import plot_group_rates
    from ..plots._style import DPI, alt_text

    out, alts = {}, {}

    def png(stem, draw, size):
        fig, ax = plt.subplots(figsize=size)
        try:
            draw(ax)
            fig.tight_layout()
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=DPI)  # the course's DPI: the picture fits the notebook column
            out[stem] = buffer.getvalue()
            alts[stem] = alt_text(fig)  # the finding in words, as the notebook's pictures have it
        finally:
            plt.close(fig)

    report = result.group_report
    ci = report.by_group_ci if report.n_boot else None
    rates = ["selection_rate", "true_positive_rate", "false_negative_rate", "accuracy"]
    png("group_rates", lambda ax: plot_group_rates(report.by_group, ci, metrics=rates, ax=ax,
                                                   title=f"Rates by {result.attribute}"
                                                   + (f" ({report.ci:.0%} bootstrap intervals)" if ci is not None
                                                      else "")), (8, 4))
    png("attack_screen", lambda ax: plot_fnr_screen(result.attack_screen, threshold=result.screen_threshold, ax=ax),
        (8, 0.45 * len(result.attack_screen) + 1.6))
    if result.proxies is not None:
        png("proxies", lambda ax: plot_proxy_strength(result.proxies, attribute=result.attribute, ax=ax),
            (7, 0.4 * len(result.proxies) + 1.4))
    if result.mitigation is not None:
        png("mitigation", lambda ax: plot_mitigation_cost(result.mitigation, ax=ax), (7, 3.8))
    return out, alts


def _table(frame: pd.DataFrame | pd.Series, fmt: str, digits: int = 3) -> str:
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    frame = frame.copy()
    def number(v):
        if pd.isna(v):
            return "n/a"
        # counts stay whole numbers; rates get a fixed number of digits
        return f"{v:,.0f}" if float(v).is_integer() and abs(v) >= 2 else f"{v:.{digits}f}"

    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].map(number)
    frame.index = [" = ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in frame.index]
    # spaces, not underscores: long headers wrap and the table fits the notebook column
    columns = [(" ".join(map(str, c)) if isinstance(c, tuple) else str(c)).replace("_", " ") for c in frame.columns]
    if fmt == "html":
        head = "".join(f"<th>{_html.escape(c)}</th>" for c in ["", *columns])
        body = "".join("<tr><th>" + _html.escape(str(i)) + "</th>" + "".join(f"<td>{_html.escape(str(v))}</td>"
                                                                             for v in row) + "</tr>"
                       for i, row in zip(frame.index, frame.to_numpy()))
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += ["| " + str(i) + " | " + " | ".join(map(str, row)) + " |" for i, row in zip(frame.index, frame.to_numpy())]
    return "\n".join(lines)


def _sections(result: AuditResult, fmt: str, *, title, model_description, intended_use, data_description, image):
    """The report as a list of (heading, body); ``image(stem, alt)`` gives the markup of a picture."""
    report = result.group_report
    group_table = report.by_group.copy()
    if report.n_boot:
        ci = report.by_group_ci
        for metric in ("false_negative_rate", "selection_rate"):
            group_table[f"{metric} {report.ci:.0%} CI"] = [
                f"{ci.loc[g, (metric, 'lower')]:.3f} to {ci.loc[g, (metric, 'upper')]:.3f}" for g in group_table.index]
    sections = [
        ("Model details", (model_description or "Not given.")),
        ("Intended use", (intended_use or "Not given.")),
        ("Audit data", (data_description or "Not given.") + f" {int(result.overall['n_rows']):,} rows."),
        ("Findings in short", result.summary()),
        ("Overall performance", _table(result.overall, fmt)),
        (f"Metrics by {result.attribute}", _table(group_table, fmt) + "\n\n" + image("group_rates",
                                                                                        "rates by group")),
        ("Fairness measures", _table(result.fairness, fmt)
         + f"\n\nFavoured group: {result.favoured!s}. A discrimination score of 0, a disparate impact of 1 "
         "and differences of 0 mean parity; the four-fifths rule flags a disparate impact below 0.8."),
        ("Planted-attack screen", "Each group's false negative rate (FNR, the share of its positives the model "
         "misses) against everyone else's. A targeted label-poisoning attack raises the target group's FNR "
         "while overall accuracy barely moves. Groups with fewer than the minimum number of positives are "
         "never flagged.\n\n" + _table(result.attack_screen, fmt) + "\n\n" + image("attack_screen", "FNR gaps")),
    ]
    if result.proxies is not None:
        sections.append(("Proxies", f"How well each feature alone predicts {result.attribute} = {result.favoured!s} "
                         f"(held-out AUROC; all features together: {result.proxy_auc_all:.3f}). Deleting the "
                         "sensitive column does not delete what these features carry.\n\n"
                         + _table(result.proxies, fmt) + "\n\n" + image("proxies", "proxy strength")))
    if result.flips is not None:
        sections.append(("Robustness", f"Changing only `{result.flip_column}` and keeping everything else flips "
                         f"{result.flips.rate:.1%} of the predictions. By original value:\n\n"
                         + _table(result.flips.by_value, fmt)))
    if result.mitigation is not None:
        col, grp = result.mitigation.attrs.get("group", ("?", "?"))
        sections.append(("Mitigation and its cost", f"The mitigated model beside the audited one; the FNR gap "
                         f"is that of {col} = {grp}.\n\n" + _table(result.mitigation, fmt) + "\n\n"
                         + image("mitigation", "mitigation")))
    limits = ("This audit measures the model on the rows given; it cannot see groups that are not recorded, "
              "harms outside these metrics, or how the model's use changes over time (monitor it). A flag is a "
              "reason to investigate, not proof of an attack. This report is not legal advice: under the EU AI "
              "Act a high-risk system needs a risk management system (Art. 9), data governance that examines "
              "possible biases (Art. 10), transparency to deployers (Art. 13), human oversight (Art. 14) and "
              "appropriate accuracy and robustness (Art. 15); GDPR Art. 22 and 35 may apply as well.")
    if result.notes:
        limits += " Notes: " + " ".join(result.notes)
    sections.append(("Limits of this audit", limits))
    return sections


def audit_report(result, path=None, *, format=None, title="Model audit report", model_description=None,
                 intended_use=None, data_description=None) -> str:
    """Write an audit report (a model card) of ``result``, with its pictures.

    Parameters
    ----------
    result : AuditResult
        From :func:`audit_model`.
    path : str or Path, optional
        Where to write it. A Markdown report writes its pictures as PNG files into a folder
        ``<name>_figures`` beside it; an HTML report embeds them (base64), so it is one file.
        Without a path nothing is written and the pictures are embedded as data URIs.
    format : {"markdown", "html"}, optional
        Default: from the path's suffix (``.html``/``.htm`` gives HTML), else Markdown.
    title : str
    model_description, intended_use, data_description : str, optional
        The model card's free-text sections (what the model is, what it is for, what the audit
        data is).

    Returns
    -------
    str
        The report's text (Markdown or HTML).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from biaslab.audit import audit_model
    >>> class ApprovesMen:
    ...     def predict(self, X):
    ...         return (X["sex"] == "M").astype(int).to_numpy()
    >>> X = pd.DataFrame({"sex": ["M", "F"] * 30, "role": ["husband", "wife"] * 30})
    >>> result = audit_model(ApprovesMen(), X, np.tile([1, 1, 0, 0], 15), sensitive_features="sex", favoured="M",
    ...                      n_boot=None, random_state=0)
    >>> text = audit_report(result)
    >>> text.splitlines()[0], "## Planted-attack screen" in text
    ('# Model audit report', True)
    """
    if not isinstance(result, AuditResult):
        raise TypeError(f"result must be an AuditResult (from audit_model), got {type(result).__name__}.")
    for name, value in (("title", title), ("model_description", model_description), ("intended_use", intended_use),
                        ("data_description", data_description)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {type(value).__name__}.")
    if path is not None and not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path (str or Path) or None, got {type(path).__name__}.")
    if format is None:
        format = "html" if path is not None and Path(path).suffix.lower() in (".html", ".htm") else "markdown"
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}, got {format!r}.")
    pictures, alts = _figures(result)
    folder = None
    if path is not None and format == "markdown":
        path = Path(path)
        folder = path.with_name(path.stem + "_figures")
        folder.mkdir(parents=True, exist_ok=True)
        for stem, data in pictures.items():
            (folder / f"{stem}.png").write_bytes(data)

    def image(stem, alt):
        if stem not in pictures:
            return ""
        alt = alts.get(stem) or alt  # the picture's own finding in numbers, else the section's label
        md_alt = alt.replace("[", "(").replace("]", ")").replace("\n", " ")  # Markdown's alt cannot hold brackets
        if folder is not None:
            return f"![{md_alt}]({folder.name}/{stem}.png)"
        uri = "data:image/png;base64," + base64.b64encode(pictures[stem]).decode("ascii")
        if format == "html":
            return f'<img alt="{_html.escape(alt)}" src="{uri}" style="max-width:100%">'
        return f"![{md_alt}]({uri})"

    sections = _sections(result, format, title=title, model_description=model_description, intended_use=intended_use,
                         data_description=data_description, image=image)
    if format == "markdown":
        text = f"# {title}\n\n" + "\n\n".join(f"## {h}\n\n{b}" for h, b in sections) + "\n"
    else:
        def block(body):
            # tables and images are markup already; plain sentences are escaped, one paragraph per blank line
            return "".join(p if p.startswith("<") else f"<p>{_html.escape(p).replace(chr(10), '<br>')}</p>"
                           for p in body.split("\n\n"))

        text = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + _html.escape(title) + "</title>"
                "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#202124}"
                "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;"
                "text-align:right}</style></head><body>\n<h1>" + _html.escape(title) + "</h1>\n"
                + "\n".join(f"<h2>{_html.escape(h)}</h2>{block(b)}" for h, b in sections) + "\n</body></html>\n")
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
    return text
