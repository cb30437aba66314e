"""Reference SSIM for XADTensor's structuralSimilarity (Tests/Fixtures/ssim/).

scikit-image's `structural_similarity` (Wang et al. 2004) with `full=True`, so each case holds
both the mean SSIM and the per-pixel SSIM map (uncropped; the mean is taken over the map without
its border of (window - 1) / 2 pixels, as scikit-image does):
  - "gaussian": gaussian_weights=True, sigma=1.5, use_sample_covariance=False (Wang et al.'s
    11 x 11 window, truncate 3.5);
  - "uniform": scikit-image's default 7 x 7 uniform window with the sample covariance.
Filters reflect at the border repeating the edge pixel (scipy.ndimage mode "reflect").

Fixture written: ssim.json with inputs "gray_x", "gray_y" [1, 1, 20, 23] in [0, 1] (data_range 1)
and "rgb_x", "rgb_y" [1, 3, 16, 17] in [-1, 1] (data_range 2, channel_axis 0); per case and
window: "<input>_<window>_map" ([1, C, H, W]) and "<input>_<window>_mean" (a number).
"""
import numpy as np
from skimage.metrics import structural_similarity

import fixtures

rng = np.random.default_rng(20261206)


def pair(shape, low, high):
    x = rng.uniform(low, high, shape).astype(np.float32)
    # y: x blurred by noise and a structural change, so SSIM is far from 0 and from 1.
    y = np.clip(0.7 * x + 0.3 * rng.uniform(low, high, shape), low, high).astype(np.float32)
    y[..., 4:9, 5:12] = low + (high - low) * 0.8
    return x, y


WINDOWS = {
    "gaussian": dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False),
    "uniform": dict(),
}


def main():
    entries = {}
    cases = {"gray": (pair((1, 1, 20, 23), 0.0, 1.0), 1.0), "rgb": (pair((1, 3, 16, 17), -1.0, 1.0), 2.0)}
    for name, ((x, y), data_range) in cases.items():
        entries[f"{name}_x"], entries[f"{name}_y"] = x, y
        for window, settings in WINDOWS.items():
            mean, full = structural_similarity(x[0].astype(np.float64), y[0].astype(np.float64), data_range=data_range,
                                               channel_axis=0, full=True, **settings)
            entries[f"{name}_{window}_map"] = full[None]
            entries[f"{name}_{window}_mean"] = float(mean)
    fixtures.write("ssim", "ssim", entries)


if __name__ == "__main__":
    main()
