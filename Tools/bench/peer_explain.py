"""Captum and pytorch-grad-cam timings of the work `xad-benchmarks explain` measures: one
256x256 image explained through a PaDiM score on EfficientNet-Lite0.

The score is PaDiM's, built in PyTorch: timm `efficientnet_lite0` features at blocks 1, 2, 4
(anomalib's EfficientNet layers), coarser maps resized (nearest) to the 64x64 grid of blocks.1,
100 seeded channels, per-position Mahalanobis distance with a mean and an inverse covariance
(random here: the timing does not depend on their values; symmetric positive definite), the
square root, bilinear upsampling to 256x256, Gaussian smoothing (sigma 4, 33 taps, reflect
padding) and the maximum as the image score. Random backbone weights: timing only.

  captum_integrated_gradients_50_steps: Captum IntegratedGradients, n_steps=50,
      internal_batch_size=8, black baseline (as XADKit's 8 inputs per pass).
  grad_cam: pytorch-grad-cam GradCAM on blocks.4 (stage3), the score as target.
  captum_saliency: Captum Saliency.
Two threads, median of a few runs after a warm-up; seconds per image. The `_1thread_cpu_seconds`
figures: least process CPU time of a few runs on one thread (as `xad-benchmarks explain`'s).
"""
import json

import timm
import torch
import torch.nn.functional as F
from captum.attr import IntegratedGradients, Saliency
from pytorch_grad_cam import GradCAM

from timing import cpu_seconds, median_seconds

SIZE, CHANNELS, SIGMA = 256, 100, 4.0


class PaDiMScore(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = timm.create_model("efficientnet_lite0", features_only=True, out_indices=(1, 2, 3),
                                          bn_eps=1e-3).eval()
        generator = torch.Generator().manual_seed(0)
        total = sum(self.features.feature_info.channels())
        self.register_buffer("channels", torch.randperm(total, generator=generator)[:CHANNELS].sort().values)
        positions = (SIZE // 4) ** 2
        self.register_buffer("mean", torch.randn(positions, CHANNELS, generator=generator))
        factor = torch.randn(positions, CHANNELS, CHANNELS, generator=generator) / CHANNELS ** 0.5
        self.register_buffer("inverse", factor @ factor.transpose(1, 2) + torch.eye(CHANNELS))
        taps = torch.arange(33, dtype=torch.float32) - 16
        kernel = torch.exp(-taps ** 2 / (2 * SIGMA ** 2))
        self.register_buffer("kernel", (kernel / kernel.sum()))

    def forward(self, x):
        maps = self.features(x)
        grid = maps[0].shape[-2:]
        features = torch.cat([maps[0]] + [F.interpolate(m, size=grid, mode="nearest") for m in maps[1:]], dim=1)
        rows = features[:, self.channels].flatten(2).permute(2, 0, 1)            # [P, N, D]
        centred = rows - self.mean[:, None, :]
        distances = ((centred @ self.inverse) * centred).sum(-1).clamp_min(1e-12).sqrt()   # [P, N]
        patch = distances.T.reshape(x.shape[0], 1, *grid)
        smooth = F.interpolate(patch, size=x.shape[-2:], mode="bilinear", align_corners=False)
        smooth = F.conv2d(F.pad(smooth, (16, 16, 0, 0), mode="reflect"), self.kernel.view(1, 1, 1, -1))
        smooth = F.conv2d(F.pad(smooth, (0, 0, 16, 16), mode="reflect"), self.kernel.view(1, 1, -1, 1))
        return smooth.amax(dim=(1, 2, 3))


def run():
    torch.set_num_threads(2)
    model = PaDiMScore().eval()
    image = torch.rand(1, 3, SIZE, SIZE) * 2 - 1
    ig = IntegratedGradients(model)
    cam = GradCAM(model=model, target_layers=[model.features.blocks[4]])
    saliency = Saliency(model)
    targets = [lambda output: output]
    # key: (body, wall-time repetitions on two threads, CPU-time repetitions on one thread)
    methods = {
        "captum_integrated_gradients_50_steps": (lambda: ig.attribute(image, baselines=-torch.ones_like(image), n_steps=50,
                                                                      internal_batch_size=8), 3, 2),
        "grad_cam": (lambda: cam(input_tensor=image, targets=targets), 5, 4),
        "captum_saliency": (lambda: saliency.attribute(image.clone().requires_grad_(True)), 5, 4),
    }
    results = {f"{key}_seconds_per_image": round(median_seconds(body, repetitions=wall), 3)
               for key, (body, wall, _) in methods.items()}
    torch.set_num_threads(1)
    results |= {f"{key}_1thread_cpu_seconds": round(cpu_seconds(body, repetitions=cpu), 3)
                for key, (body, _, cpu) in methods.items()}
    torch.set_num_threads(2)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
