"""Writing a file whole or not at all."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written_whole(path: Path, move_aside: bool = False) -> Iterator[Path]:
    """A temporary path beside `path` to write to, renamed to `path` when the block ends without
    an error and removed when it fails: a reader never sees half a file, and a failed write
    leaves the previous one. The temporary name keeps `path`'s suffix, for writers that choose
    the format by it.

    `move_aside` moves the previous file away before the rename instead of renaming over it: on
    ext4, replacing a file by rename also writes the new one to disk at once, which doubles the
    cost of a large file written again and again (a checkpoint). For an instant `path` is
    missing; its previous content is never lost.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    try:
        yield partial
        if move_aside and os.path.lexists(path):
            previous = path.with_name(f".{path.stem}.{os.getpid()}.previous{path.suffix}")
            os.replace(path, previous)
            os.replace(partial, path)
            previous.unlink()
        else:
            os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
