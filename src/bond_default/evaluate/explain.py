"""SHAP for a fitted pipeline, expressed on the original indicators (the paper's Fig. 7)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

#: The paper's Fig. 7 shows the top 20 indicators.
TOP = 20
#: Scores the explainers can explain (the linear explainer: log-odds only).
OUTPUTS = ("log-odds", "probability")
#: ``auto``: the explainer that suits the classifier; ``permutation``: shap's model-agnostic
#: explainer for any classifier (slow), a check of the fast ones.
METHODS = ("auto", "permutation")


@dataclass
class IndicatorShap:
    """SHAP values of the default score, one column per original indicator.

    Attributes
    ----------
    values : pandas.DataFrame
        Rows explained x indicators; an encoded indicator's columns (one-hot levels) are
        summed back into it.
    data : pandas.DataFrame
        The same rows' raw indicator values (categories as codes), for the beeswarm colours.
    method : str
        Which SHAP explainer produced them (``TreeExplainer``, ...).
    score : str
        The score explained: ``log-odds`` or ``probability`` of default.
    seconds : float
        Time taken.
    """

    values: pd.DataFrame
    data: pd.DataFrame
    method: str
    score: str
    seconds: float

    @property
    def explainer(self) -> str:
        """Explainer and score, as in run tags: ``"TreeExplainer (log-odds)"``."""
        return f"{self.method} ({self.score})"

    def importance(self) -> pd.DataFrame:
        """``indicator``, ``group``, ``mean_abs_shap``, ``share``, ``rank``; largest first."""
        return self._importance.copy()

    @cached_property
    def _importance(self) -> pd.DataFrame:
        from bond_default.data.catalogue import group_of

        mean_abs = self.values.abs().mean().sort_values(ascending=False, kind="stable")
        total = float(mean_abs.sum()) or 1.0
        return pd.DataFrame({
            "indicator": mean_abs.index,
            "group": [group_of(name) or "other" for name in mean_abs.index],
            "mean_abs_shap": mean_abs.to_numpy(),
            "share": mean_abs.to_numpy() / total,
            "rank": np.arange(1, len(mean_abs) + 1),
        })

    def groups(self) -> pd.DataFrame:
        """Per indicator group: indicators, share of the total, and how many are in the top 20."""
        table = self._importance
        top = table.head(TOP)
        out = table.groupby("group", sort=False).agg(
            indicators=("indicator", "size"), share_of_total=("share", "sum"))
        out["in_top20"] = top.groupby("group").size().reindex(out.index).fillna(0).astype(int)
        return out.sort_values("share_of_total", ascending=False).reset_index()

    def top_share(self, n: int = TOP) -> float:
        """Share of the total mean |SHAP| held by the ``n`` most important indicators."""
        return float(self._importance["share"].head(n).sum())


def _encoded_to_indicators(values: np.ndarray, sources: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(values, columns=sources)
    return frame.T.groupby(level=0, sort=False).sum().T


def _raw_codes(x: pd.DataFrame) -> pd.DataFrame:
    """Raw indicator values as numbers (text categories as their category codes)."""
    out = x.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype("category").cat.codes.replace(-1, np.nan)
    return out.astype(float)


def explain_pipeline(pipeline, x_train: pd.DataFrame, x_explain: pd.DataFrame, *,
                     max_rows: int | None = 2000, background_rows: int = 100,
                     agnostic_rows: int = 100, seed: int = 0,
                     output: str = "log-odds", method: str = "auto") -> IndicatorShap:
    """SHAP values of the fitted ``pipeline``'s default score on ``x_explain``'s rows.

    The explainer follows the classifier: gradients (``GradientExplainer``) for the torch
    networks, ``TreeExplainer`` for tree ensembles, ``LinearExplainer`` for linear models and
    for the WoE scorecard (on its WoE columns: exact, as the scorecard is additive in them;
    ``output="probability"`` goes to the permutation explainer), and a model-agnostic
    permutation explainer otherwise (slow: give it few rows). Explanations are computed on
    the preprocessed columns and summed back onto the original indicators.

    Parameters
    ----------
    pipeline : imblearn.pipeline.Pipeline
        Fitted ``preprocess -> ... -> classifier`` pipeline.
    x_train : pandas.DataFrame
        Training rows; the background sample comes from them.
    x_explain : pandas.DataFrame
        Rows to explain (the test split).
    max_rows : int or None
        Explain a random subsample of at most this many rows (``None``: all).
    background_rows : int
        Size of the background sample.
    agnostic_rows : int
        At most this many rows for the model-agnostic explainer, which costs about a second
        per row here (an SVM); ``max_rows`` still applies.
    seed : int
        Seed of both subsamples.
    output : {"log-odds", "probability"}
        The score explained. ``probability`` is the scale of the generator's true drivers and
        of the paper's Keras CNN; for tree models it needs the interventional algorithm,
        about 7 times slower. The linear explainer always explains log-odds.
    method : {"auto", "permutation"}
        ``auto`` picks the explainer by classifier as above; ``permutation`` uses the
        model-agnostic permutation explainer whatever the classifier (``agnostic_rows``).
    """
    if output not in OUTPUTS:
        raise ValueError(f"output={output!r}; allowed: {', '.join(OUTPUTS)}")
    if method not in METHODS:
        raise ValueError(f"method={method!r}; allowed: {', '.join(METHODS)}")
    import shap
    from scipy.special import logit

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    preprocess, model = pipeline.named_steps["preprocess"], pipeline[-1]
    kind = _explainer_kind(model) if method == "auto" else method
    if kind == "scorecard" and output == "probability":
        kind = "permutation"  # its exact additive explanation holds on the log-odds only
    if kind == "permutation":
        max_rows = min(max_rows or len(x_explain), agnostic_rows)
    if max_rows is not None and len(x_explain) > max_rows:
        x_explain = x_explain.iloc[np.sort(rng.choice(len(x_explain), max_rows, replace=False))]
    background = x_train.iloc[rng.choice(len(x_train), min(background_rows, len(x_train)),
                                         replace=False)]
    z_explain = preprocess.transform(x_explain)
    z_background = preprocess.transform(background)
    sources = list(getattr(preprocess, "source_columns_", z_explain.columns))

    if kind == "gradient":
        import torch

        from bond_default.classifiers.networks import DefaultScore

        network = DefaultScore(model.network_, output).eval()
        def tensor(frame: pd.DataFrame):
            return torch.from_numpy(np.array(frame, dtype=np.float32))

        explainer = shap.GradientExplainer(network, tensor(z_background))
        values = explainer.shap_values(tensor(z_explain), nsamples=50, rseed=seed)
        values = np.asarray(values).reshape(len(z_explain), -1)
        name, score = "GradientExplainer", output
    elif kind == "tree":
        if output == "probability":
            explainer = shap.TreeExplainer(model, data=z_background, model_output="probability",
                                           feature_perturbation="interventional")
        else:
            explainer = shap.TreeExplainer(model)
        values = explainer.shap_values(z_explain)
        values = values[..., 1] if np.ndim(values) == 3 else values
        name, score = "TreeExplainer", output
    elif kind == "scorecard":
        # Additive in its bins' WoE: the linear explainer on the WoE gives each indicator
        # coefficient x (WoE - background mean WoE), its exact interventional SHAP value.
        explainer = shap.LinearExplainer(model.logistic_, model.woe(z_background))
        values = explainer.shap_values(model.woe(z_explain))
        name, score = "LinearExplainer on WoE", "log-odds"
    elif kind == "linear":
        explainer = shap.LinearExplainer(model, z_background)
        values = explainer.shap_values(z_explain)
        name, score = "LinearExplainer", "log-odds"
        if output != score:
            log.warning("a linear model is explained on its log-odds; output=%s does not "
                        "apply to it", output)
    else:
        def default_score(rows):
            frame = pd.DataFrame(rows, columns=z_explain.columns)
            probability = model.predict_proba(frame)[:, 1].astype(np.float64)
            if output == "probability":
                return probability
            return logit(np.clip(probability, 1e-12, 1 - 1e-12))

        explainer = shap.PermutationExplainer(default_score, z_background.to_numpy(), seed=seed)
        values = explainer(z_explain.to_numpy(), silent=True).values
        name, score = "PermutationExplainer", output
    values = _encoded_to_indicators(np.asarray(values, dtype=float), sources)
    values.index = x_explain.index
    data = _raw_codes(x_explain[values.columns])
    seconds = time.perf_counter() - start
    log.info("SHAP: %s (%s) on %d rows x %d indicators in %.1f s", name, score, len(values),
             values.shape[1], seconds)
    return IndicatorShap(values, data, name, score, seconds)


def _explainer_kind(model) -> str:
    """Which SHAP explainer suits the classifier: gradient, tree, scorecard, linear or
    permutation."""
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )

    from bond_default.classifiers.lightning_classifier import LightningClassifier
    from bond_default.classifiers.scorecard import ScorecardClassifier

    if isinstance(model, LightningClassifier):
        return "gradient"
    if isinstance(model, ScorecardClassifier):
        return "scorecard"
    if isinstance(model, (HistGradientBoostingClassifier, GradientBoostingClassifier,
                          RandomForestClassifier)):
        return "tree"
    coef = getattr(model, "coef_", None)
    if coef is not None and np.ndim(coef) == 2 and np.shape(coef)[0] == 1:
        return "linear"
    return "permutation"
