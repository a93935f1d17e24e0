"""SHAP of the paper's CNN on the whole default test split (7,602 rows; the paper's: 7,587).

The CNN is trained for a few epochs only (``--epochs``, default 5): the explanation's cost
does not depend on how long the network trained. Prints the top indicators and, last, the
seconds the explanation took (GradientExplainer, 100 background rows).

    python bench/shap_cnn.py [--epochs 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

from bond_default.evaluate.explain import explain_pipeline
from bond_default.pipeline.build import build_pipeline

CONF = Path(__file__).resolve().parents[1] / "conf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    with initialize_config_dir(str(CONF), version_base="1.3"):
        cfg = compose("train", overrides=["classifier=cnn", "sampler=none",
                                          f"trainer.max_epochs={args.epochs}"])
    data = instantiate(cfg.data).load()
    train, test = instantiate(cfg.split).split(data, 0)
    pipeline = build_pipeline(cfg).fit(data.features.iloc[train],
                                       data.label.iloc[train].to_numpy())
    start = time.perf_counter()
    shap = explain_pipeline(pipeline, data.features.iloc[train], data.features.iloc[test],
                            max_rows=None)
    seconds = time.perf_counter() - start
    print(f"{shap.explainer}: {len(shap.values)} rows x {shap.values.shape[1]} indicators")
    print("top 10:", ", ".join(shap.importance()["indicator"][:10]))
    print(f"shap cnn test split: {seconds:.1f} s")


if __name__ == "__main__":
    main()
