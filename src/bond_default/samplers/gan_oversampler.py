"""``sampler=gan`` / ``sampler=wgan_gp``: an imbalanced-learn over-sampler that trains a GAN."""

from __future__ import annotations

import logging
from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from bond_default.errors import check_finite_losses
from bond_default.samplers.row_coding import RowCoding, nearest_level

log = logging.getLogger(__name__)


def one_hot_groups(feature_names) -> list[np.ndarray]:
    """Column positions of each one-hot encoded indicator (output names ``indicator=level``)."""
    if feature_names is None:
        return []
    groups: dict[str, list[int]] = {}
    for position, name in enumerate(map(str, feature_names)):
        if "=" in name:
            groups.setdefault(name.split("=", 1)[0], []).append(position)
    return [np.asarray(g) for g in groups.values() if len(g) > 1]


def year_positions(year_columns, feature_names) -> np.ndarray:
    """Positions of the year-level columns among ``feature_names``.

    ``"auto"``: the catalogue's year-level indicators present; ``None`` or empty: none.
    """
    columns = year_columns
    if isinstance(columns, str):  # "auto"
        from bond_default.data.catalogue import YEAR_LEVEL

        columns = [] if feature_names is None else [
            str(n) for n in feature_names if n in YEAR_LEVEL]
    if not columns:
        return np.array([], dtype=int)
    if feature_names is None:
        raise ValueError("year_columns needs a DataFrame input (column names)")
    position = {str(n): i for i, n in enumerate(feature_names)}
    missing = [c for c in columns if c not in position]
    if missing:
        raise ValueError(f"year_columns {missing} are not columns of the input")
    return np.asarray([position[c] for c in columns], dtype=int)


