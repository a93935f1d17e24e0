"""Predict which credit bonds default next year, and compare classifiers and imbalance remedies."""

from bond_default.moved_modules import install as _install_moved_modules

__version__ = "0.1.0"

_install_moved_modules()  # models logged before the layout changed still load
