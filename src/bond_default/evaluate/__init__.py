"""Judging a fitted model: metrics and calibration, DeLong's test and seed intervals, SHAP
explanations and the figures every run and report draws."""
