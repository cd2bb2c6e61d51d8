"""Where a run's seconds go: a py-spy profile folded into a tree of the project's own functions.

py-spy samples the running process from outside, so it barely slows it down and its shares are those of a normal
run (cProfile inflates Python-heavy code several times over). Record the pipeline's path, then fold the samples:

    py-spy record --rate 50 --format raw --output /tmp/p.txt -- \\
        python -m benchmarks.pipeline --projects 100000 --workdir /tmp/w --result /tmp/w/r.json
    python -m benchmarks.profile_tree /tmp/p.txt --rate 50

Each line of the tree is a function of ``zgc_pipeline`` with the seconds spent in it and below (inclusive), under
the function that called it; the library and interpreter frames in between are left out. Then the leaves: the
functions, of any package, that were on top of the stack most often. Threads that never enter the project (an
idle progress-bar monitor, for one) are left out of both.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = "zgc_pipeline/"
# "function (path/to/file.py:123)" as py-spy writes a frame
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<path>[^()]*?):(?P<line>\d+)\)$")


@dataclass
class Profile:
    """Samples folded by stack: inclusive samples per path of project frames, and samples per leaf frame."""

    tree: Counter[tuple[str, ...]] = field(default_factory=Counter)
    leaves: Counter[str] = field(default_factory=Counter)
    total: int = 0


def frame_name(frame: str) -> tuple[str, bool]:
    """``function file.py`` (the file without its folders) and whether the frame is the project's own."""
    match = _FRAME.match(frame)
    if match is None:
        return frame, False
    path = match["path"]
    return f"{match['function']} {path.rsplit('/', 1)[-1]}", PROJECT in path


def fold(lines: Iterable[str], *, depth: int) -> Profile:
    """Fold py-spy's raw lines (``frame;frame;… count``, outermost frame first) up to ``depth`` project frames."""
    profile = Profile()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        names = [frame_name(frame) for frame in stack.split(";")]
        own = [name for name, project in names if project]
        if not own:
            continue
        samples = int(count)
        profile.total += samples
        profile.leaves[names[-1][0]] += samples
        for level in range(1, min(len(own), depth) + 1):
            profile.tree[tuple(own[:level])] += samples
    return profile


def render(profile: Profile, *, rate: float, at_least: float, leaves: int) -> list[str]:
    """The tree (paths with at least ``at_least`` seconds, each under its caller, the slowest first) and the top
    ``leaves``."""
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path, samples in profile.tree.items():
        if samples / rate >= at_least:
            children.setdefault(path[:-1], []).append(path)
    lines = [f"{profile.total / rate:8.1f} s sampled in the project's threads"]

    def below(parent: tuple[str, ...]) -> None:
        for path in sorted(children.get(parent, []), key=lambda p: (-profile.tree[p], p)):
            lines.append(f"{profile.tree[path] / rate:8.1f}  {'  ' * (len(path) - 1)}{path[-1]}")
            below(path)

    below(())
    lines.append("leaves (on top of the stack):")
    lines += [f"{samples / rate:8.1f}  {name}" for name, samples in profile.leaves.most_common(leaves)]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("raw", type=Path, help="py-spy record --format raw output")
    parser.add_argument("--rate", type=float, default=100.0, help="the --rate py-spy sampled at (default 100)")
    parser.add_argument("--depth", type=int, default=5, help="project frames shown below a stage (default 5)")
    parser.add_argument("--min", type=float, default=0.5, dest="at_least", help="seconds a line needs (default 0.5)")
    parser.add_argument("--leaves", type=int, default=25, help="how many leaf functions to list (default 25)")
    args = parser.parse_args(argv)
    with args.raw.open(encoding="utf-8") as lines:
        profile = fold(lines, depth=args.depth)
    print("\n".join(render(profile, rate=args.rate, at_least=args.at_least, leaves=args.leaves)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
