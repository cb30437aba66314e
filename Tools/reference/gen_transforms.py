"""Reference outputs for XADImage's tensor transforms and colour maps (Tests/Fixtures/transforms/).

Resize: torchvision.transforms.functional.resize on float32 tensors (which calls
torch.nn.functional.interpolate with align_corners=False and the given antialias flag), for the
nearest, bilinear and bicubic filters, with antialias on and off, shrinking, enlarging and mixed,
gray and RGB, batched and unbatched. Pillow's own "F" (float32) resize is written beside it for
the antialiased filters, to show that the two references agree.

Also: torchvision center_crop (including its zero padding) and normalize; Pillow's RGB -> "L"
conversion (ITU-R 601-2 luma, rounded to 8 bits); matplotlib's jet, turbo, inferno and viridis
colour maps sampled at the centre of each of their 256 entries, at 0 and 1, and through a
Normalize(vmin, vmax).

Fixtures written:
  resize_nearest.json, resize_bilinear.json, resize_bicubic.json
      inputs "rgb" [3,11,14], "gray" [1,40,33], "batch" [2,3,6,5] in [0, 1] and a "cases" list of
      {key, input, height, width, antialias}; each key holds torchvision's output.
  resize_pil.json    Pillow "F" resize of the gray input (keys pil_<filter>_<h>x<w>).
  crop_normalize.json, grayscale.json, colormaps.json (see the functions below).

`python gen_transforms.py --swift-tables` instead prints Sources/XADImage/Drawing/ColorMapTables.swift
(matplotlib's 256-entry turbo, inferno and viridis tables).
"""
import sys

import matplotlib
import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image
from torchvision.transforms import InterpolationMode

import fixtures

torch.set_num_threads(2)
AREA = "transforms"
rng = np.random.default_rng(20261130)

INPUTS = {
    "rgb": rng.random((3, 11, 14), dtype=np.float32),
    "gray": rng.random((1, 40, 33), dtype=np.float32),
    "batch": rng.random((2, 3, 6, 5), dtype=np.float32),
}
# (input, height, width): shrink, enlarge, shrink one axis while enlarging the other, same size.
SIZES = [
    ("rgb", 5, 6), ("rgb", 23, 31), ("rgb", 7, 20), ("rgb", 11, 9),
    ("gray", 9, 7), ("gray", 13, 33), ("gray", 41, 66),
    ("batch", 4, 9),
]
MODES = {
    "nearest": InterpolationMode.NEAREST,
    "bilinear": InterpolationMode.BILINEAR,
    "bicubic": InterpolationMode.BICUBIC,
}


def resize_fixtures():
    for name, mode in MODES.items():
        entries = dict(INPUTS)
        cases = []
        for source, height, width in SIZES:
            for antialias in (True, False):
                key = f"{source}_{height}x{width}_{'aa' if antialias else 'plain'}"
                image = torch.from_numpy(INPUTS[source])
                out = TF.resize(image, [height, width], interpolation=mode, antialias=antialias)
                entries[key] = out.numpy()
                cases.append({"key": key, "input": source, "height": height, "width": width,
                              "antialias": antialias})
        entries["cases"] = cases
        fixtures.write(AREA, f"resize_{name}", entries)


def pil_fixtures():
    gray = Image.fromarray(INPUTS["gray"][0], mode="F")
    entries = {}
    for name, resample in (("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC)):
        for height, width in ((9, 7), (41, 66)):
            entries[f"pil_{name}_{height}x{width}"] = np.asarray(gray.resize((width, height), resample))[None]
    fixtures.write(AREA, "resize_pil", entries)


def crop_normalize_fixtures():
    image = torch.from_numpy(rng.random((3, 7, 10), dtype=np.float32))
    entries = {"image": image.numpy(), "crops": []}
    for height, width in ((4, 5), (5, 6), (9, 12), (7, 3), (2, 2)):
        key = f"crop_{height}x{width}"
        entries[key] = TF.center_crop(image, [height, width]).numpy()
        entries["crops"].append({"key": key, "height": height, "width": width})
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    entries["mean"], entries["std"] = mean, std
    entries["normalized"] = TF.normalize(image, mean, std).numpy()
    fixtures.write(AREA, "crop_normalize", entries)


def grayscale_fixtures():
    pixels = rng.integers(0, 256, size=(6, 9, 3), dtype=np.uint8)
    luma = np.asarray(Image.fromarray(pixels, mode="RGB").convert("L"))
    fixtures.write(AREA, "grayscale", {
        "rgb": pixels.transpose(2, 0, 1).astype(np.float32) / 255,  # [3, H, W] in [0, 1]
        "pil_l": luma[None].astype(np.float32),                       # [1, H, W] in 0...255
    })


def colormap_fixtures():
    centres = (np.arange(256, dtype=np.float32) + 0.5) / 256
    samples = np.concatenate([centres, np.array([0, 1], dtype=np.float32)])
    entries = {"samples": samples}
    ranged = np.linspace(-2, 3, 37, dtype=np.float32)
    entries["ranged_samples"] = ranged
    entries["range"] = [-2.0, 3.0]
    norm = matplotlib.colors.Normalize(vmin=-2, vmax=3)
    for name in ("jet", "turbo", "inferno", "viridis"):
        cmap = matplotlib.colormaps[name]
        entries[name] = cmap(samples)[:, :3].T.copy()                 # [3, count]
        entries[f"{name}_ranged"] = cmap(norm(ranged))[:, :3].T.copy()
    fixtures.write(AREA, "colormaps", entries)


def swift_tables():
    from matplotlib import _cm_listed
    print("// Generated by Tools/reference/gen_transforms.py --swift-tables from matplotlib's _cm_listed.py.")
    print("// inferno and viridis: Nathaniel J. Smith, Stefan van der Walt, Eric Firing (CC0).")
    print("// turbo: Anton Mikhailov, Google LLC (Apache-2.0).")
    print()
    print("extension ColorMap {")
    for name in ("turbo", "inferno", "viridis"):
        rows = getattr(_cm_listed, f"_{name}_data")
        assert len(rows) == 256
        print(f"    /// matplotlib's `{name}`: 256 RGB triples, row-major.")
        print(f"    static let {name}Table: [Float] = [")
        for start in range(0, 256, 4):
            print("        " + " ".join(f"{r!r}, {g!r}, {b!r}," for r, g, b in rows[start:start + 4]))
        print("    ]")
    print("}")


if __name__ == "__main__" and "--swift-tables" in sys.argv:
    swift_tables()
elif __name__ == "__main__":
    resize_fixtures()
    pil_fixtures()
    crop_normalize_fixtures()
    grayscale_fixtures()
    colormap_fixtures()
