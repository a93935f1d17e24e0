"""The paper's appendix from the MLflow store: ``python -m bond_default.report``.

Styled Table 2 (HTML, Markdown, LaTeX) with the paper's published figures beside it, a
provenance header, and the figures of the grid, each saying which run it comes from.
"""
