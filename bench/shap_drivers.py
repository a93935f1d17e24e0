"""Known-answer check of SHAP: the true drivers of the generator in a model's SHAP top 10.

Trains one classifier (no oversampling) on the synthetic market, explains 2,000 test rows and
compares its SHAP top 10 with ``data.true_drivers[:10]``. It also ranks the indicators the
way the generator ranks its truth, by the mean absolute change of the model's default
probability when one indicator is permuted: when that ranking misses the drivers too, the
model did not learn them and SHAP is not to blame. Extra Hydra overrides pass through.

``truth`` in place of a classifier explains the generator's own default probability (a
perfect model) and its log-odds with the permutation explainer: what SHAP can find at best.

    python bench/shap_drivers.py gbdt
    python bench/shap_drivers.py truth --seed 0
    python bench/shap_drivers.py cnn --method permutation trainer.max_epochs=20
    python bench/shap_drivers.py cnn --seed 1 --n-bonds 265610 trainer.max_epochs=20 \
        classifier.estimator.batch_size=256 classifier.preprocess.categorical=onehot
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score

from bond_default.evaluate.explain import METHODS, OUTPUTS, explain_pipeline
from bond_default.pipeline.build import build_pipeline

CONF = Path(__file__).resolve().parents[1] / "conf"


def _moved_probability(estimator, x, reference) -> float:
    """Minus the mean absolute change of the default probability from ``reference``."""
    return -float(abs(estimator.predict_proba(x)[:, 1] - reference).mean())


def explain_truth(n_bonds: int, seed: int) -> None:
    """SHAP of the generator's true default probability and log-odds on 1,000 bonds."""
    import numpy as np
    import pandas as pd
    import shap
    from scipy.special import logit

    from bond_default.data.synthetic import market_with_truth

    market = market_with_truth(n_bonds, seed)
    frame, drivers, indicators = market.frame, market.true_drivers, market.indicators
    probability = market.true_probability
    complete = frame.dropna()
    auc = roc_auc_score(complete["default"], probability(complete[indicators.columns]))
    print(f"ROC-AUC of the true probability on the complete rows: {auc:.4f}")
    rng = np.random.default_rng(seed)
    background = indicators.iloc[rng.choice(len(indicators), 100, replace=False)].to_numpy()
    rows = indicators.iloc[rng.choice(len(indicators), 1000, replace=False)].to_numpy()

    def log_odds(x):
        return logit(probability(x))

    truth = set(drivers[:10])
    for name, output in [("log-odds", log_odds), ("probability", probability)]:
        values = shap.PermutationExplainer(output, background, seed=seed)(rows, silent=True).values
        mean_abs = pd.Series(np.abs(values).mean(axis=0), index=indicators.columns)
        top10 = list(mean_abs.sort_values(ascending=False).index[:10])
        print(f"SHAP top 10 of the true {name}:",
              ", ".join(f"{n}{'*' if n in truth else ''}" for n in top10))
        print(f"true drivers in SHAP top 10 of the true {name}: {len(truth & set(top10))}/10")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("classifier", help="a classifier config (gbdt, cnn, ...) or truth")
    parser.add_argument("--n-bonds", type=int, default=26_561)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default="log-odds", choices=OUTPUTS,
                        help="the score SHAP explains (not the linear explainer)")
    parser.add_argument("--method", default="auto", choices=METHODS,
                        help="auto: the classifier's fast explainer; permutation: the "
                             "model-agnostic one on 300 rows (minutes)")
    parser.add_argument("overrides", nargs="*", help="more Hydra overrides")
    args = parser.parse_intermixed_args()
    if args.classifier == "truth":
        explain_truth(args.n_bonds, args.seed)
        return
    with initialize_config_dir(str(CONF), version_base="1.3"):
        cfg = compose("train", overrides=[
            f"classifier={args.classifier}", "sampler=none", f"seed={args.seed}",
            f"data.n_bonds={args.n_bonds}", *args.overrides])
    data = instantiate(cfg.data).load()
    train, test = instantiate(cfg.split).split(data, args.seed)
    pipeline = build_pipeline(cfg).fit(data.features.iloc[train],
                                       data.label.iloc[train].to_numpy())
    auc = roc_auc_score(data.label.iloc[test],
                        pipeline.predict_proba(data.features.iloc[test])[:, 1])
    shap = explain_pipeline(pipeline, data.features.iloc[train], data.features.iloc[test],
                            max_rows=2000, agnostic_rows=300, output=args.output,
                            method=args.method)
    top10 = list(shap.importance()["indicator"].head(10))
    truth = set(data.true_drivers[:10])
    rows = data.features.loc[shap.values.index]
    moved = permutation_importance(pipeline, rows, pipeline.predict_proba(rows)[:, 1],
                                   scoring=_moved_probability, n_repeats=3,
                                   random_state=args.seed)
    ranked = rows.columns[moved.importances_mean.argsort()[::-1]]
    print(f"test ROC-AUC {auc:.4f}")
    print("SHAP top 10:", ", ".join(f"{name}{'*' if name in truth else ''}" for name in top10))
    print(f"true drivers in the model's permutation top 10: {len(truth & set(ranked[:10]))}/10")
    print(f"true drivers in SHAP top 10: {len(truth & set(top10))}/10")


if __name__ == "__main__":
    main()
