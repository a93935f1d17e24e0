"""The embedded synthetic market as a data source (``data=synthetic``)."""

from __future__ import annotations

from bond_default.data.dataset import BondData
from bond_default.data.validation import validate_table
from bond_default.errors import InputError


class SyntheticSource:
    """Generate the synthetic bond market and apply the missing-value policy.

    Parameters
    ----------
    n_bonds : int
        Bonds generated before rows with gaps are removed (the paper: 26,561).
    seed : int
        Seed of the generator.
    missing : {"drop", "impute"}
        ``drop`` removes rows with gaps, as the paper did.
    """

    def __init__(self, n_bonds: int = 26_561, seed: int = 0, missing: str = "drop") -> None:
        self.n_bonds = n_bonds
        self.seed = seed
        self.missing = missing

    def load(self) -> BondData:
        """Generate the market; the ground truth of default drivers rides along."""
        from bond_default.data.synthetic import generate_market

        if int(self.n_bonds) < 200:
            raise InputError(f"data.n_bonds={self.n_bonds} is too small; use at least 200 "
                             "bonds so that some default")
        frame, drivers = generate_market(n_bonds=int(self.n_bonds), seed=int(self.seed))
        return validate_table(frame, source="the synthetic market", name="synthetic",
                              label="default", year="year", missing=self.missing,
                              indicators="catalogue", true_drivers=drivers)
