"""Figures of a run (confusion matrix, ROC, precision-recall) and of a sweep (ROC overlay)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from sklearn.metrics import auc, precision_recall_curve, roc_curve  # noqa: E402


def confusion_figure(tp: int, fp: int, fn: int, tn: int, title: str = ""):
    """Confusion matrix with counts, defaulted = positive (the paper's Fig. 5)."""
    matrix = np.array([[tn, fp], [fn, tp]])
    fig, ax = plt.subplots(figsize=(5.4, 4.2))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, f"{value:,}", ha="center", va="center",
                color="white" if value > matrix.max() / 2 else "black", fontsize=12)
    ax.set_xticks([0, 1], ["non-defaulted", "defaulted"])
    ax.set_yticks([0, 1], ["non-defaulted", "defaulted"])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "Confusion matrix (test split)")
    fig.tight_layout()
    return fig


def roc_figure(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str = ""):
    """ROC curves, one per label: ``{label: (y_true, scores)}`` (the paper's Fig. 6)."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    # tab20 keeps up to 20 curves distinguishable (the default cycle repeats after 10)
    colours = plt.cm.tab20(np.linspace(0, 1, 20))
    for i, (label, (y_true, scores)) in enumerate(curves.items()):
        fpr, tpr, _ = roc_curve(y_true, scores)
        ax.plot(fpr, tpr, lw=1.4, color=colours[i % 20],
                label=f"{label} (AUC {auc(fpr, tpr):.3f})")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=0.8)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(title or "ROC (test split)")
    _legend(fig, ax, len(curves), "lower right", 9)
    return fig


def _legend(fig, ax, n_curves: int, loc: str, fontsize: int) -> None:
    """The legend inside the axes at ``loc``; with many curves beside them, on a wider
    figure, so that it does not hide the curves."""
    if n_curves > 8:
        fig.set_size_inches(9.5, max(5.0, 0.19 * n_curves + 1.0))
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    else:
        ax.legend(fontsize=fontsize, loc=loc)
    fig.tight_layout()


def pr_figure(y_true: np.ndarray, scores: np.ndarray, title: str = ""):
    """Precision-recall curve with the defaulted share as the no-skill line."""
    precision, recall, _ = precision_recall_curve(y_true, scores)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot(recall, precision, lw=1.4)
    ax.axhline(np.mean(y_true), ls="--", color="grey", lw=0.8, label="defaulted share")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_ylim(0, 1.02)
    ax.set_title(title or "Precision-recall (test split)")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


def pr_overlay_figure(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str = ""):
    """Precision-recall curves, one per label: ``{label: (y_true, scores)}``, with each
    label's PR-AUC (average precision) and the defaulted share as the no-skill line. At a
    default rate of a few percent this says more than the ROC: a false alarm rate of 1% is
    then several false alarms per default found."""
    from sklearn.metrics import average_precision_score

    fig, ax = plt.subplots(figsize=(5.5, 5))
    colours = plt.cm.tab20(np.linspace(0, 1, 20))
    shares = []
    for i, (label, (y_true, scores)) in enumerate(curves.items()):
        precision, recall, _ = precision_recall_curve(y_true, scores)
        ax.plot(recall, precision, lw=1.4, color=colours[i % 20],
                label=f"{label} (PR-AUC {average_precision_score(y_true, scores):.3f})")
        shares.append(float(np.mean(y_true)))
    if shares:
        ax.axhline(np.mean(shares), ls="--", color="grey", lw=0.8,
                   label=f"no skill (defaulted share {np.mean(shares):.3f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_ylim(0, 1.02)
    ax.set_title(title or "Precision-recall (test split)")
    _legend(fig, ax, len(curves), "upper right", 8)
    return fig


def close(fig) -> None:
    """Free a figure once it is saved or logged."""
    plt.close(fig)


def losses_figure(history: list[dict[str, float]], title: str, best_epoch: int | None = None):
    """Loss per epoch, one line per loss (the paper's Figs. 3 and 4); a validation ROC-AUC on
    its own axis at the right, and the epoch whose weights were kept."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    keys = list(dict.fromkeys(key for losses in history for key in losses))
    right = ax.twinx() if any(k.endswith("roc_auc") for k in keys) else None
    for key in keys:  # a loss may be missing from some epochs (a GAN's n_critic > 1)
        epochs = [e for e, losses in enumerate(history, start=1) if key in losses]
        axis = right if key.endswith("roc_auc") else ax
        # markers when there are few epochs: a line through one point draws nothing
        axis.plot(epochs, [history[e - 1][key] for e in epochs], lw=1.2,
                  marker="o" if len(epochs) <= 30 else None, markersize=3,
                  label=key.replace("_", " "), color="tab:green" if axis is right else None)
    if len(history) <= 10:
        ax.set_xticks(range(1, len(history) + 1))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0.5, len(history) + 0.5)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    if right is not None:
        right.set_ylabel("validation ROC-AUC")
        more = right.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    if best_epoch is not None and best_epoch < len(history):
        handles.append(ax.axvline(best_epoch, color="grey", ls="--", lw=1))
        labels.append(f"weights kept: epoch {best_epoch}")
    ax.legend(handles, labels, fontsize=8)
    fig.tight_layout()
    return fig


