"""Files read once per process: a run of `train --seeds/--folds` reads its data as the first run
did, as long as the file is unchanged.

Hand-written (functools.cache keys on the arguments alone): the key is the file's resolved path
with its size and modification time, so an edited file is read again.
"""

import functools
import os
from collections.abc import Callable
from pathlib import Path

# How many times the decorated readers read a file, and how many times they answered from memory.
STATS = {"reads": 0, "hits": 0}


def read_once(copy: Callable | None = None) -> Callable:
    """A decorator of `reader(path, ...)`: the result is kept per file (path, size, modification
    time) and further arguments; `copy` makes what each caller gets, so that a caller changing
    it leaves the kept one alone."""

    def decorate(reader: Callable) -> Callable:
        kept: dict = {}

        @functools.wraps(reader)
        def read(path, *args, **kwargs):
            try:
                status = os.stat(path)
            except OSError:  # missing: the reader says so in its own words
                return reader(path, *args, **kwargs)
            key = (
                str(Path(path).resolve()),
                status.st_size,
                status.st_mtime_ns,
                args,
                tuple(sorted(kwargs.items())),
            )
            if key in kept:
                STATS["hits"] += 1
            else:
                STATS["reads"] += 1
                # One entry per file: the older versions of it are dropped.
                for old in [old for old in kept if old[0] == key[0]]:
                    del kept[old]
                kept[key] = reader(path, *args, **kwargs)
            return copy(kept[key]) if copy else kept[key]

        read.cache_clear = kept.clear
        return read

    return decorate
