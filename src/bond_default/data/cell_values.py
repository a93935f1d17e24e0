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

_FULL_WIDTH = str.maketrans("＋－（）％，．", "+-()%,.")  # noqa: RUF001 (the point of it)
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+%?$")
_POINT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+%?$")


def _texts(cells: pd.Series) -> pd.Series:
    """Cells as stripped strings, NA where empty (Arrow strings: vectorized, fast)."""
    cells = cells.astype(object)
    if cells.map(type).eq(bytes).any():  # ARFF's nominal values
        cells = cells.map(lambda v: v.decode() if isinstance(v, bytes) else v)
    texts = cells.where(cells.isna(), cells.astype(str)).astype("string[pyarrow]")
    for wide, narrow in _FULL_WIDTH.items():
        texts = texts.str.replace(chr(wide), chr(narrow), regex=False)
    return texts.str.strip()


def _numbers(values: pd.Series) -> pd.Series:
    """float64 numbers of ``values`` (text or numbers), NaN where a cell is no number."""
    parsed = pd.to_numeric(values, errors="coerce")
    return pd.Series(np.asarray(parsed.to_numpy(dtype="float64", na_value=np.nan)),
                     index=values.index)


def _flag(mask: pd.Series) -> pd.Series:
    """A boolean Series without NA (NA = False)."""
    return mask.fillna(False).astype(bool)


def _start(cells: pd.Series, na_values: tuple[str, ...] = ()) -> tuple[
        pd.Series, pd.Series, dict[str, int]]:
    """Texts of the cells, which of them are blank, and the blank markers counted."""
    texts = _texts(cells)
    markers = [m.lower() for m in (*BLANK_MARKERS, *na_values)]
    blanks = texts.isna() | _flag(texts.str.lower().isin(markers))
    marked = texts[blanks & texts.notna()]
    changes = {f"{m!r} -> empty": int(n) for m, n in marked.value_counts().items() if m != ""}
    return texts, blanks, changes


def blank_mask(cells: pd.Series, na_values: tuple[str, ...] = ()) -> pd.Series:
    """Cells that hold no value: NaN, an empty string, or a blank marker."""
    return _start(cells, na_values)[1]


def changed_note(counts: dict[str, int]) -> str:
    """``{"'--' -> empty": 12}`` -> ``"'--' -> empty (12)"``."""
    return "; ".join(f"{what} ({n})" for what, n in counts.items() if n)


def looks_like_comma_decimals(cells: pd.Series) -> bool:
    """Whether most text cells with a fraction part write it ``1,25`` (a decimal comma)."""
    texts = _texts(cells).dropna().head(20_000)
    fractional = texts[_flag(texts.str.match(_COMMA_DECIMAL.pattern)
                             | texts.str.match(_POINT_DECIMAL.pattern))]
    if fractional.empty:
        return False
    return bool(_flag(fractional.str.match(_COMMA_DECIMAL.pattern)).mean() > 0.5)


def read_numbers(cells: pd.Series, *, column: str, origin: str, na_values=(), decimal=".",
                 percent_scale: float = 0.01, advice: str = "") -> tuple[pd.Series, dict]:
    """Numbers of a column; ``36.0%`` becomes ``36.0 * percent_scale``.

    Returns the float64 values and the changes made, counted (blank markers, percent signs,
    decimal commas). A cell that is none of these and no number is an :class:`InputError`.
    """
    all_texts, blanks, changes = _start(cells, na_values)
    numeric = _numbers(cells.where(~blanks))
    if pd.api.types.is_numeric_dtype(cells):
        values = numeric.astype("float64")
        bad = pd.Series(False, index=cells.index)
    else:
        texts = all_texts.where(~blanks)
        is_text = cells.map(lambda v: isinstance(v, (str, bytes))) & ~blanks
        percent = _flag(texts.str.endswith("%"))
        body = texts.str.rstrip("%").str.strip()
        if decimal == ",":
            commas = _flag(body.str.contains(",", regex=False))
            body = body.str.replace(",", ".", regex=False)
            changes["decimal comma read as a point"] = int((commas & is_text).sum())
        parsed = _numbers(body)
        values = numeric.where(~is_text, parsed).astype("float64")
        values = values.where(~percent, values * percent_scale)
        if percent.any():
            example = texts[percent].iloc[0]
            changes[f"percent sign read ({example} -> "
                    f"{float(body[percent].iloc[0]) * percent_scale:g})"] = int(percent.sum())
        bad = values.isna() & ~blanks
    if bad.any():
        example = _texts(cells[bad]).iloc[0]
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
    all_texts, blanks, changes = _start(cells, na_values)
    texts = all_texts.where(~blanks).str.lower()
    values = pd.Series(np.where(_flag(texts.isin(YES_WORDS)), 1.0,
                                np.where(_flag(texts.isin(NO_WORDS)), 0.0, np.nan)),
                       index=cells.index)
    bad = values.isna() & ~blanks
    if bad.any():
        shown = ", ".join(repr(v) for v in pd.unique(all_texts[bad])[:3])
        raise InputError(f"column {column} in {origin} must hold 0/1 values ({meaning}; "
                         f"是/否, Y/N and true/false are read too); found {shown}")
    words = all_texts[~blanks]
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
    all_texts, blanks, changes = _start(cells, na_values)
    texts = all_texts.where(~blanks)
    numeric = _numbers(texts)

    def code(text):
        target = declared.get(text, text)
        return code_of.get(target, int(target) if str(target).isdigit() else np.nan)
    values = numeric.where(numeric.notna(), texts.map(code, na_action="ignore"))
    # pandas 2 leaves pd.NA in an object column here, which astype("float64") refuses
    values = pd.Series(values.to_numpy(dtype="float64", na_value=np.nan), index=values.index)
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
    all_texts, blanks, changes = _start(cells, na_values)
    texts = all_texts.where(~blanks).str.upper().str.replace(" ", "", regex=False)
    code_of = {r: i for i, r in enumerate(RATING_SCALE)}
    short = _flag(texts.isin(["A-1", "A-2", "A-3", "D"]))
    long_letters = texts.where(~short, texts.map(SHORT_TERM_RATINGS, na_action="ignore"))
    numeric = _numbers(texts)
    values = numeric.where(numeric.notna(), long_letters.map(code_of, na_action="ignore"))
    values = values.astype("float64")
    bad = (values.isna() & ~blanks) | (values.notna() & ~values.isin(range(len(RATING_SCALE))))
    if bad.any():
        raise InputError(
            f"column {column} in {origin} has {int(bad.sum())} values that are not ratings "
            f"(e.g. {all_texts[bad].iloc[0]!r}); allowed: {', '.join(RATING_SCALE)}, the "
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
