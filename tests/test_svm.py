"""The SVM stays exact on the paper's data size and switches to a kernel approximation above."""

from __future__ import annotations

from conftest import run_train, runs_in
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

from bond_default.classifiers.svm import ScalableSVC


def test_the_svm_is_exact_up_to_its_limit_and_approximated_above():
    X, y = make_classification(n_samples=1200, n_features=12, weights=[0.8], random_state=0)
    exact = ScalableSVC(random_state=0).fit(X[:800], y[:800])
    approximated = ScalableSVC(max_exact_rows=500, n_components=100,
                               random_state=0).fit(X[:800], y[:800])
    assert exact.method_ == "exact SVC"
    assert approximated.method_ == "Nystroem(100) + LinearSVC"
    for model in (exact, approximated):
        probabilities = model.predict_proba(X[800:])
        assert probabilities.shape == (400, 2)
        assert roc_auc_score(y[800:], probabilities[:, 1]) > 0.85
    # the approximation is a different model, not the exact one under another name
    assert (exact.predict_proba(X[800:]) != approximated.predict_proba(X[800:])).any()


def test_a_run_says_in_its_log_and_tags_when_the_svm_is_approximated(tmp_path):
    done = run_train(["classifier=svm", "sampler=none", "debug=smoke",
                      "classifier.estimator.max_exact_rows=500", "tracking.log_model=false",
                      "explain.enabled=false"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "max_exact_rows=500, so the RBF kernel is approximated" in done.stdout + done.stderr
    (run,) = runs_in(tmp_path)
    assert run.data.tags["classifier_method"] == "Nystroem(500) + LinearSVC"
