"""Predict which credit bonds default next year, and compare classifiers and imbalance remedies."""

__version__ = "0.1.0"
