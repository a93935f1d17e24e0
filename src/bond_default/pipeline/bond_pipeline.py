"""The imbalanced-learn ``Pipeline`` that hands its classifier the real rows held out for
validation."""

from __future__ import annotations

from imblearn.pipeline import Pipeline

#: Name of the step that holds the validation rows out (:class:`ValidationHoldout`).
VALIDATION_STEP = "validation"


class BondPipeline(Pipeline):
    """imbalanced-learn ``Pipeline`` that hands its classifier the real rows held out for
    validation (the ``validation`` step,
    :class:`bond_default.pipeline.validation_holdout.ValidationHoldout`) when it is fitted.

    The rows are taken when the classifier starts training, after every step before it was
    fitted, so cloned pipelines (cross-validation) hand over their own rows.
    """

    def fit(self, X, y=None, **params):
        """Fit every step; the classifier's ``fit`` gets ``validation``, the held-out rows."""
        if VALIDATION_STEP in self.named_steps:
            params = {**params, f"{self.steps[-1][0]}__validation": self._held_out_rows}
        return super().fit(X, y, **params)

    def _held_out_rows(self):
        return self.named_steps[VALIDATION_STEP].take()
