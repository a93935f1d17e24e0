"""The GAN of the paper (and WGAN-GP) as a Lightning module over tabular rows."""

from __future__ import annotations

import math

import pytorch_lightning as pl
import torch
from torch import nn

LOSSES = ("gan", "wgan_gp")


def _generator(latent_dim: int, sizes: tuple[int, ...], n_features: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = latent_dim
    for size in sizes:
        layers += [nn.Linear(width, size), nn.LeakyReLU(0.2), nn.BatchNorm1d(size)]
        width = size
    layers.append(nn.Linear(width, n_features))
    return nn.Sequential(*layers)


def _discriminator(n_features: int, sizes: tuple[int, ...]) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_features
    for size in sizes:
        layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
        width = size
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


class TabularGAN(pl.LightningModule):
    """Generator (dense + LeakyReLU + BatchNorm blocks, dense output) vs discriminator.

    Parameters
    ----------
    n_features : int
        Width of a row.
    latent_dim : int
        Size of the noise vector the generator starts from.
    generator_sizes, discriminator_sizes : tuple of int
        Widths of the hidden dense layers.
    loss : {"gan", "wgan_gp"}
        ``gan``: the non-saturating binary cross-entropy game (the paper);
        ``wgan_gp``: Wasserstein loss with gradient penalty (Yao et al. 2022, the paper's [5]).
    learning_rate : float
        Adam learning rate of both networks.
    n_critic : int
        Discriminator steps per generator step (5 is usual for WGAN-GP).
    gp_weight : float
        Weight of the gradient penalty (WGAN-GP only).
    condition_dim : int
        Width of a condition vector given to both networks with every row (a conditional
        GAN): the generator draws rows given the condition, the discriminator judges a row
        together with it. 0: unconditional, as the paper.
    instance_noise : float
        Standard deviation of Gaussian noise added to every row the discriminator judges,
        real and generated alike, in every epoch (instance noise, Sønderby et al. 2017;
        Arjovsky and Bottou 2017): the discriminator cannot tell rows apart by details finer
        than the noise, and the generator's best answer is still the real rows'
        distribution. On the default market's 284 defaulted rows 0.3 (the rows are on the
        scale of standard scores) made generated rows harder to tell from real ones than
        the same noise falling to 0 by the last epoch did (README). 0: none, as the paper.
    softmax_blocks : sequence of (start, width)
        Spans of the row that are one-hot codes of a discrete column: the generator's
        output there goes through a Gumbel-softmax (temperature 0.2, as CTGAN), so that
        generated codes are nearly one-hot like the real ones. Empty: every output is a
        plain number, as the paper.

    Attributes
    ----------
    history : list of dict
        Per epoch, the mean generator and discriminator losses (the paper's Fig. 3); the
        generator's is missing from epochs in which it did not train (``n_critic`` > 1).
    """

    def __init__(self, n_features: int, latent_dim: int = 32,
                 generator_sizes: tuple[int, ...] = (128, 128),
                 discriminator_sizes: tuple[int, ...] = (128, 64), loss: str = "gan",
                 learning_rate: float = 2e-4, n_critic: int = 1,
                 gp_weight: float = 10.0, condition_dim: int = 0,
                 instance_noise: float = 0.0, softmax_blocks=()) -> None:
        super().__init__()
        if loss not in LOSSES:
            raise ValueError(f"loss={loss!r}; allowed: {LOSSES}")
        self.automatic_optimization = False
        self.latent_dim = latent_dim
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.condition_dim = condition_dim
        self.instance_noise = float(instance_noise)
        self.softmax_blocks = [(int(a), int(w)) for a, w in softmax_blocks]
        self.generator = _generator(latent_dim + condition_dim, tuple(generator_sizes),
                                    n_features)
        self.discriminator = _discriminator(n_features + condition_dim,
                                            tuple(discriminator_sizes))
        self.history: list[dict[str, float]] = []
        self._g_losses: list[torch.Tensor] = []
        self._d_losses: list[torch.Tensor] = []
        self._critic_steps = 0

    def configure_optimizers(self):
        betas = (0.5, 0.9) if self.loss == "wgan_gp" else (0.5, 0.999)
        from bond_default.classifiers.lean_trainer import adam

        return (adam(self.generator.parameters(), self.learning_rate, betas=betas),
                adam(self.discriminator.parameters(), self.learning_rate, betas=betas))

    def sample(self, n: int, generator: torch.Generator | None = None,
               condition: torch.Tensor | None = None) -> torch.Tensor:
        """``n`` generated rows (generator in evaluation mode, no gradients), each given its
        row of ``condition`` (``n`` x ``condition_dim``) when the GAN is conditional."""
        self.generator.eval()
        with torch.no_grad():
            z = torch.randn(n, self.latent_dim, generator=generator)
            return self._generate(self._with(z, condition))

    def _generate(self, z: torch.Tensor) -> torch.Tensor:
        rows = self.generator(z)
        if not self.softmax_blocks:
            return rows
        parts, last = [], 0
        for start, width in self.softmax_blocks:
            parts += [rows[:, last:start], nn.functional.gumbel_softmax(
                rows[:, start:start + width], tau=0.2, dim=1)]
            last = start + width
        parts.append(rows[:, last:])
        return torch.cat(parts, dim=1)

    def _with(self, rows: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
        if self.condition_dim == 0:
            return rows
        if condition is None or condition.shape != (rows.shape[0], self.condition_dim):
            raise ValueError(f"a conditional GAN needs a condition of {self.condition_dim} "
                             "values per row")
        return torch.cat([rows, condition], dim=1)

    def _gradient_penalty(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        alpha = torch.rand(real.shape[0], 1)
        mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        grads = torch.autograd.grad(self.discriminator(mixed).sum(), mixed, create_graph=True)[0]
        return ((grads.norm(2, dim=1) - 1) ** 2).mean()

    def _noisy(self, rows: torch.Tensor) -> torch.Tensor:
        if not self.instance_noise:
            return rows
        return rows + self.instance_noise * torch.randn_like(rows)

    def training_step(self, batch, batch_idx):
        real, condition = (batch[0], batch[1]) if len(batch) > 1 else (batch[0], None)
        opt_g, opt_d = self.optimizers()
        n = real.shape[0]
        # One generator pass per step: the discriminator learns on it detached, the
        # generator then learns through it (as DCGAN's reference training loop does). A
        # generated row is given the condition of the real row it stands beside.
        generated = self._with(self._noisy(self._generate(
            self._with(torch.randn(n, self.latent_dim), condition))), condition)
        real = self._with(self._noisy(real), condition)
        fake = generated.detach()
        if self.loss == "gan":
            logits = self.discriminator(torch.cat([real, fake]))
            target = torch.cat([torch.ones(n, 1), torch.zeros(n, 1)])
            d_loss = nn.functional.binary_cross_entropy_with_logits(logits, target)
        else:
            # the condition is the same in a real-fake pair, so the mix keeps it
            d_loss = (self.discriminator(fake).mean() - self.discriminator(real).mean()
                      + self.gp_weight * self._gradient_penalty(real, fake))
        opt_d.zero_grad(set_to_none=True)
        self.manual_backward(d_loss)
        opt_d.step()

        self._critic_steps += 1
        if self._critic_steps % self.n_critic == 0:
            scores = self.discriminator(generated)
            if self.loss == "gan":
                g_loss = nn.functional.binary_cross_entropy_with_logits(
                    scores, torch.ones(n, 1))
            else:
                g_loss = -scores.mean()
            opt_g.zero_grad(set_to_none=True)
            self.manual_backward(g_loss)
            opt_g.step()
            self._g_losses.append(g_loss.detach())
        # Per-epoch means are kept here rather than by self.log on every step (20-40% slower).
        self._d_losses.append(d_loss.detach())

    def on_train_epoch_end(self) -> None:
        if self._d_losses:
            # with n_critic > 1 the generator trains in fewer epochs than the discriminator
            losses = {"discriminator_loss": float(torch.stack(self._d_losses).mean())}
            if self._g_losses:
                losses["generator_loss"] = float(torch.stack(self._g_losses).mean())
            self.history.append(losses)
            if not all(math.isfinite(v) for v in losses.values()):
                self.trainer.should_stop = True  # the sampler reports it after fit
        self._g_losses.clear()
        self._d_losses.clear()
