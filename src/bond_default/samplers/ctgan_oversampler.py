"""``sampler=ctgan`` / ``sampler=tvae``: the `ctgan` package's CTGAN and TVAE as
imbalanced-learn over-samplers (an optional extra: ``pip install -e '.[ctgan]'``)."""

from __future__ import annotations

import logging
from numbers import Integral

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from bond_default.samplers.gan_oversampler import one_hot_groups, valid_rows, year_positions

log = logging.getLogger(__name__)

#: The column that stands for the year-level columns while the synthesizer learns.
YEAR_KEY = "__year__"


class SynthesizerOverSampler(BaseOverSampler):
    """Over-sample a class with rows from CTGAN or TVAE (Xu et al. 2019) trained on it.

    The synthesizer learns from the rows of the over-sampled class with the discrete columns
    declared (those with at most ``max_levels`` values: categories, one-hot levels, ratings,
    0/1 indicators). Year-level columns (``year_columns``) enter as one discrete column, the
    year, so the synthesizer learns the rest given it and every generated row carries the
    year-level values of a real year. Generated rows are made valid as the GAN's are
    (:func:`~bond_default.samplers.gan_oversampler.valid_rows`).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn; the ``ratio`` config group passes ``OversampleBy``.
    model : {"ctgan", "tvae"}
        The synthesizer.
    epochs : int
        Training epochs (the package's default: 300).
    batch_size : int
        Rows per step (CTGAN: rounded down to a multiple of 10, its ``pac``).
    max_levels : int
        A column with at most this many values is declared discrete.
    year_columns : "auto", sequence of str or None
        As for :class:`~bond_default.samplers.gan_oversampler.GANOverSampler`.
    random_state : int, RandomState or None
        Seeds the synthesizer.
    assess_quality : bool
        Compare generated with real rows after training (:func:`gan_quality.assess`).

    Attributes
    ----------
    synthesizer_ : ctgan.CTGAN or ctgan.TVAE
        The trained synthesizer.
    discrete_columns_ : list of str
        Columns declared discrete.
    quality_ : GanQuality
        How the generated rows compare with the real ones.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "model": [StrOptions({"ctgan", "tvae"})],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 10, None, closed="left")],
        "max_levels": [Interval(Integral, 1, None, closed="left")],
        "year_columns": [list, tuple, StrOptions({"auto"}), None],
        "random_state": ["random_state"],
        "assess_quality": ["boolean"],
    }

    #: Rows the synthesizers need (CTGAN's discriminator packs 10 rows together).
    min_minority_rows = 10

    def __init__(self, *, sampling_strategy="auto", model="ctgan", epochs=300, batch_size=500,
                 max_levels=20, year_columns="auto", random_state=None, assess_quality=True):
        super().__init__(sampling_strategy=sampling_strategy)
        self.model = model
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_levels = max_levels
        self.year_columns = year_columns
        self.random_state = random_state
        self.assess_quality = assess_quality

    def _synthesizer(self, n_rows: int):
        import ctgan

        if self.model == "tvae":
            return ctgan.TVAE(epochs=self.epochs, batch_size=min(self.batch_size, n_rows),
                              enable_gpu=False)
        batch = max(10, min(self.batch_size, n_rows) // 10 * 10)
        return ctgan.CTGAN(epochs=self.epochs, batch_size=batch, enable_gpu=False)

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        names = [str(n) for n in getattr(self, "feature_names_in_", range(X.shape[1]))]
        original = np.asarray(X)
        X = original.astype(np.float64)
        y = np.asarray(y)
        years = year_positions(self.year_columns, getattr(self, "feature_names_in_", None))
        new_rows, new_labels = [original], [y]
        for label, n_new in self.sampling_strategy_.items():
            if n_new <= 0:
                continue
            real = X[y == label]
            if len(real) < self.min_minority_rows:
                raise ValueError(f"{self.model.upper()} needs at least "
                                 f"{self.min_minority_rows} rows of the class it over-samples, "
                                 f"got {len(real)}")
            table, discrete, year_values = self._table(real, X, names, years)
            synthesizer = self._synthesizer(len(real))
            synthesizer.set_random_state(int(rng.randint(np.iinfo(np.int32).max)))
            log.info("%s: training on %d rows x %d columns (%d discrete) for %d epochs, then "
                     "generating %d rows", self.model.upper(), len(real), table.shape[1],
                     len(discrete), self.epochs, n_new)
            synthesizer.fit(table, discrete_columns=discrete)
            self.synthesizer_, self.discrete_columns_ = synthesizer, discrete
            sampled = synthesizer.sample(n_new)
            generated = np.empty((n_new, X.shape[1]))
            others = np.setdiff1d(np.arange(X.shape[1]), years)
            generated[:, others] = sampled[[names[i] for i in others]].to_numpy(float)
            if len(years):
                generated[:, years] = year_values[sampled[YEAR_KEY].astype(int).to_numpy()]
            generated = valid_rows(generated, real, X, getattr(self, "feature_names_in_", None),
                                   self.max_levels, skip=set(years.tolist()))
            self.copied_positions_ = years
            if self.assess_quality:
                from bond_default.samplers.gan_quality import assess

                self.quality_ = assess(real, generated,
                                       getattr(self, "feature_names_in_", None),
                                       int(rng.randint(np.iinfo(np.int32).max)),
                                       year_positions=years, every=X,
                                       copied_positions=years)
            new_rows.append(generated.astype(original.dtype))
            new_labels.append(np.full(n_new, label, dtype=y.dtype))
        return np.vstack(new_rows), np.concatenate(new_labels)

    def _table(self, real: np.ndarray, every: np.ndarray, names: list[str], years: np.ndarray):
        """The rows as the synthesizer learns them: year-level columns replaced by the year
        (a discrete column), the discrete columns (few levels in ``every``, all training
        rows) named; and the year-level values by year."""
        others = np.setdiff1d(np.arange(real.shape[1]), years)
        table = pd.DataFrame(real[:, others], columns=[names[i] for i in others])
        grouped = {names[i] for g in one_hot_groups(names) for i in g}
        discrete = [names[i] for i in others
                    if names[i] in grouped or len(np.unique(every[:, i])) <= self.max_levels]
        year_values = np.empty((0, len(years)))
        if len(years):
            year_values, key = np.unique(real[:, years], axis=0, return_inverse=True)
            table[YEAR_KEY] = key.ravel().astype(str)
            discrete.append(YEAR_KEY)
        for column in discrete:
            table[column] = table[column].astype(str)
        return table, discrete, year_values
