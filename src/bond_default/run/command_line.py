"""Command-line overrides Hydra's lexer cannot read, refused with a sentence before Hydra runs.

Hydra's override grammar takes non-ASCII text only inside quotes, and non-ASCII keys not at all;
unchecked, both end in a ``LexerNoViableAltException``. This module imports nothing heavy, so
``python train.py --help`` stays instant.
"""

from __future__ import annotations

import re
import sys

#: Hydra flags whose next argument is a value, not an override.
_FLAGS_WITH_VALUE = {"-cp", "--config-path", "-cn", "--config-name", "-cd", "--config-dir",
                     "--experimental-rerun", "-i", "--info", "-p", "--package"}
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def unreadable_override(argv: list[str]) -> str | None:
    """The sentence for the first override Hydra's lexer would fail on, or None."""
    skip = False
    for arg in argv:
        if skip or arg.startswith("-"):
            skip = arg in _FLAGS_WITH_VALUE
            continue
        if arg.isascii() or "=" not in arg:
            continue
        key, value = arg.split("=", 1)
        if not key.isascii():
            return (f"Hydra's command line cannot take the non-ASCII key in {arg!r}; put the "
                    "mapping in a YAML file and pass it as data.columns_file=mapping.yaml")
        if not _QUOTED.sub("", value).isascii():
            quoted = re.sub(r"([^\s,\[\]]*[^\x00-\x7f][^\s,\[\]]*)", r'"\1"', value)
            return (f"Hydra's command line reads non-ASCII text only in quotes: write "
                    f"'{key}={quoted}' (the outer single quotes are for the shell), or put the "
                    "setting in a config file")
    return None


def refuse_unreadable_overrides(argv: list[str] | None = None) -> None:
    """Exit with status 2 and one sentence when an override cannot be parsed."""
    sentence = unreadable_override(sys.argv[1:] if argv is None else argv)
    if sentence:
        print(f"[ERROR] - {sentence}", file=sys.stderr)
        raise SystemExit(2)


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
#: The threshold policies other than a fixed number (the files of conf/threshold/).
_THRESHOLD_POLICIES = ("fixed", "max_f1", "cost")


def threshold_overrides(argv: list[str]) -> tuple[list[str], str | None]:
    """``threshold=<number>`` as the config group it stands for, or a sentence refusing it.

    ``threshold`` is a config group (``fixed``, ``max_f1``, ``cost``), and Hydra takes only
    names for a group; ``threshold=0.3`` is rewritten to ``threshold=fixed
    threshold.value=0.3`` (a list of numbers sweeps the value). A list that mixes policies
    with one number keeps the number as ``fixed`` when it is the default 0.5.
    """
    out: list[str] = []
    for arg in argv:
        if not arg.startswith("threshold="):
            out.append(arg)
            continue
        values = arg.split("=", 1)[1].split(",")
        numbers = [v for v in values if _NUMBER.match(v.strip())]
        if not numbers:
            out.append(arg)
        elif len(numbers) == len(values):
            out += ["threshold=fixed", f"threshold.value={','.join(numbers)}"]
        elif len(numbers) == 1 and float(numbers[0]) == 0.5:
            out.append("threshold=" + ",".join("fixed" if v in numbers else v for v in values))
        else:
            return argv, (f"{arg!r} mixes threshold policies with numbers other than 0.5; run "
                          "the policies (" + ", ".join(_THRESHOLD_POLICIES) + ") and the "
                          "numbers (threshold=0.3,0.4) as two commands")
    return out, None


def rewrite_overrides() -> None:
    """Refuse what Hydra cannot read, then rewrite ``threshold=<number>`` in ``sys.argv``."""
    refuse_unreadable_overrides()
    argv, sentence = threshold_overrides(sys.argv[1:])
    if sentence:
        print(f"[ERROR] - {sentence}", file=sys.stderr)
        raise SystemExit(2)
    sys.argv[1:] = argv
