"""The reference study's published Table 2 (Zhang et al. 2024, Wind data), for comparison."""

from __future__ import annotations

import pandas as pd

# classifier, sampler, accuracy, precision, recall, "AUC" (= balanced accuracy at their
# threshold: see README, "A note on the paper's AUC")
_TABLE_2 = [
    ("cnn", "gan", 0.9953, 0.8871, 0.8333, 0.9157),
    ("cnn", "smote", 0.9741, 0.6704, 0.6689, 0.7958),
    ("cnn", "borderline", 0.9715, 0.6477, 0.6901, 0.7774),
    ("cnn", "none", 0.9621, 0.3438, 0.4859, 0.6144),
    ("fcnn", "gan", 0.9905, 0.7083, 0.7727, 0.8835),
    ("fcnn", "smote", 0.9762, 0.5874, 0.5951, 0.6709),
    ("fcnn", "borderline", 0.9793, 0.6211, 0.6072, 0.6849),
    ("fcnn", "none", 0.9616, 0.4086, 0.4463, 0.6245),
    ("svm", "gan", 0.9836, 0.8183, 0.4015, 0.7004),
    ("svm", "smote", 0.9765, 0.5211, 0.3622, 0.5998),
    ("svm", "borderline", 0.9822, 0.5567, 0.3159, 0.5994),
    ("svm", "none", 0.9737, 0.4364, 0.2352, 0.6081),
    ("lr", "gan", 0.9685, 0.3269, 0.7652, 0.8686),
    ("lr", "smote", 0.9697, 0.4182, 0.7294, 0.8332),
    ("lr", "borderline", 0.9614, 0.4493, 0.7725, 0.8703),
    ("lr", "none", 0.9603, 0.3068, 0.6991, 0.7861),
]


def table_2() -> pd.DataFrame:
    """The paper's Table 2 with columns prefixed ``paper_``."""
    return pd.DataFrame(_TABLE_2, columns=["classifier", "sampler", "paper_accuracy",
                                           "paper_precision", "paper_recall",
                                           "paper_auc_balanced_accuracy"])
