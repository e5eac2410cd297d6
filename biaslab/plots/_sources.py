"""Plots for module 03: how planted bias moves the metrics, and the fingerprints it leaves.

They take the table of :func:`biaslab.attacks.bias_source_sweep` (or rows of it) and draw it;
they compute no metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["BIAS_KIND_LABELS", "RESPONSE_METRICS", "plot_bias_response", "plot_group_metrics_at", "plot_fingerprints"]

#: How each kind of bias is named in pictures.
BIAS_KIND_LABELS = {
    "representation": "representation",
    "historical_label": "historical label",
    "measurement": "measurement",
    "proxy": "proxy",
}

_GROUP_COLOURS = {"Female": "#c0504d", "Male": "#4f81bd"}
_KIND_COLOURS = {"representation": "#8064a2", "historical_label": "#c0504d", "measurement": "#f79646",
                 "proxy": "#4bacc6"}
_METRIC_LABELS = {
    "accuracy": "accuracy",
    "selection_rate": "selected\n(predicted > 50K)",
    "fnr": "false negative\nrate",
    "fpr": "false positive\nrate",
    "auroc": "AUROC\n(ranking)",
}
#: Line style and marker per kind of bias, so lines lying on each other stay distinguishable.
_KIND_MARKS = (("-", "o"), ("--", "s"), (":", "D"), ("-.", "^"))
_RESPONSE_STYLES = {
    "discrimination": ("discrimination (men - women)", "black", "-"),
    "accuracy": ("accuracy, everyone", "#7f7f7f", "--"),
    "accuracy_Female": ("accuracy, women", _GROUP_COLOURS["Female"], "-"),
    "accuracy_Male": ("accuracy, men", _GROUP_COLOURS["Male"], "-"),
    "fnr_Female": ("false negative rate, women", _GROUP_COLOURS["Female"], ":"),
    "fnr_Male": ("false negative rate, men", _GROUP_COLOURS["Male"], ":"),
    "selection_rate_Female": ("selected, women", _GROUP_COLOURS["Female"], "-."),
    "selection_rate_Male": ("selected, men", _GROUP_COLOURS["Male"], "-."),
    "auroc_Female": ("AUROC, women", _GROUP_COLOURS["Female"], "--"),
    "auroc_Male": ("AUROC, men", _GROUP_COLOURS["Male"], "--"),
}
_FINGERPRINTS = (
    ("train_share_Female", "women's share of the rows"),
    ("train_label_rate_Female", "women's positive-label rate"),
    ("train_spread_ratio", "spread ratio, women / men"),
    ("train_proxy_correlation", "correlation of 'district' with sex"),
)


def _check_frame(sweep, columns, name="sweep") -> pd.DataFrame:
    if not isinstance(sweep, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame (from bias_source_sweep / load_bias_source_sweep), "
                        f"got {type(sweep).__name__}.")
    missing = [c for c in columns if c not in sweep.columns]
    if missing:
        raise ValueError(f"{name} has no column {missing[0]!r}; give the table of bias_source_sweep.")
    return sweep


def _rows_of(sweep, kind) -> pd.DataFrame:
    if kind not in set(sweep["kind"]):
        raise ValueError(f"kind={kind!r} is not in the sweep; it has {', '.join(map(repr, sweep['kind'].unique()))}.")
    return sweep[sweep["kind"] == kind].sort_values("strength")


#: The lines drawn by default: the gap, everyone's accuracy, and each group's errors and ranking.
RESPONSE_METRICS = ("discrimination", "accuracy", "fnr_Female", "fnr_Male", "auroc_Female")


def plot_bias_response(sweep, kind, *, metrics=RESPONSE_METRICS,
                       strength=None, ax=None, legend="right"):
    """Lines: how a model's test metrics respond as one kind of bias is turned up.

    Parameters
    ----------
    sweep : DataFrame
        The table of :func:`~biaslab.attacks.bias_source_sweep`.
    kind : str
        The kind of bias to show (a value of ``sweep["kind"]``).
    metrics : sequence of str
        Columns of ``sweep`` to draw, one line each.
    strength : float, optional
        Marks the current setting with a vertical line and dots.
    ax : matplotlib Axes, optional
    legend : {"right", "below"}
        Where the legend goes: beside the plot, or under it (narrow figures).

    Returns
    -------
    matplotlib Axes
    """
    if legend not in ("right", "below"):
        raise ValueError(f"legend must be 'right' or 'below', got {legend!r}.")
    if isinstance(metrics, str):
        metrics = [metrics]
    sweep = _check_frame(sweep, ["kind", "strength", *metrics])
    rows = _rows_of(sweep, kind)
    if ax is None:
        from ._style import subplots

        _, ax = subplots()
    for metric in metrics:
        label, colour, style = _RESPONSE_STYLES.get(metric, (metric, None, "-"))
        ax.plot(rows["strength"], rows[metric], style, color=colour, lw=2, marker="o", ms=4, label=label)
    if strength is not None:
        mark_strength(ax, rows, metrics, strength)
    ax.axhline(0, color="black", lw=0.6)
    ax.set(title=f"Model judged on true test labels, {BIAS_KIND_LABELS.get(kind, kind)} bias planted",
           xlabel=f"strength of the {BIAS_KIND_LABELS.get(kind, kind)} bias (0 = none)", ylabel="rate or score",
           xlim=(-0.03, 1.03), ylim=(min(-0.05, float(rows[list(metrics)].min().min()) - 0.05), 1.02))
    # beside or under the plot, never over a line
    if legend == "right":
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.9)
    else:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
    ax.grid(alpha=0.3)
    from ._style import describe

    ordered = rows.sort_values("strength")
    lo, hi = float(ordered["strength"].iloc[0]), float(ordered["strength"].iloc[-1])
    describe(ax, f"{BIAS_KIND_LABELS.get(kind, kind)} bias, strength {lo:g} to {hi:g}: " + "; ".join(
        f"{_RESPONSE_STYLES.get(m, (m,))[0]} {float(ordered[m].iloc[0]):.2f} to {float(ordered[m].iloc[-1]):.2f}"
        for m in metrics) + ".")
    return ax


def mark_strength(ax, rows, metrics, strength):
    """Mark one strength on a :func:`plot_bias_response` panel (a vertical line, a dot per line); returns the artists.

    A widget moving only the strength removes the old marks and draws new ones instead of the whole panel.
    """
    artists = [ax.axvline(strength, color="#9e9e9e", lw=1)]
    at = rows.iloc[int(np.argmin(np.abs(rows["strength"].to_numpy() - strength)))]
    for metric in metrics:
        colour = _RESPONSE_STYLES.get(metric, (None, None, None))[1]
        artists += ax.plot([at["strength"]], [at[metric]], "o", color=colour or "black", ms=9, mfc="white", mew=2)
    return artists


def plot_group_metrics_at(row, *, baseline=None, metrics=("selection_rate", "fnr", "auroc"), ax=None):
    """Bars per group (women, men) of a few metrics at one setting, beside the unbiased model's.

    Parameters
    ----------
    row : Series or one-row DataFrame
        One row of the sweep (columns ``<metric>_Female`` and ``<metric>_Male``).
    baseline : Series or one-row DataFrame, optional
        The row at strength 0, drawn as black ticks so the change is visible.
    metrics : sequence of str
        Among ``"accuracy"``, ``"selection_rate"``, ``"fnr"``, ``"fpr"``, ``"auroc"``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    if isinstance(metrics, str):
        metrics = [metrics]

    def as_row(value, name):
        if isinstance(value, pd.DataFrame):
            if len(value) != 1:
                raise ValueError(f"{name} must be one row of the sweep, got {len(value)} rows.")
            value = value.iloc[0]
        if not isinstance(value, pd.Series):
            raise TypeError(f"{name} must be a row of the sweep (a Series), got {type(value).__name__}.")
        for metric in metrics:
            for group in _GROUP_COLOURS:
                if f"{metric}_{group}" not in value.index:
                    raise ValueError(f"{name} has no value {metric}_{group}; give a row of bias_source_sweep.")
        return value

    row = as_row(row, "row")
    baseline = None if baseline is None else as_row(baseline, "baseline")
    if ax is None:
        from ._style import subplots

        _, ax = subplots()
    x = np.arange(len(metrics))
    width = 0.38
    for i, (group, colour) in enumerate(_GROUP_COLOURS.items()):
        values = [float(row[f"{m}_{group}"]) for m in metrics]
        centres = x + (i - 0.5) * width
        ax.bar(centres, values, width, color=colour, label="women" if group == "Female" else "men")
        tops = values
        if baseline is not None:
            base = [float(baseline[f"{m}_{group}"]) for m in metrics]
            ax.hlines(base, centres - width / 2, centres + width / 2, colors="black",
                      lw=2, label="no bias (strength 0)" if i == 0 else None)
            tops = np.fmax(values, base)
        for centre, top, value in zip(centres, tops, values):  # above the bar and its tick
            ax.text(centre, top + 0.02, f"{value:.2f}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [_METRIC_LABELS.get(m, m) for m in metrics])
    # the headroom above 1 keeps the legend clear of the bars (every metric here is at most 1)
    ax.set(ylim=(0, 1.3), yticks=np.linspace(0, 1, 6), ylabel="rate or score on the clean test set",
           title="Per group, at this setting")
    ax.legend(fontsize=9, loc="upper center", ncol=3, frameon=False)
    return ax


def plot_fingerprints(sweep, *, axes=None):
    """Four panels: each fingerprint of the biased training data against strength, one line per kind.

    Each source of bias moves its own fingerprint and leaves the others flat, which is how a
    dataset can be diagnosed without knowing what was done to it.

    Parameters
    ----------
    sweep : DataFrame
        The table of :func:`~biaslab.attacks.bias_source_sweep`.
    axes : sequence of four matplotlib Axes, optional

    Returns
    -------
    numpy array of four matplotlib Axes
    """
    sweep = _check_frame(sweep, ["kind", "strength", *[c for c, _ in _FINGERPRINTS]])
    if axes is None:
        from ._style import subplots

        _, axes = subplots(1, 4, panel_height=3.0, sharex=True)
    axes = np.asarray(axes).ravel()
    if axes.size != len(_FINGERPRINTS):
        raise ValueError(f"axes must hold {len(_FINGERPRINTS)} Axes, one per fingerprint, got {axes.size}.")
    kinds = list(sweep["kind"].unique())
    findings = []
    for ax, (column, title) in zip(axes, _FINGERPRINTS):
        # the kinds that leave this number flat lie on one line: each gets its own dash and marker,
        # drawn from thick to thin, so every line shows through the others (colour is not the only cue)
        for i, kind in enumerate(kinds):
            rows = sweep[sweep["kind"] == kind].sort_values("strength")
            dash, marker = _KIND_MARKS[i % len(_KIND_MARKS)]
            ax.plot(rows["strength"], rows[column], ls=dash, marker=marker, ms=7 - 1.2 * i, lw=4.5 - 1.1 * i,
                    color=_KIND_COLOURS.get(kind), label=BIAS_KIND_LABELS.get(kind, kind), zorder=2 + i,
                    mfc="white" if i % 2 else None)
        def spread(k):
            values = sweep.loc[sweep["kind"] == k, column].to_numpy(dtype=float)
            return float(np.nanmax(values) - np.nanmin(values)) if np.isfinite(values).any() else 0.0

        moved = max(kinds, key=spread)
        values = sweep[sweep["kind"] == moved].sort_values("strength")[column].dropna()
        findings.append(f"{title}: moved by {BIAS_KIND_LABELS.get(moved, moved)} bias, from "
                        f"{values.iloc[0]:.2f} to {values.iloc[-1]:.2f}")
        ax.set_title(title)
        ax.set_xlabel("strength")
        ax.grid(alpha=0.3)
    for ax in axes[::2]:
        ax.set_ylabel("in the biased\ntraining data")
    figure = axes[0].get_figure(root=True)
    handles, labels = axes[0].get_legend_handles_labels()
    constrained = type(figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    figure.legend(handles, labels, title="bias planted", loc="outside lower center" if constrained else "lower center",
                  ncol=len(kinds), frameon=False)
    figure.suptitle("Fingerprints: each source of bias moves its own number")
    from ._style import describe

    describe(figure, "Four panels, one per fingerprint of the training data against the bias strength; "
                     "each fingerprint is moved by one source of bias and stays flat for the others. "
                     + "; ".join(findings) + ".")
    return axes
