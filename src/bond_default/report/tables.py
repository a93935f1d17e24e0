"""The report's tables: one frame of shown values, rendered as HTML, Markdown and LaTeX.

A :class:`ShownTable` holds what a reader sees (human headers, values to the precision that
means something, the best value per column marked) and renders it three ways: HTML through
pandas' Styler (right-aligned numbers), Markdown through tabulate, and LaTeX through Styler
with booktabs rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CLASSIFIERS = {"cnn": "CNN", "fcnn": "FCNN", "svm": "SVM", "lr": "LR", "gbdt": "GBDT",
               "tabm": "TabM", "scorecard": "Scorecard"}
SAMPLERS = {"gan": "GAN", "wgan_gp": "WGAN-GP", "smote": "SMOTE",
            "borderline": "Borderline-SMOTE", "none": "none", "ctgan": "CTGAN", "tvae": "TVAE"}
#: Test metrics of the results table: (metric, header, higher is better).
METRICS = (("roc_auc", "ROC-AUC", True), ("pr_auc", "PR-AUC", True),
           ("balanced_accuracy", "Balanced accuracy", True), ("recall", "Recall", True),
           ("precision", "Precision", True), ("f1", "F1", True), ("ece", "ECE", False))


def human(kind: str, value) -> str:
    """A classifier's or sampler's display name (``wgan_gp`` -> ``WGAN-GP``)."""
    names = CLASSIFIERS if kind == "classifier" else SAMPLERS
    return names.get(str(value), str(value))


@dataclass
class ShownTable:
    """Shown values with the best cell of each numeric column marked.

    Parameters
    ----------
    values : pandas.DataFrame
        Display strings, human headers; the first ``n_text`` columns are labels.
    best : pandas.DataFrame
        Same shape: True where the value is the best of its column.
    n_text : int
        Leading label columns (left-aligned); the rest are numbers (right-aligned).
    """

    values: pd.DataFrame
    best: pd.DataFrame
    n_text: int

    def html(self, uuid: str) -> str:
        """An HTML table (pandas Styler): numbers right-aligned, the best in bold."""
        styles = [{"selector": "td, th", "props": "text-align: right; padding: 3px 10px;"},
                  {"selector": "thead th", "props": "border-bottom: 1px solid #444;"}]
        styles += [{"selector": f".col{i}", "props": "text-align: left;"}
                   for i in range(self.n_text)]
        styler = (self.values.style.hide(axis="index").set_uuid(uuid)
                  .set_table_styles(styles)
                  .apply(lambda _: np.where(self.best, "font-weight: bold;", ""), axis=None))
        return styler.to_html()

    def markdown(self) -> str:
        """A Markdown table: the best in bold, empty cells where there is no value."""
        shown = self.values.where(~self.best, "**" + self.values + "**")
        shown = shown.where(self.values != "", "")
        align = ["left"] * self.n_text + ["right"] * (self.values.shape[1] - self.n_text)
        return shown.to_markdown(index=False, colalign=align)

    def latex(self, caption: str, label: str) -> str:
        """A LaTeX table with booktabs rules, best in bold, scaled to the text width (its
        columns of mean ± interval are wider than a page): ``\\usepackage{booktabs}`` and
        ``\\usepackage{graphicx}``."""
        shown = self.values.map(_latex_text)
        shown.columns = [_latex_text(c) for c in shown.columns]
        best = self.best.set_axis(shown.columns, axis=1)
        styler = (shown.style.hide(axis="index")
                  .apply(lambda _: np.where(best, "textbf:--rwrap;", ""), axis=None))
        latex = styler.to_latex(hrules=True, caption=_latex_text(caption), label=label,
                                position_float="centering",
                                column_format="l" * self.n_text
                                + "r" * (shown.shape[1] - self.n_text))
        return (latex.replace("\\begin{tabular}", "\\resizebox{\\linewidth}{!}{%\n"
                              "\\begin{tabular}", 1)
                .replace("\\end{tabular}\n", "\\end{tabular}%\n}\n", 1))


def _latex_text(text: str) -> str:
    text = str(text)
    for plain, latex in (("\\", "\\textbackslash{}"), ("&", "\\&"), ("%", "\\%"),
                         ("_", "\\_"), ("#", "\\#"), ("±", "$\\pm$"), ("< ", "$<$ ")):
        text = text.replace(plain, latex)
    return text


def _best_mask(numbers: pd.DataFrame, higher: dict[str, bool]) -> pd.DataFrame:
    """True at each column's best value (ties all marked; a column of one value not)."""
    mask = pd.DataFrame(False, index=numbers.index, columns=numbers.columns)
    for column, up in higher.items():
        values = numbers[column].astype(float)
        if values.notna().sum() < 2:
            continue
        target = values.max() if up else values.min()
        mask[column] = np.isclose(values, target) & values.notna()
    return mask


