"""What a run of ``classifier=scorecard`` logs beside the others: its scorecard and the
information value of each indicator (``scorecard/`` in the run's artifacts)."""

from __future__ import annotations

import logging

import pandas as pd

log = logging.getLogger(__name__)

#: Artifacts of the scorecard run, under the run's artifact root.
TABLE_FILE = "scorecard/table.csv"
IV_FILE = "scorecard/information_value.csv"


def information_value_table(model) -> pd.DataFrame:
    """``indicator``, ``iv`` and ``iv_rank`` (1: the most informative) of a fitted scorecard."""
    iv = model.information_value()
    return pd.DataFrame({"indicator": iv.index, "iv": iv.to_numpy(),
                         "iv_rank": range(1, len(iv) + 1)})


def log_scorecard(pipeline) -> None:
    """Log the scorecard and its information values to the active MLflow run.

    Does nothing unless the pipeline's last step is a
    :class:`~bond_default.classifiers.scorecard.ScorecardClassifier`.

    Parameters
    ----------
    pipeline : imblearn.pipeline.Pipeline
        The fitted pipeline of the run.
    """
    from bond_default.classifiers.scorecard import ScorecardClassifier

    model = pipeline[-1]
    if not isinstance(model, ScorecardClassifier):
        return
    import mlflow

    if model.n_rounded_codes_:
        log.info("scorecard: %d values of its categorical indicators and flags in the rows it "
                 "was fitted on lay between two levels (made by the sampler) and were rounded "
                 "to the nearest level", model.n_rounded_codes_)
    mlflow.log_metric("scorecard_rounded_codes", model.n_rounded_codes_)
    mlflow.log_text(model.scorecard_table().to_csv(index=False), TABLE_FILE)
    iv = information_value_table(model)
    mlflow.log_text(iv.to_csv(index=False), IV_FILE)
    log.info("scorecard: information value top 5: %s", ", ".join(
        f"{row.indicator} {row.iv:.2f}" for row in iv.head(5).itertuples()))


IV_VS_SHAP_FILE = "scorecard/iv_vs_shap.csv"


def iv_vs_shap(model, importance: pd.DataFrame) -> pd.DataFrame:
    """The scorecard's information values beside the run's SHAP importance, one row per column.

    Parameters
    ----------
    model : ScorecardClassifier
        The fitted scorecard.
    importance : pandas.DataFrame
        :meth:`bond_default.evaluate.explain.IndicatorShap.importance` of the same run.

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``iv``, ``iv_rank``, ``mean_abs_shap``, ``shap_rank``, in IV order.
        A missing-value flag (``missing=<column>``) has its own IV and no SHAP of its own:
        SHAP sums it into its column.
    """
    shap = importance[["indicator", "mean_abs_shap", "rank"]].rename(
        columns={"rank": "shap_rank"})
    table = information_value_table(model).merge(shap, on="indicator", how="outer")
    table = table.astype({"iv_rank": "Int64", "shap_rank": "Int64"})
    return table.sort_values(["iv_rank", "shap_rank"], kind="stable").reset_index(drop=True)


def log_iv_vs_shap(pipeline, importance: pd.DataFrame) -> None:
    """Log :func:`iv_vs_shap` to the active MLflow run when the pipeline ends in a scorecard."""
    from bond_default.classifiers.scorecard import ScorecardClassifier

    model = pipeline[-1]
    if not isinstance(model, ScorecardClassifier):
        return
    import mlflow

    table = iv_vs_shap(model, importance)
    mlflow.log_text(table.to_csv(index=False), IV_VS_SHAP_FILE)
    both = table.dropna(subset=["iv", "mean_abs_shap"])
    if len(both) > 2:
        rho = both["iv"].corr(both["mean_abs_shap"], method="spearman")
        log.info("scorecard: information value vs mean |SHAP| across %d indicators: Spearman "
                 "%.2f", len(both), rho)
