"""Every column of a file gets a declared role, or the run stops and names it.

Roles: the label, the year, identifiers (``data.id_columns``), dropped columns
(``data.drop_columns``) and indicators. In catalogue mode the indicators are exactly the
catalogue's 51, found by their names or through the header mapping (``data.columns``); in
generic mode every other column is one, except what is never an indicator: an unnamed column
(a saved pandas index), a duplicated header and a year.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from bond_default.data.catalogue import BY_NAME
from bond_default.data.units import split_header_unit
from bond_default.errors import InputError

ROLES = ("indicator", "label", "year", "id", "dropped")
#: Headers that name a year (compared in lower case, units stripped).
YEAR_NAMES = ("year", "years", "yr", "fiscal_year", "report_year", "outcome_year", "年份",
              "年度", "年", "会计年度", "报告期")
_UNNAMED = re.compile(r"^Unnamed: \d+$")


@dataclass
class Column:
    """One column of the file and its role.

    Parameters
    ----------
    position : int
        Position in the file (0 = first column).
    header : str
        The header as the file writes it.
    role : str
        One of :data:`ROLES`.
    name : str, optional
        Indicators: the name the project uses (a catalogue name in catalogue mode).
    header_unit : str, optional
        Unit named in the header's trailing parentheses (``(%)`` -> percent).
    """

    position: int
    header: str
    role: str
    name: str | None = None
    header_unit: str | None = None


@dataclass
class ColumnRoles:
    """Roles of all columns of a file, and the indicator mode that applied."""

    columns: list[Column]
    mode: str
    unused_mapping: list[str] = field(default_factory=list)

    def of_role(self, role: str) -> list[Column]:
        """Columns with ``role``, in file order."""
        return [c for c in self.columns if c.role == role]

    def one(self, role: str) -> Column | None:
        """The column with ``role`` (label, year), if there is one."""
        found = self.of_role(role)
        return found[0] if found else None


def _position(headers: list[str], wanted: str) -> int | None:
    """Where ``wanted`` is: the exact header, else the header without its unit."""
    wanted = str(wanted).strip()
    for i, header in enumerate(headers):
        if header == wanted:
            return i
    for i, header in enumerate(headers):
        if split_header_unit(header)[0] == wanted:
            return i
    return None


def _quoted(names) -> str:
    names = list(names)
    shown = ", ".join(repr(n) for n in names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def assign_roles(headers: list[str], *, origin: str, label: str | None, year: str | None,
                 id_columns=(), drop_columns=(), mapping: dict | None = None,
                 indicators: str = "auto", options: dict[str, str],
                 optional: tuple[str, ...] = ()) -> ColumnRoles:
    """Give every header a role; role mistakes and undeclared columns are InputErrors.

    Parameters
    ----------
    headers : list of str
        The header row as written.
    origin : str
        The file, for messages.
    label, year : str, optional
        Headers of the 0/1 label and of the outcome year.
    id_columns, drop_columns : sequence of str
        Headers carried along (identifiers) and headers ignored.
    mapping : dict, optional
        File header -> indicator name (a catalogue name in catalogue mode).
    indicators : {"auto", "catalogue", "generic"}
        Catalogue mode takes the mapped catalogue indicators only; generic takes every
        column without another role; auto is catalogue when any column is a catalogue name.
    options : dict
        Names of the settings in messages (``id``, ``drop``, ``columns``, ``label``, ``year``).
    optional : tuple of str
        Roles whose header may be absent (scoring: ``label``, ``year``).
    """
    seen: dict[str, int] = {}
    for i, header in enumerate(headers):
        if header in seen and not _UNNAMED.match(header):
            raise InputError(f"{origin} has the header {header!r} twice (columns "
                             f"{seen[header] + 1} and {i + 1}); rename or remove one of them")
        seen.setdefault(header, i)
    mapping = {str(k).strip(): str(v).strip() for k, v in dict(mapping or {}).items()}

    declared: dict[int, Column] = {}

    def declare(wanted: str, role: str, option: str) -> None:
        position = _position(headers, wanted)
        if position is None:
            if role in optional:
                return
            shown = ", ".join(map(repr, headers[:8])) + (" ..." if len(headers) > 8 else "")
            raise InputError(f"{origin} has no column {wanted!r} ({option}); its columns are "
                             f"{shown}")
        if position in declared:
            other = declared[position]
            raise InputError(f"{option} names {wanted!r}, which is already the {other.role} "
                             f"column; a column has one role")
        declared[position] = Column(position, headers[position], role)

    if label is not None:
        declare(label, "label", options["label"])
    if year is not None:
        declare(year, "year", options["year"])
    for header in id_columns or ():
        declare(header, "id", options["id"])
    for header in drop_columns or ():
        declare(header, "dropped", options["drop"])

    mapped: dict[int, str] = {}
    unused: list[str] = []
    for source, target in mapping.items():
        position = _position(headers, source)
        if position is None:
            unused.append(source)
            continue
        if position in declared:
            raise InputError(f"{options['columns']} maps {source!r} onto {target!r}, but "
                             f"{source!r} is the {declared[position].role} column; a column "
                             "has one role")
        mapped[position] = target

    names: dict[int, str] = {}
    for i, header in enumerate(headers):
        if i in declared:
            continue
        stripped = split_header_unit(header)[0]
        names[i] = mapped.get(i, stripped if stripped in BY_NAME else header)
    mode = indicators
    if mode == "auto":
        mode = "catalogue" if any(n in BY_NAME for n in names.values()) else "generic"
    if mode == "catalogue":
        for source, target in mapping.items():
            if target not in BY_NAME:
                close = difflib.get_close_matches(target, list(BY_NAME), n=1)
                raise InputError(f"{options['columns']} maps {source!r} onto {target!r}, which "
                                 "is not a catalogue indicator"
                                 + (f" (did you mean {close[0]}?)" if close else ""))
        indicator_positions = [i for i, n in names.items() if n in BY_NAME]
    else:
        indicator_positions = list(names)
    undeclared = [i for i in names if i not in indicator_positions]
    for i in indicator_positions + undeclared:
        _refuse_non_indicator(headers[i], i, origin, options)
    if undeclared:
        raise InputError(
            f"{origin} has {len(undeclared)} column(s) with no declared role: "
            f"{_quoted(headers[i] for i in undeclared)}; declare each as an identifier "
            f"({options['id']}) or ignored ({options['drop']})"
            + ("" if optional else f", the year ({options['year']}) or the label "
               f"({options['label']}), or map it onto a catalogue indicator in "
               f"{options['columns']}"))

    by_target: dict[str, int] = {}
    for i in indicator_positions:
        target = names[i]
        if target in by_target:
            raise InputError(f"{origin} has two columns for the indicator {target!r}: "
                             f"{headers[by_target[target]]!r} and {headers[i]!r}; map only one "
                             f"of them ({options['columns']}) and drop the other "
                             f"({options['drop']})")
        by_target[target] = i
    for i in indicator_positions:
        declared[i] = Column(i, headers[i], "indicator", names[i],
                             split_header_unit(headers[i])[1])
    return ColumnRoles([declared[i] for i in sorted(declared)], mode, unused)


def _refuse_non_indicator(header: str, i: int, origin: str, options: dict[str, str]) -> None:
    """An unnamed column (a saved pandas index) and a year are never indicators."""
    if _UNNAMED.match(header):
        raise InputError(
            f"column {i + 1} of {origin} has no header ({header!r}): most likely a pandas "
            "index saved with the file (save it with index=False); otherwise give it a header, "
            f"or ignore it with {options['drop']}")
    if split_header_unit(header)[0].strip().lower() in YEAR_NAMES:
        raise InputError(f"column {header!r} in {origin} looks like a year, and a year is never "
                         f"an indicator; declare it with {options['year']} (or ignore it with "
                         f"{options['drop']})")
