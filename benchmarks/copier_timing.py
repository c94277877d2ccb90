"""Wall time of `copier copy --defaults` and of a `copier update` across one release.

Builds a two-release template history in a temporary git repository (the working template as
v1.0.0, plus a small change as v1.1.0), then times, with the copier command line and median of
several runs: generating (and committing) a project from v1.0.0, and updating that freshly
generated, committed project to v1.1.0 with the command Renovate runs. The last line reads
`copy_s=<x> update_s=<y>`.

    python benchmarks/copier_timing.py [--repeats 5]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.template_history import TemplateHistory, generate, renovate_update  # noqa: E402


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "template").mkdir()
        history = TemplateHistory(root / "template")
        history.release("v1.0.0")
        history.append("template/README.md.jinja", "\nA line added by the next release.\n")
        history.release("v1.1.0")

        copies, updates = [], []
        for repeat in range(args.repeats):
            project = root / f"project-{repeat}"
            copies.append(timed(lambda project=project: generate(history, project, "v1.0.0")))
            updates.append(timed(lambda project=project: renovate_update(project, "v1.1.0")))

        print(f"{'step':<8}{'median s':>10}{'min s':>8}{'max s':>8}")
        for name, times in (("copy", copies), ("update", updates)):
            print(f"{name:<8}{statistics.median(times):>10.2f}{min(times):>8.2f}{max(times):>8.2f}")
        print(f"copy_s={statistics.median(copies):.2f} update_s={statistics.median(updates):.2f}")


if __name__ == "__main__":
    main()
