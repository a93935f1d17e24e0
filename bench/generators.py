"""Generated defaulted rows side by side: every over-sampler on the default market's training
split, judged the same way, and (optionally) what each gives the classifiers downstream.

    python bench/generators.py [--seeds 0 1 2] [--samplers ...] [--downstream gbdt lr cnn]
                               [--out bench/generators.csv]

For each seed the paper's split of the default market (284 defaulted training rows) is
preprocessed as the CNN's pipeline does (its input space), each sampler generates
``ratio.oversample`` x 284 = 710 rows, and :func:`bond_default.samplers.gan_quality.assess`
compares them with the real defaulted rows: two-sample AUC (0.5 ideal), mean KS, near-copies
(rows nearer a real row than that row's nearest real neighbour), spread (generated over real
standard deviation, ~0 for a collapsed generator), distinct share, year-consistency
(share of rows whose macro indicators are those of a real year) and, for samplers that take
columns from real rows, the share of rows whose taken values are those of exactly one real
bond (``copied_unique``), and pair-consistency (share of rows whose every pair of discrete
columns, a bond type and a term say, is a pair some training row has). The last row, the test
split's real defaulted rows judged the same way, is what an ideal generator would score (its
near-copies are not 0: a fresh real row is often nearer some training row than that row is to
its own nearest neighbour). ``--downstream`` also runs
the whole pipeline (``python train.py``'s cell, without MLflow) of each classifier with each
sampler and reports the test ROC-AUC. Samplers whose package is missing (ctgan, tvae) are
skipped with a line saying so.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np
import pandas as pd
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

REPO = Path(__file__).resolve().parents[1]

#: The reference an ideal generator would match: real defaulted rows no sampler learned from
#: (the test split's), judged against the training rows exactly as generated rows are.
HELD_OUT = "held-out real rows (the ideal)"
#: name -> config overrides. "paper" variants generate every column, as the paper's GAN; the
#: variants measured before discrete columns were taken from real rows (the default since
#: 2026-12) pin ``discrete_columns=snapped`` and no noise, so they are the rows README measured.
_SNAPPED = ["sampler.discrete_columns=snapped", "sampler.instance_noise=0.0"]
SAMPLERS = {
    "gan (paper: every column generated)": ["sampler=gan", "sampler.year_columns=null",
                                            *_SNAPPED],
    "gan, discrete columns generated (the default before)": ["sampler=gan", *_SNAPPED],
    "gan": ["sampler=gan"],
    "gan, no instance noise": ["sampler=gan", "sampler.instance_noise=0.0"],
    "gan, train_on=both": ["sampler=gan", "sampler.train_on=both", *_SNAPPED],
    "gan, instance_noise=0.3": ["sampler=gan", "sampler.discrete_columns=snapped",
                                "sampler.instance_noise=0.3"],
    "gan, one_hot, instance_noise=0.3, train_on=both": [
        "sampler=gan", "sampler.discrete_columns=one_hot", "sampler.instance_noise=0.3",
        "sampler.train_on=both"],
    "gan, one_hot, instance_noise=0.3, train_on=both, 8000 epochs": [
        "sampler=gan", "sampler.discrete_columns=one_hot", "sampler.instance_noise=0.3",
        "sampler.train_on=both", "sampler.max_epochs=8000"],
    "wgan_gp (every column generated)": ["sampler=wgan_gp", "sampler.year_columns=null",
                                         "sampler.discrete_columns=snapped"],
    "wgan_gp, discrete columns generated (the default before)": [
        "sampler=wgan_gp", "sampler.discrete_columns=snapped"],
    "wgan_gp": ["sampler=wgan_gp"],
    "ctgan": ["sampler=ctgan"],
    "tvae": ["sampler=tvae"],
    "smote": ["sampler=smote"],
    "borderline": ["sampler=borderline"],
    HELD_OUT: [],
}


def _config(overrides: list[str]):
    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        return compose("train", overrides=overrides)


def quality_row(name: str, overrides: list[str], seed: int) -> dict:
    from bond_default.data.year_level import year_level_columns
    from bond_default.samplers.gan_quality import assess

    cfg = _config(["classifier=cnn", f"seed={seed}", *(overrides or ["sampler=gan"])])
    data = instantiate(cfg.data).load()
    train, test = instantiate(cfg.split).split(data, seed)
    x_train, y_train = data.features.iloc[train], data.label.iloc[train].to_numpy()
    preprocess = instantiate(cfg.classifier.preprocess)
    X = preprocess.fit_transform(x_train)
    years = year_level_columns(x_train, data.year.iloc[train])
    start = time.perf_counter()
    if name == HELD_OUT:
        held = data.label.iloc[test].to_numpy() == 1
        generated = preprocess.transform(data.features.iloc[test]).to_numpy(float)[held]
    else:
        sampler = instantiate(cfg.sampler)
        if getattr(sampler, "year_columns", None) == "auto":
            sampler.set_params(year_columns=years)
        if hasattr(sampler, "progress_bar"):
            sampler.set_params(progress_bar=False)
        resampled, labels = sampler.fit_resample(X, y_train)
        generated = np.asarray(resampled, dtype=float)[len(X):]
    seconds = time.perf_counter() - start
    real = X.to_numpy(float)
    positions = [list(X.columns).index(c) for c in years]
    copied = [] if name == HELD_OUT else getattr(sampler, "copied_positions_", [])
    q = assess(real[y_train == 1], generated, list(X.columns), seed,
               year_positions=positions, every=real, copied_positions=copied)
    return {"sampler": name, "seed": seed, "real_rows": int(y_train.sum()),
            "generated_rows": len(generated), "two_sample_auc": q.c2st_auc,
            "ks_mean": float(q.ks.mean()), "near_copies": q.memorized_share,
            "near_copies_real": q.memorized_share_real,
            "spread": q.spread_ratio, "distinct": q.distinct_share,
            "year_consistency": q.year_consistency, "fit_seconds": seconds,
            "near_copies_generated_columns": q.memorized_share_generated_columns,
            "near_copies_real_generated_columns": q.memorized_share_real_generated_columns,
            "copied_unique": q.copied_unique_share, "pair_consistency": q.pair_consistency}


def downstream_row(name: str, overrides: list[str], classifier: str, seed: int) -> dict:
    """The cell's whole model (``python train.py``'s fit, without MLflow) with this sampler,
    scored on the test rows."""
    from bond_default.evaluate.metrics import evaluate
    from bond_default.run.cell import fit_fold

    cfg = _config([f"classifier={classifier}", f"seed={seed}", *overrides])
    data = instantiate(cfg.data).load()
    train, test = instantiate(cfg.split).split(data, seed)
    fit = fit_fold(cfg, data, (None, train, test), last=False)
    metrics = evaluate(fit.y_test, fit.scores, fit.threshold)
    return {"sampler": name, "classifier": classifier, "seed": seed,
            "roc_auc": metrics["roc_auc"], "pr_auc": metrics["pr_auc"]}


def _available(overrides: list[str]) -> bool:
    if any(o in ("sampler=ctgan", "sampler=tvae") for o in overrides):
        return importlib.util.find_spec("ctgan") is not None
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--samplers", nargs="+", default=list(SAMPLERS),
                        help="names as in the table (quote those with spaces)")
    parser.add_argument("--downstream", nargs="*", default=[],
                        help="classifiers to train with each sampler (gbdt lr cnn)")
    parser.add_argument("--out", default=str(REPO / "bench" / "generators.csv"))
    args = parser.parse_args()
    rows, scores = [], []
    for name in args.samplers:
        overrides = SAMPLERS[name]
        if not _available(overrides):
            print(f"{name}: skipped, the ctgan package is not installed "
                  "(pip install -e '.[ctgan]')", flush=True)
            continue
        for seed in args.seeds:
            rows.append(quality_row(name, overrides, seed))
            print({k: round(v, 4) if isinstance(v, float) else v
                   for k, v in rows[-1].items()}, flush=True)
            for classifier in args.downstream if name != HELD_OUT else ():
                scores.append(downstream_row(name, overrides, classifier, seed))
                print(scores[-1], flush=True)
    table = pd.DataFrame(rows)
    table.to_csv(args.out, index=False)
    columns = ["two_sample_auc", "ks_mean", "near_copies", "near_copies_real", "spread",
               "distinct", "year_consistency", "fit_seconds", "near_copies_generated_columns",
               "near_copies_real_generated_columns", "copied_unique", "pair_consistency"]
    summary = table.groupby("sampler", sort=False)[columns].agg(["mean", "std"])
    print(f"\nmean (std) over seeds {args.seeds}, "
          f"{table['real_rows'].iloc[0]} real -> {table['generated_rows'].iloc[0]} generated "
          "defaulted rows, CNN input space:")
    print(_markdown(summary))
    if scores:
        down = pd.DataFrame(scores)
        out = Path(args.out)
        down.to_csv(out.with_name(f"{out.stem}_downstream.csv"), index=False)
        pivot = down.pivot_table(index="sampler", columns="classifier", values="roc_auc",
                                 aggfunc=["mean", "std"], sort=False, dropna=False)
        print("\ntest ROC-AUC downstream, mean (std) over seeds:")
        print(_markdown(pivot))


def _markdown(summary: pd.DataFrame) -> str:
    if isinstance(summary.columns, pd.MultiIndex) and summary.columns.nlevels == 2 and \
            set(summary.columns.get_level_values(1)) <= {"mean", "std"}:
        names = list(dict.fromkeys(summary.columns.get_level_values(0)))
        frame = pd.DataFrame({n: [f"{m:.3f} ({s:.3f})" for m, s in zip(
            summary[(n, "mean")], summary[(n, "std")].fillna(0), strict=True)]
            for n in names}, index=summary.index)
    else:
        names = list(dict.fromkeys(summary.columns.get_level_values(1)))
        frame = pd.DataFrame({n: [f"{m:.4f} ({s:.4f})" for m, s in zip(
            summary[("mean", n)], summary[("std", n)].fillna(0), strict=True)]
            for n in names}, index=summary.index)
    return frame.to_markdown()


if __name__ == "__main__":
    main()
