"""Files read once per process: a run of `train --seeds/--folds` reads its data as the first run
did, as long as the file is unchanged."""

import functools
import os
from collections.abc import Callable
from pathlib import Path


def read_once(copy: Callable | None = None, versions: int = 2) -> Callable:
    """A decorator of `reader(path)`: functools.lru_cache keyed on the file's resolved path, size
    and modification time, so an edited file is read again; the last `versions` are kept. `copy`
    makes what each caller gets, so that a caller changing it leaves the kept one alone. The
    decorated reader has lru_cache's `cache_info()` (misses are reads) and `cache_clear()`."""

    def decorate(reader: Callable) -> Callable:
        @functools.lru_cache(maxsize=versions)
        def kept(resolved: Path, size: int, modified_ns: int, path):
            return reader(path)

        @functools.wraps(reader)
        def read(path):
            try:
                status = os.stat(path)
            except OSError:  # missing: the reader says so in its own words
                return reader(path)
            value = kept(Path(path).resolve(), status.st_size, status.st_mtime_ns, path)
            return copy(value) if copy else value

        read.cache_info, read.cache_clear = kept.cache_info, kept.cache_clear
        return read

    return decorate
