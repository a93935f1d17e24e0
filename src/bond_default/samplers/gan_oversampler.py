"""``sampler=gan`` / ``sampler=wgan_gp``: an imbalanced-learn over-sampler that trains a GAN."""

from __future__ import annotations

import logging
from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from bond_default.errors import check_finite_losses

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


class GANOverSampler(BaseOverSampler):
    """Over-sample the defaulted class with rows drawn from a GAN trained on it alone.

    The GAN (:class:`~bond_default.samplers.tabular_gan.TabularGAN`) is trained by a
    Lightning ``Trainer`` inside ``fit_resample`` on the rows of the class being over-sampled
    (standardised), and generates as many rows as the sampling strategy asks. Generated rows
    are made valid: columns with few levels (categorical, ordinal, binary) are snapped to a
    level that exists, one-hot groups get exactly one 1, and continuous columns are clipped
    to the range of the training rows.

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
        A column with at most this many distinct values is discrete (snapped to its levels).
    progress_bar : bool or None
        Lightning's progress bar; ``None`` shows it only when a person watches (a terminal).
    assess_quality : bool
        Compare generated with real rows after training (:func:`gan_quality.assess`).

    Attributes
    ----------
    losses_ : list of dict
        Generator and discriminator loss per epoch.
    gan_ : TabularGAN
        The trained GAN.
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
    }

    #: Rows the GAN needs to learn anything (BatchNorm needs more than one row per batch).
    min_minority_rows = 4

    def __init__(self, *, sampling_strategy="auto", random_state=None, loss="gan",
                 max_epochs=2000, batch_size=128, latent_dim=32, generator_sizes=(128, 128),
                 discriminator_sizes=(128, 64), learning_rate=2e-4, n_critic=1, max_levels=20,
                 progress_bar=None, assess_quality=True):
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

    def _fit_resample(self, X, y):
        import torch

        rng = check_random_state(self.random_state)
        original = np.asarray(X)
        X = original.astype(np.float64)
        self.losses_ = []
        new_rows, new_labels = [original], [np.asarray(y)]
        for label, n_new in self.sampling_strategy_.items():
            if n_new <= 0:
                continue
            real = X[np.asarray(y) == label]
            seed = int(rng.randint(np.iinfo(np.int32).max))
            torch.manual_seed(seed)
            generated = self._train_and_generate(real, n_new, seed)
            generated = self._make_valid(generated, real, X)
            if self.assess_quality:
                from bond_default.samplers.gan_quality import assess

                self.quality_ = assess(real, generated,
                                       getattr(self, "feature_names_in_", None), seed)
            new_rows.append(generated.astype(original.dtype))
            new_labels.append(np.full(n_new, label, dtype=np.asarray(y).dtype))
        return np.vstack(new_rows), np.concatenate(new_labels)

    def _train_and_generate(self, real: np.ndarray, n_new: int, seed: int) -> np.ndarray:
        import torch

        from bond_default.lean_trainer import lean_trainer, one_torch_thread, shuffled_batches
        from bond_default.samplers.tabular_gan import TabularGAN

        if len(real) < self.min_minority_rows:
            raise ValueError(f"the GAN needs at least {self.min_minority_rows} rows of the "
                             f"class it over-samples, got {len(real)}")
        center, scale = real.mean(axis=0), real.std(axis=0)
        scale[scale == 0] = 1.0
        tensor = torch.as_tensor((real - center) / scale, dtype=torch.float32)
        gan = TabularGAN(tensor.shape[1], self.latent_dim, tuple(self.generator_sizes),
                         tuple(self.discriminator_sizes), self.loss, self.learning_rate,
                         self.n_critic)
        log.info("%s: training on %d rows x %d columns for %d epochs, then generating %d rows",
                 self.loss.upper(), len(real), real.shape[1], self.max_epochs, n_new)
        batch = min(self.batch_size, len(real))
        loader = shuffled_batches((tensor,), batch, seed, drop_last=len(real) > batch)
        with one_torch_thread():
            lean_trainer(self.max_epochs, self.progress_bar).fit(gan, loader)
        self.gan_ = gan
        self.losses_ = list(gan.history)
        check_finite_losses(self.losses_, f"the {self.loss.upper()} sampler", self.learning_rate)
        rows = gan.sample(n_new, torch.Generator().manual_seed(seed + 1)).numpy()
        return rows.astype(np.float64) * scale + center

    def _make_valid(self, rows: np.ndarray, real: np.ndarray, every: np.ndarray) -> np.ndarray:
        """Snap discrete columns to levels of the training rows, clip the others to the range
        of the over-sampled class, and give each one-hot group exactly one 1."""
        # feature_names_in_ is set by imbalanced-learn when the input is a DataFrame.
        groups = one_hot_groups(getattr(self, "feature_names_in_", None))
        in_group = set(np.concatenate(groups).tolist()) if groups else set()
        for positions in groups:
            winner = positions[np.argmax(rows[:, positions], axis=1)]
            rows[:, positions] = 0.0
            rows[np.arange(len(rows)), winner] = 1.0
        for column in range(rows.shape[1]):
            if column in in_group:
                continue
            levels = np.unique(every[:, column])
            if len(levels) <= self.max_levels:
                nearest = np.abs(rows[:, column, None] - levels[None, :]).argmin(axis=1)
                rows[:, column] = levels[nearest]
            else:
                rows[:, column] = np.clip(rows[:, column], real[:, column].min(),
                                          real[:, column].max())
        return rows
