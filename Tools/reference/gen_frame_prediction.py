"""Frame-prediction and per-frame references: Liu et al.'s gradient loss and intensity loss, the
PSNR-based normalised score (Eq. 8), and temporal smoothing of frame scores
(scipy.ndimage.gaussian_filter1d, mode "mirror", truncate 4).

Writes Tests/Fixtures/video/frame_prediction.json. Needs numpy and scipy only (the loss is
written out in numpy exactly as the authors' TensorFlow `gradient_loss` computes it with alpha 1,
reduced by the mean).
"""
import numpy as np
import scipy.ndimage

from fixtures import write

rng = np.random.default_rng(2018)
prediction = rng.uniform(-1, 1, size=(2, 1, 5, 6)).astype(np.float32)
target = rng.uniform(-1, 1, size=(2, 1, 5, 6)).astype(np.float32)


def gradient_loss(p, t):
    # |∂x| and |∂y| by neighbour differences (the authors' [-1, 1] filters without padding).
    px, tx = np.abs(np.diff(p, axis=3)), np.abs(np.diff(t, axis=3))
    py, ty = np.abs(np.diff(p, axis=2)), np.abs(np.diff(t, axis=2))
    return np.mean(np.abs(px - tx)) + np.mean(np.abs(py - ty))


intensity = np.mean((prediction - target) ** 2)
mse = rng.uniform(1e-4, 1e-2, size=12)
psnr = 10 * np.log10(1 / mse)
normalised = 1 - (psnr - psnr.min()) / (psnr.max() - psnr.min())
scores = rng.uniform(0, 1, size=40).astype(np.float32)
scores[18:24] += 2

write("video", "frame_prediction", {
    "prediction": prediction,
    "target": target,
    "intensity_loss": float(intensity),
    "gradient_loss": float(gradient_loss(prediction.astype(np.float64), target.astype(np.float64))),
    "mse": mse.astype(np.float32),
    "normalised_scores": normalised.astype(np.float32),
    "scores": scores,
    "smoothed_sigma3": scipy.ndimage.gaussian_filter1d(scores.astype(np.float64), 3, mode="mirror", truncate=4.0).astype(np.float32),
    "short_scores": scores[:5],
    "short_smoothed_sigma3": scipy.ndimage.gaussian_filter1d(scores[:5].astype(np.float64), 3, mode="mirror", truncate=4.0).astype(np.float32),
})
