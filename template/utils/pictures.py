"""Generated samples as pictures: the one conversion the sample grid, `predict` and the report use.

A GAN's generator ends in tanh, so its samples lie in [-1, 1] whatever the data kind: images
[n, channels, height, width], or table rows whose pixels were scaled to that range.
"""

import numpy as np


def as_pictures(samples: np.ndarray) -> np.ndarray | None:
    """Samples as [n, side, side] grey or [n, height, width, 3] colour arrays in [-1, 1]; None
    for rows that are not square images (a table of other numbers)."""
    if samples.ndim == 4:
        pictures = samples.transpose(0, 2, 3, 1)
        return pictures[..., 0] if pictures.shape[-1] == 1 else pictures
    side = int(round(samples.shape[-1] ** 0.5))
    if samples.ndim != 2 or side * side != samples.shape[-1]:
        return None
    return samples.reshape(len(samples), side, side)


def as_pixels(samples: np.ndarray) -> np.ndarray:
    """Samples in [-1, 1] as uint8 pixel values."""
    return np.round((np.clip(samples, -1, 1) + 1) * 127.5).astype(np.uint8)
