"""Cells as a file writes them -> numbers: blank markers, percent signs, decimal commas, yes/no
words, level names and rating letters. Every reader returns the numbers and what it changed,
counted, so that the data profile and the log can say it once.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from bond_default.data.catalogue import CATEGORICAL_LEVELS, RATING_SCALE, SHORT_TERM_RATINGS
from bond_default.errors import InputError

#: Cells read as empty (compared after stripping spaces; case-insensitive).
BLANK_MARKERS = ("", "--", "-", "—", "——", "n/a", "na", "nan", "null", "none", "#n/a")

#: Words read as 1 and 0 in binary columns (and the label), compared in lower case.
YES_WORDS = ("1", "1.0", "是", "y", "yes", "true", "t")
NO_WORDS = ("0", "0.0", "否", "n", "no", "false", "f")

_FULL_WIDTH = str.maketrans("＋－（）％，．", "+-()%,.")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+%?$")
_POINT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+%?$")


def _texts(cells: pd.Series) -> pd.Series:
    """Cells as stripped strings (NaN stays NaN; bytes from ARFF are decoded)."""
    def text(value):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return np.nan
        if isinstance(value, bytes):
            value = value.decode()
        return str(value).translate(_FULL_WIDTH).strip()
    return cells.map(text)


def blank_mask(cells: pd.Series, na_values: tuple[str, ...] = ()) -> pd.Series:
    """Cells that hold no value: NaN, an empty string, or a blank marker."""
    markers = {m.lower() for m in (*BLANK_MARKERS, *na_values)}
    texts = _texts(cells)
    return texts.isna() | texts.str.lower().isin(markers)


def _count_markers(cells: pd.Series, blanks: pd.Series) -> dict[str, int]:
    texts = _texts(cells)[blanks & cells.notna()]
    return {m: int(n) for m, n in texts.value_counts().items() if m != ""}


def changed_note(counts: dict[str, int]) -> str:
    """``{"'--' -> empty": 12}`` -> ``"'--' -> empty (12)"``."""
    return "; ".join(f"{what} ({n})" for what, n in counts.items() if n)


def looks_like_comma_decimals(cells: pd.Series) -> bool:
    """Whether most text cells with a fraction part write it ``1,25`` (a decimal comma)."""
    texts = _texts(cells).dropna().head(20_000)
    fractional = texts[texts.str.match(_COMMA_DECIMAL) | texts.str.match(_POINT_DECIMAL)]
    if fractional.empty:
        return False
    return bool(fractional.str.match(_COMMA_DECIMAL).mean() > 0.5)


def read_numbers(cells: pd.Series, *, column: str, origin: str, na_values=(), decimal=".",
                 percent_scale: float = 0.01, advice: str = "") -> tuple[pd.Series, dict]:
    """Numbers of a column; ``36.0%`` becomes ``36.0 * percent_scale``.

    Returns the float64 values and the changes made, counted (blank markers, percent signs,
    decimal commas). A cell that is none of these and no number is an :class:`InputError`.
    """
    blanks = blank_mask(cells, na_values)
    changes = {f"{m!r} -> empty": n for m, n in _count_markers(cells, blanks).items()}
    numeric = pd.to_numeric(cells.where(~blanks), errors="coerce")
    if pd.api.types.is_numeric_dtype(cells):
        values = numeric.astype("float64")
        bad = pd.Series(False, index=cells.index)
    else:
        texts = _texts(cells).where(~blanks)
        is_text = cells.map(lambda v: isinstance(v, (str, bytes))) & ~blanks
        percent = texts.str.endswith("%", na=False)
        body = texts.str.rstrip("%").str.strip()
        if decimal == ",":
            commas = body.str.contains(",", regex=False, na=False)
            body = body.str.replace(",", ".", regex=False)
            changes["decimal comma read as a point"] = int((commas & is_text).sum())
        parsed = pd.to_numeric(body, errors="coerce")
        values = numeric.where(~is_text, parsed).astype("float64")
        values = values.where(~percent, values * percent_scale)
        if percent.any():
            example = texts[percent].iloc[0]
            changes[f"percent sign read ({example} -> "
                    f"{float(body[percent].iloc[0]) * percent_scale:g})"] = int(percent.sum())
        bad = values.isna() & ~blanks
    if bad.any():
        example = _texts(cells)[bad].iloc[0]
        raise InputError(
            f"column {column} in {origin} has {int(bad.sum())} cells that are not numbers "
            f"(e.g. {example!r}); indicators must be numbers"
            + (f" ({advice})" if advice else ""))
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        raise InputError(f"column {column} in {origin} has {int(infinite.sum())} infinite "
                         "values; replace them (e.g. by an empty cell) or remove those rows")
    return values, changes


def read_binary(cells: pd.Series, *, column: str, origin: str, na_values=(),
                meaning: str = "1 = yes") -> tuple[pd.Series, dict]:
    """0/1 from 0/1, 是/否, Y/N, yes/no or true/false; anything else is an InputError."""
    blanks = blank_mask(cells, na_values)
    changes = {f"{m!r} -> empty": n for m, n in _count_markers(cells, blanks).items()}
    texts = _texts(cells).where(~blanks).str.lower()
    values = pd.Series(np.where(texts.isin(YES_WORDS), 1.0,
                                np.where(texts.isin(NO_WORDS), 0.0, np.nan)),
                       index=cells.index)
    bad = values.isna() & ~blanks
    if bad.any():
        shown = ", ".join(repr(v) for v in pd.unique(_texts(cells)[bad])[:3])
        raise InputError(f"column {column} in {origin} must hold 0/1 values ({meaning}; "
                         f"是/否, Y/N and true/false are read too); found {shown}")
    words = _texts(cells)[~blanks]
    for word, n in words[~words.isin(["0", "1", "0.0", "1.0"])].value_counts().items():
        changes[f"{word!r} -> {int(values[words.index[words == word][0]])}"] = int(n)
    return values, changes


def read_levels(cells: pd.Series, name: str, *, column: str, origin: str, levels=None,
                na_values=(), option: str = "data.levels") -> tuple[pd.Series, dict]:
    """Codes of a categorical indicator from codes, catalogue level names or declared names.

    ``levels`` maps a file's level text (公司债) onto a catalogue level name (corporate_bond)
    or code; a text that is neither declared nor a catalogue level name is an InputError.
    """
    catalogue = CATEGORICAL_LEVELS[name]
    code_of = {level: i for i, level in enumerate(catalogue)}
    declared = {str(text).strip(): target for text, target in dict(levels or {}).items()}
    for text, target in declared.items():
        if target not in code_of and not (str(target).isdigit()
                                          and int(target) < len(catalogue)):
            raise InputError(f"{option}.{name} maps {text!r} onto {target!r}, which is not a "
                             f"level of {name}; allowed: {', '.join(catalogue)}")
    blanks = blank_mask(cells, na_values)
    changes = {f"{m!r} -> empty": n for m, n in _count_markers(cells, blanks).items()}
    texts = _texts(cells).where(~blanks)
    numeric = pd.to_numeric(texts, errors="coerce")

    def code(text):
        target = declared.get(text, text)
        return code_of.get(target, int(target) if str(target).isdigit() else np.nan)
    values = numeric.where(numeric.notna(), texts.map(code, na_action="ignore"))
    values = values.astype("float64")
    bad = (values.isna() & ~blanks) | ~values.isin(range(len(catalogue))) & values.notna()
    if bad.any():
        counts = texts[bad].value_counts()
        shown = ", ".join(f"{t!r} ({n} rows)" for t, n in counts.head(4).items())
        advice = (f"declare them in {option}.{name} (onto one of {', '.join(catalogue)}) or "
                  f"give the codes 0-{len(catalogue) - 1}" if option.startswith("data.") else
                  f"the model knows only the levels of its training run ({option})")
        raise InputError(f"column {column} in {origin} has levels that are not declared: "
                         f"{shown}; {advice}")
    for text, n in texts[texts.notna() & numeric.isna()].value_counts().items():
        changes[f"{text!r} -> {int(code(text))}"] = int(n)
    return values, changes


def read_ratings(cells: pd.Series, *, column: str, origin: str, na_values=()) -> tuple[
        pd.Series, dict]:
    """Codes 0 (AAA) ... 18 (C) from rating letters of either Chinese scale, or from codes.

    Short-term ratings (A-1 ... D) are read as the long-term rating of
    :data:`~bond_default.data.catalogue.SHORT_TERM_RATINGS`, counted as a change.
    """
    blanks = blank_mask(cells, na_values)
    changes = {f"{m!r} -> empty": n for m, n in _count_markers(cells, blanks).items()}
    texts = _texts(cells).where(~blanks).str.upper().str.replace(" ", "", regex=False)
    code_of = {r: i for i, r in enumerate(RATING_SCALE)}
    short = texts.isin(["A-1", "A-2", "A-3", "D"])
    long_letters = texts.where(~short, texts.map(SHORT_TERM_RATINGS, na_action="ignore"))
    numeric = pd.to_numeric(texts, errors="coerce")
    values = numeric.where(numeric.notna(), long_letters.map(code_of, na_action="ignore"))
    values = values.astype("float64")
    bad = (values.isna() & ~blanks) | (values.notna() & ~values.isin(range(len(RATING_SCALE))))
    if bad.any():
        raise InputError(
            f"column {column} in {origin} has {int(bad.sum())} values that are not ratings "
            f"(e.g. {_texts(cells)[bad].iloc[0]!r}); allowed: {', '.join(RATING_SCALE)}, the "
            "short-term A-1, A-2, A-3, B, C, D, or the codes 0-18")
    for rating, n in texts[short].value_counts().items():
        changes[f"short-term {rating} read as {SHORT_TERM_RATINGS[rating]}"] = int(n)
    lettered = int((texts.notna() & numeric.isna()).sum())
    if lettered:
        changes["rating letters -> codes 0 (AAA) ... 18 (C)"] = lettered
    return values, changes


def read_label(cells: pd.Series, *, column: str, origin: str) -> tuple[pd.Series, dict]:
    """The 0/1 default label (1/0, 是/否, Y/N, true/false); gaps and other values are refused."""
    values, changes = read_binary(cells, column=f"{column} (the label)", origin=origin,
                                  meaning="1 = defaulted")
    if values.isna().any():
        raise InputError(f"label column {column} in {origin} has {int(values.isna().sum())} "
                         "empty values; every row needs a 0/1 label")
    label = values.astype(int)
    if label.nunique() < 2:
        raise InputError(f"label column {column} in {origin} holds only the class "
                         f"{int(label.iloc[0])}; both defaulted (1) and non-defaulted (0) rows "
                         "are needed")
    return label, changes