def shap_bar_figure(importance, top: int = 20, title: str = "", score: str = "score"):
    """Mean |SHAP| of the ``top`` indicators, coloured by group (the paper's Fig. 7).

    ``score`` names what of the default was explained (log-odds or probability) on the axis.
    """
    shown = importance.head(top).iloc[::-1]
    groups = list(dict.fromkeys(importance["group"]))
    colours = dict(zip(groups, plt.get_cmap("tab10").colors, strict=False))
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(shown) + 1.4))
    ax.barh(shown["indicator"], shown["mean_abs_shap"],
            color=[colours[g] for g in shown["group"]])
    from matplotlib.patches import Patch

    handles = [Patch(color=colours[g], label=g.replace("_", " "))
               for g in dict.fromkeys(shown["group"][::-1])]
    ax.set_xlabel(f"mean |SHAP| (default {score})")
    ax.set_title(title or f"Top {len(shown)} indicators by SHAP")
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def shap_beeswarm_figure(values, data, top: int = 20, title: str = ""):
    """One dot per row and indicator: SHAP value, coloured by the indicator's value."""
    import shap

    explanation = shap.Explanation(values=values.to_numpy(), data=data.to_numpy(),
                                   feature_names=list(values.columns))
    plt.figure(figsize=(7, 0.3 * top + 1.5))
    shap.plots.beeswarm(explanation, max_display=top, show=False)
    fig = plt.gcf()
    fig.axes[0].set_title(title or "SHAP values by indicator")
    fig.tight_layout()
    return fig


def calibration_figure(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str = ""):
    """Mean predicted PD against the observed default rate per bin, one line per label:
    ``{label: (predicted, observed)}``; log axes, since PDs span several orders."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    values = np.concatenate([np.concatenate(c) for c in curves.values()])
    low = max(float(values[values > 0].min()) / 2 if (values > 0).any() else 1e-4, 1e-4)
    for label, (predicted, observed) in curves.items():
        ax.plot(np.maximum(predicted, low), np.maximum(observed, low), marker="o", lw=1.4,
                label=label)
    ax.plot([low, 1], [low, 1], ls="--", color="grey", lw=0.8, label="perfectly calibrated")
    ax.set_xscale("log")
    ax.set_yscale("log")
    from matplotlib.ticker import FuncFormatter, NullLocator

    for axis in (ax.xaxis, ax.yaxis):  # plain labels, no minor ticks: half a second a figure
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        axis.set_minor_locator(NullLocator())
    ax.set_xlabel("mean predicted probability of default (decile of the test rows)")
    ax.set_ylabel("observed default rate")
    ax.set_title(title or "Calibration (test split)")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def threshold_figure(thresholds: np.ndarray, scores: np.ndarray, chosen: float,
                     objective: str, title: str = ""):
    """The threshold policy's objective on cross-validated training scores against the
    threshold (the candidates, evenly spaced over the scores' range), the chosen one marked."""
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(thresholds, scores, lw=1.4)
    ax.axvline(chosen, color="tab:red", ls="--", lw=1,
               label=f"chosen {chosen:.3g} (the run's decision_threshold)")
    ax.set_xlabel("decision threshold (probability of default)")
    ax.set_ylabel(f"{objective}, cross-validated on the training rows")
    ax.set_title(title or "Threshold policy")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def walk_forward_figure(table, title: str = ""):
    """The backtest by test year: ROC-AUC (left) and predicted vs observed default rate
    (right), with the PSI of the score written at each year."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    years = table["test_year"].to_numpy()
    left.plot(years, table["roc_auc"], marker="o", label="ROC-AUC")
    left.plot(years, table["pr_auc"], marker="s", label="PR-AUC")
    for year, auc_value, psi in zip(years, table["roc_auc"], table["psi"], strict=True):
        left.annotate(f"PSI {psi:.2f}", (year, auc_value), textcoords="offset points",
                      xytext=(0, 6), ha="center", fontsize=7)
    left.set_ylim(0, 1.05)
    left.set_xlabel("test year")
    left.set_title("discrimination")
    left.legend(fontsize=8, loc="lower left")
    right.plot(years, table["default_rate"], marker="o", label="observed default rate")
    right.plot(years, table["mean_pd"], marker="s", label="mean predicted PD")
    right.set_xlabel("test year")
    right.set_title("calibration in the large")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.set_xticks(years)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
