"""The bench's table: one row per figure, Tocsin next to its peer from the same run, with the target.

Every measurement declares its rows before it starts, so a measurement that cannot run still leaves its
rows in the table, each saying why ("not run: ...").
"""

import math
from dataclasses import dataclass


class NotRun(Exception):
    """A measurement, or a peer of one, that cannot run here; the reason goes in the table."""


@dataclass
class Row:
    measurement: str
    target: str
    tocsin: str = "-"
    peer: str = "-"
    ratio: str = "-"
    met: str = "not run"


class Report:
    def __init__(self):
        self.rows = {}
        self.sizes = []
        self.notes = []

    def expect(self, key, measurement, target):
        self.rows[key] = Row(measurement, target)

    def set(self, key, tocsin="-", peer="-", ratio="-", met=None):
        """Fills a row; `met` is True, False, or None for a figure without a target."""
        row = self.rows[key]
        row.tocsin, row.peer, row.ratio = tocsin, peer, ratio
        row.met = "-" if met is None else ("yes" if met else "NO")

    def peer_not_run(self, key, reason):
        self.rows[key].peer = f"not run: {reason}"

    def not_run(self, keys, reason):
        """Marks the rows still empty among `keys`; rows a measurement filled before failing are kept."""
        for key in keys:
            row = self.rows[key]
            if row.met == "not run":
                row.tocsin = f"not run: {reason}"

    def size(self, text):
        self.sizes.append(text)

    def note(self, text):
        self.notes.append(text)

    def render(self, cores, elapsed):
        header = ("measurement", "tocsin", "peer", "ratio", "target", "met?")
        lines = [header] + [
            (r.measurement, r.tocsin, r.peer, r.ratio, r.target, r.met) for r in self.rows.values()]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

        def format_line(cells):
            return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

        out = [f"Tocsin benchmark: {cores} cores (nproc), {elapsed:.0f} s", ""]
        out.append(format_line(header))
        out.append("-+-".join("-" * width for width in widths))
        out.extend(format_line(line) for line in lines[1:])
        if self.sizes:
            out += ["", "sizes:"] + [f"  {text}" for text in self.sizes]
        if self.notes:
            out += ["", "notes:"] + [f"  {text}" for text in self.notes]
        return "\n".join(out)


# MARK: - Figures


def percentile(values, fraction):
    """Nearest-rank percentile of `values` (any order); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def ms(seconds):
    if seconds is None:
        return "n/a"
    value = seconds * 1000
    return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms"


def rate(per_second):
    return f"{per_second:,.0f}/s" if per_second >= 100 else f"{per_second:.1f}/s"


def mib(kib):
    return "n/a" if kib is None else f"{kib / 1024:.1f} MB"


def times(value):
    return "n/a" if value is None else f"{value:.2f}x"


def share(value):
    return "n/a" if value is None else f"{value * 100:.1f} %"