def results_table(cells: pd.DataFrame) -> ShownTable:
    """Table 2: the test metrics of each classifier x sampler.

    One seed: each cell's values (4 decimals) and DeLong's p against CNN + GAN. Several
    seeds: mean ± half-width of the 95% t-interval over the FINISHED seeds, the seeds' count,
    and DeLong's median p with how many seeds had p < 0.05. The best mean is marked.
    """
    from bond_default.evaluate.significance import format_p, seed_summary

    done = cells[cells["status"] == "FINISHED"]
    seeds = done["seed"].nunique() > 1
    names = [m for m, _, _ in METRICS if m in cells]
    higher = {header: up for m, header, up in METRICS if m in cells}
    headers = {m: header for m, header, _ in METRICS}
    rows, numbers = [], []
    if seeds:
        for r in seed_summary(cells, metrics=names).to_dict("records"):
            row = {"Classifier": human("classifier", r["classifier"]),
                   "Sampler": human("sampler", r["sampler"]), "Seeds": str(r["seeds"])}
            for m in names:
                mean, low = r[f"{m}_mean"], r[f"{m}_ci_low"]
                row[headers[m]] = ("" if pd.isna(mean) else f"{mean:.4f}" if pd.isna(low)
                                   else f"{mean:.4f} ± {mean - low:.4f}")
            p = r.get("delong_p_median")
            row["DeLong p vs CNN + GAN"] = ("" if p is None or pd.isna(p) else
                                            f"{format_p(p)} ({r['delong_p_below_05']} < 0.05)")
            rows.append(row)
            numbers.append({headers[m]: r[f"{m}_mean"] for m in names})
    else:
        for r in cells.to_dict("records"):
            row = {"Classifier": human("classifier", r["classifier"]),
                   "Sampler": human("sampler", r["sampler"])}
            if r["status"] != "FINISHED":
                row["Sampler"] += f" ({r['status']})"
            for m in names:
                row[headers[m]] = "" if pd.isna(r.get(m)) else f"{r[m]:.4f}"
            row["DeLong p vs CNN + GAN"] = format_p(r.get("delong_p"))
            rows.append(row)
            numbers.append({headers[m]: r.get(m) for m in names})
    values = pd.DataFrame(rows)
    best = _best_mask(pd.DataFrame(numbers), higher).reindex(columns=values.columns,
                                                             fill_value=False)
    return ShownTable(values, best, 3 if seeds else 2)


def paper_table() -> ShownTable:
    """The paper's published Table 2 (Wind data), in its own block."""
    from bond_default.report.paper import table_2

    paper = table_2()
    values = pd.DataFrame({
        "Classifier": paper["classifier"].map(lambda v: human("classifier", v)),
        "Sampler": paper["sampler"].map(lambda v: human("sampler", v)),
        "Accuracy": paper["paper_accuracy"].map("{:.4f}".format),
        "Precision": paper["paper_precision"].map("{:.4f}".format),
        "Recall": paper["paper_recall"].map("{:.4f}".format),
        "'AUC' (balanced accuracy)": paper["paper_auc_balanced_accuracy"].map("{:.4f}".format)})
    numbers = paper[["paper_accuracy", "paper_precision", "paper_recall",
                     "paper_auc_balanced_accuracy"]].set_axis(values.columns[2:], axis=1)
    best = _best_mask(numbers, dict.fromkeys(numbers.columns, True))
    return ShownTable(values, best.reindex(columns=values.columns, fill_value=False), 2)


#: Row counts of each run: (metric, header).
COUNTS = (("n_train", "Training rows"), ("n_train_defaulted", "Training defaulted"),
          ("n_fit", "Fitted rows (resampled)"), ("n_fit_defaulted", "Fitted defaulted"),
          ("n_test", "Test rows"), ("n_test_defaulted", "Test defaulted"))


def counts_table(cells: pd.DataFrame) -> ShownTable:
    """Each run: its cell, seed, status, run id and row counts before and after resampling."""
    values = pd.DataFrame({
        "Classifier": cells["classifier"].map(lambda v: human("classifier", v)),
        "Sampler": cells["sampler"].map(lambda v: human("sampler", v)),
        "Seed": cells["seed"].astype(str), "Status": cells["status"],
        "Run": cells["run_id"].str[:8]})
    for metric, header in COUNTS:
        values[header] = cells[metric].map(lambda v: "" if pd.isna(v) else f"{int(v):,}") \
            if metric in cells else ""
    return ShownTable(values.reset_index(drop=True),
                      pd.DataFrame(False, index=range(len(values)), columns=values.columns), 5)


#: Quality of the generated rows: (metric suffix, header, better: "low", "high" or None).
QUALITY = (("c2st_auc", "Two-sample AUC (0.5 ideal)", "low"), ("ks_mean", "Mean KS", "low"),
           ("memorized_share", "Near-copies", None),
           ("memorized_share_real", "Near-copies among real rows", None),
           ("spread_ratio", "Spread vs real", None),
           ("year_consistency", "Year-consistent", "high"))


def quality_table(cells: pd.DataFrame, prefix: str = "sampler_") -> ShownTable | None:
    """Per over-sampler, the mean quality of its generated rows over the runs that have it
    (each run trains its own sampler); None when no run has a quality report."""
    present = [(s, h, b) for s, h, b in QUALITY if f"{prefix}{s}" in cells]
    if not present:
        return None
    have = cells[cells[f"{prefix}{present[0][0]}"].notna()]
    if have.empty:
        return None
    rows, numbers = [], []
    for sampler, group in have.groupby("sampler", sort=False):
        row = {"Sampler": human("sampler", sampler), "Runs": str(len(group))}
        number = {}
        for suffix, header, _ in present:
            mean = group[f"{prefix}{suffix}"].astype(float).mean()
            share = suffix in ("memorized_share", "memorized_share_real", "year_consistency")
            row[header] = "" if pd.isna(mean) else (f"{100 * mean:.0f}%" if share
                                                    else f"{mean:.3f}")
            number[header] = mean
        rows.append(row)
        numbers.append(number)
    values = pd.DataFrame(rows)
    best = _best_mask(pd.DataFrame(numbers), {h: b == "high" for _, h, b in present if b})
    return ShownTable(values, best.reindex(columns=values.columns, fill_value=False), 2)