class GANOverSampler(BaseOverSampler):
    """Over-sample the defaulted class with rows drawn from a GAN trained on it alone.

    The GAN (:class:`~bond_default.samplers.tabular_gan.TabularGAN`) is trained by a
    Lightning ``Trainer`` inside ``fit_resample`` on the rows of the class being over-sampled
    (standardised), and generates as many rows as the sampling strategy asks. Generated rows
    are made valid: columns with few levels (categorical, ordinal, binary) are snapped to a
    level that exists, one-hot groups get exactly one 1, and continuous columns are clipped
    to the range of the training rows.

    Year-level columns (``year_columns``: one value per year, the macro environment) are not
    generated: each generated row takes them from a real row of the over-sampled class, drawn
    at random (so years come as that class's years are distributed), and the GAN learns the
    other columns given them (a conditional GAN). Discrete columns are taken the same way, as
    one combination from that real row (``discrete_columns="from_real"``). With
    ``train_on="both"`` the GAN sees the other class too, with the class as a further
    condition, and generates rows of the over-sampled class.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn; the ``ratio`` config group passes ``OversampleBy``.
    random_state : int, RandomState or None
        Seeds torch and the generated noise.
    loss : {"gan", "wgan_gp"}
        The paper's GAN or WGAN-GP.
    max_epochs : int
        Training epochs (the paper: about 2,000).
    batch_size : int
        Rows per step.
    latent_dim : int
        Noise vector size.
    generator_sizes, discriminator_sizes : tuple of int
        Hidden layer widths.
    learning_rate : float
        Adam learning rate.
    n_critic : int
        Discriminator steps per generator step.
    max_levels : int
        A column with at most this many distinct values in the training rows is discrete
        (``discrete_columns`` says how it is made).
    progress_bar : bool or None
        Lightning's progress bar; ``None`` shows it only when a person watches (a terminal).
    assess_quality : bool
        Compare generated with real rows after training (:func:`gan_quality.assess`).
    year_columns : "auto", sequence of str or None
        Names of the input's year-level columns (the input must be a DataFrame). ``"auto"``:
        the catalogue's year-level indicators among the input's columns (the workflow puts
        in their place the columns it finds constant within each year of the training rows,
        :func:`~bond_default.data.year_level.year_level_columns`); ``None`` or empty: every
        column is generated, as the paper.
    instance_noise : float
        Standard deviation of the noise added to every row the discriminator judges
        (:class:`~bond_default.samplers.tabular_gan.TabularGAN`); 0: none, as the paper.
        The noise blurs what the discriminator sees, so it cannot win by rules no generator
        learns from a few hundred rows (on the default market 0.5 takes the two-sample AUC
        from 0.937 to 0.839, mean of 3 seeds, discrete columns from real rows).
    discrete_columns : {"from_real", "snapped", "one_hot"}
        How the GAN treats a column with at most ``max_levels`` levels (a rating, a bond type,
        a term, a yes/no flag). ``from_real``: not generated; as year-level columns, each
        generated row takes the whole combination of them from a real row of the over-sampled
        class and the GAN learns the other columns given it. A market fixes which
        combinations exist (commercial paper is paid one way and runs at most a year, a bond
        is rated within a notch of its issuer): generated independently, 45% of the default
        market's generated rows had a bond type and term no real row has. ``snapped``: a
        number snapped to the nearest level afterwards (the paper's GAN sees every column as
        a number). ``one_hot`` (3 levels or more): a one-hot code the generator emits through
        a Gumbel-softmax and the discriminator judges as such, decoded to its level. A
        nominal code is not a number: snapped, a GAN that learns levels 0 and 2 also makes
        level 1.
    train_on : {"minority", "both"}
        ``minority``: the GAN learns from the over-sampled class alone (the paper).
        ``both``: from both classes, the class a condition; each epoch shows every row of
        the over-sampled class and as many rows of the others, drawn afresh (so an epoch
        costs twice the minority's, and over the epochs the GAN sees the other rows).

    Attributes
    ----------
    losses_ : list of dict
        Generator and discriminator loss per epoch.
    gan_ : TabularGAN
        The trained GAN.
    copied_positions_ : ndarray of int
        Positions of the columns taken from real rows rather than generated (year-level and,
        with ``discrete_columns="from_real"``, discrete).
    quality_ : GanQuality
        Two-sample test AUC, per-column KS distance and memorized share of the generated rows.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "loss": [StrOptions({"gan", "wgan_gp"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "generator_sizes": [tuple, list],
        "discriminator_sizes": [tuple, list],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "n_critic": [Interval(Integral, 1, None, closed="left")],
        "max_levels": [Interval(Integral, 1, None, closed="left")],
        "progress_bar": ["boolean", None],
        "assess_quality": ["boolean"],
        "year_columns": [list, tuple, StrOptions({"auto"}), None],
        "train_on": [StrOptions({"minority", "both"})],
        "instance_noise": [Interval(Real, 0, None, closed="left")],
        "discrete_columns": [StrOptions({"from_real", "snapped", "one_hot"})],
    }

    #: Rows the GAN needs to learn anything (BatchNorm needs more than one row per batch).
    min_minority_rows = 4

    def __init__(self, *, sampling_strategy="auto", random_state=None, loss="gan",
                 max_epochs=2000, batch_size=128, latent_dim=32, generator_sizes=(128, 128),
                 discriminator_sizes=(128, 64), learning_rate=2e-4, n_critic=1, max_levels=20,
                 progress_bar=None, assess_quality=True, year_columns="auto",
                 train_on="minority", instance_noise=0.5, discrete_columns="from_real"):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.loss = loss
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.latent_dim = latent_dim
        self.generator_sizes = generator_sizes
        self.discriminator_sizes = discriminator_sizes
        self.learning_rate = learning_rate
        self.n_critic = n_critic
        self.max_levels = max_levels
        self.progress_bar = progress_bar
        self.assess_quality = assess_quality
        self.year_columns = year_columns
        self.train_on = train_on
        self.instance_noise = instance_noise
        self.discrete_columns = discrete_columns

    def _fit_resample(self, X, y):
        import torch

        rng = check_random_state(self.random_state)
        original = np.asarray(X)
        X = original.astype(np.float64)
        y = np.asarray(y)
        years = year_positions(self.year_columns, getattr(self, "feature_names_in_", None))
        copied = self.copied_positions_ = self._copied_positions(X, years)
        generated_cols = np.setdiff1d(np.arange(X.shape[1]), copied)
        self.losses_ = []
        new_rows, new_labels = [original], [y]
        for label, n_new in self.sampling_strategy_.items():
            if n_new <= 0:
                continue
            in_class = y == label
            real = X[in_class]
            seed = int(rng.randint(np.iinfo(np.int32).max))
            torch.manual_seed(seed)
            if len(real) < self.min_minority_rows:
                raise ValueError(f"the GAN needs at least {self.min_minority_rows} rows of "
                                 f"the class it over-samples, got {len(real)}")
            # the year-level (and with from_real the discrete) values of each generated row:
            # those of a real row of the class
            drawn = real[rng.randint(len(real), size=n_new)][:, copied]
            shown = X if self.train_on == "both" else real
            condition, drawn_condition = self._conditions(shown[:, copied], drawn,
                                                          in_class[:, None] if
                                                          self.train_on == "both" else None)
            weights = None
            if self.train_on == "both":  # each class half of an epoch's rows
                weights = np.where(in_class, 1.0 / in_class.sum(), 1.0 / (~in_class).sum())
            generated = np.empty((n_new, X.shape[1]))
            generated[:, copied] = drawn
            generated[:, generated_cols] = self._train_and_generate(
                shown[:, generated_cols], condition, drawn_condition, n_new, seed, weights,
                rows_per_epoch=2 * len(real) if weights is not None else None,
                every=X[:, generated_cols])
            generated = self._make_valid(generated, real, X, skip=set(copied.tolist()))
            if self.assess_quality:
                from bond_default.samplers.gan_quality import assess

                self.quality_ = assess(real, generated,
                                       getattr(self, "feature_names_in_", None), seed,
                                       year_positions=years, every=X,
                                       copied_positions=copied)
            new_rows.append(generated.astype(original.dtype))
            new_labels.append(np.full(n_new, label, dtype=y.dtype))
        return np.vstack(new_rows), np.concatenate(new_labels)

    def _copied_positions(self, X: np.ndarray, years: np.ndarray) -> np.ndarray:
        """Columns taken from real rows rather than generated: the year-level ones and, with
        ``discrete_columns="from_real"``, every column of at most ``max_levels`` levels in the
        training rows."""
        if self.discrete_columns != "from_real":
            return years
        discrete = [column for column in range(X.shape[1])
                    if len(np.unique(X[:, column])) <= self.max_levels]
        copied = np.union1d(years, np.asarray(discrete, dtype=int)).astype(int)
        names = getattr(self, "feature_names_in_", None)
        taken = [str(names[c]) if names is not None else f"x{c}"
                 for c in discrete if c not in set(years.tolist())]
        if taken:
            log.info("%s: %d discrete column(s) taken as one combination from a real row, "
                     "not generated (discrete_columns=from_real): %s", self.loss.upper(),
                     len(taken), ", ".join(taken))
        if len(copied) == X.shape[1]:
            raise ValueError(
                f"every column has at most max_levels={self.max_levels} levels or is "
                "year-level, so discrete_columns=from_real would only copy real rows; set "
                "sampler.discrete_columns=snapped or one_hot, or a smaller sampler.max_levels")
        return copied

    @staticmethod
    def _conditions(shown_years: np.ndarray, drawn_years: np.ndarray, is_class=None):
        """Standardised year-level values (and the class as +-1) of the rows the GAN learns
        from and of the rows it generates; ``(None, None)`` when there is no condition."""
        parts, drawn_parts = [], []
        if shown_years.shape[1]:
            center, scale = shown_years.mean(axis=0), shown_years.std(axis=0)
            scale[scale == 0] = 1.0
            parts.append((shown_years - center) / scale)
            drawn_parts.append((drawn_years - center) / scale)
        if is_class is not None:
            parts.append(np.where(is_class, 1.0, -1.0))
            drawn_parts.append(np.ones((len(drawn_years), 1)))
        if not parts:
            return None, None
        return np.hstack(parts), np.hstack(drawn_parts)

    def _train_and_generate(self, rows: np.ndarray, condition: np.ndarray | None,
                            drawn_condition: np.ndarray | None, n_new: int, seed: int,
                            weights=None, rows_per_epoch=None, every=None) -> np.ndarray:
        import torch

        from bond_default.classifiers.lean_trainer import (
            history_stream,
            lean_trainer,
            one_torch_thread,
            shuffled_batches,
        )
        from bond_default.samplers.tabular_gan import TabularGAN

        coding = RowCoding(rows, rows if every is None else every,
                           self.max_levels if self.discrete_columns == "one_hot" else 0)
        tensors = [torch.as_tensor(coding.encode(rows), dtype=torch.float32)]
        width = 0
        if condition is not None:
            tensors.append(torch.as_tensor(condition, dtype=torch.float32))
            width = condition.shape[1]
        gan = TabularGAN(coding.width, self.latent_dim, tuple(self.generator_sizes),
                         tuple(self.discriminator_sizes), self.loss, self.learning_rate,
                         self.n_critic, condition_dim=width,
                         instance_noise=self.instance_noise, softmax_blocks=coding.blocks)
        shown = rows_per_epoch or len(rows)
        log.info("%s: training on %d rows x %d columns%s for %d epochs, then generating %d "
                 "rows", self.loss.upper(), len(rows), rows.shape[1],
                 f" given {width} condition column(s)" if width else "", self.max_epochs,
                 n_new)
        batch = min(self.batch_size, shown)
        loader = shuffled_batches(tensors, batch, seed, drop_last=shown > batch,
                                  weights=weights, rows_per_epoch=rows_per_epoch)
        from bond_default.classifiers.epoch_metrics import current_listener

        listener = current_listener("oversample")
        stream = [] if listener is None else [history_stream(listener)]
        with one_torch_thread():
            lean_trainer(self.max_epochs, self.progress_bar, stream,
                         description=self.loss.upper()).fit(gan, loader)
        self.curves_streamed_ = listener is not None
        self.gan_ = gan
        self.losses_ = list(gan.history)
        check_finite_losses(self.losses_, f"the {self.loss.upper()} sampler", self.learning_rate)
        given = None if drawn_condition is None else torch.as_tensor(drawn_condition,
                                                                     dtype=torch.float32)
        out = gan.sample(n_new, torch.Generator().manual_seed(seed + 1), given).numpy()
        return coding.decode(out.astype(np.float64))

    def _make_valid(self, rows: np.ndarray, real: np.ndarray, every: np.ndarray,
                    skip=frozenset()) -> np.ndarray:
        return valid_rows(rows, real, every, getattr(self, "feature_names_in_", None),
                          self.max_levels, skip)


def valid_rows(rows: np.ndarray, real: np.ndarray, every: np.ndarray, feature_names,
               max_levels: int, skip=frozenset()) -> np.ndarray:
    """Generated ``rows`` made valid: discrete columns (at most ``max_levels`` values in
    ``every``, the training rows) snapped to a level that exists, the others clipped to the
    range of ``real`` (the over-sampled class), each one-hot group (``feature_names``
    ``indicator=level``) given exactly one 1; columns in ``skip`` (copied from real rows)
    stay as they are."""
    groups = one_hot_groups(feature_names)
    in_group = set(np.concatenate(groups).tolist()) if groups else set()
    for positions in groups:
        winner = positions[np.argmax(rows[:, positions], axis=1)]
        rows[:, positions] = 0.0
        rows[np.arange(len(rows)), winner] = 1.0
    for column in range(rows.shape[1]):
        if column in in_group or column in skip:
            continue
        levels = np.unique(every[:, column])
        if len(levels) <= max_levels:
            rows[:, column] = levels[nearest_level(rows[:, column], levels)]
        else:
            rows[:, column] = np.clip(rows[:, column], real[:, column].min(),
                                      real[:, column].max())
    return rows
