"""Classifiers of this project (the paper's CNN and FCNN); the others are scikit-learn's."""
