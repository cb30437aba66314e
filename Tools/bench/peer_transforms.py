"""torchvision's `transforms.functional.resize` on the work `xad-benchmarks transforms` times:
a 1x3x1024x1024 float32 tensor resized to 256x256 (bilinear and bicubic with antialias,
bilinear without, nearest), and resize + normalize (mean = std = 0.5) of a batch of 16.
"""
import torch
import torchvision.transforms.functional as TF
from torchvision.transforms import InterpolationMode

from timing import median_seconds

CASES = [("bilinear", InterpolationMode.BILINEAR, True), ("bicubic", InterpolationMode.BICUBIC, True),
         ("bilinear", InterpolationMode.BILINEAR, False), ("nearest", InterpolationMode.NEAREST, False)]


def run():
    torch.set_num_threads(2)
    image = torch.rand(1, 3, 1024, 1024, generator=torch.Generator().manual_seed(0))
    results = {}
    for name, mode, antialias in CASES:
        seconds = median_seconds(lambda: TF.resize(image, [256, 256], interpolation=mode, antialias=antialias))
        results[f"resize_1024_to_256_{name}{'_antialias' if antialias else ''}_ms"] = round(seconds * 1000, 2)
    batch = image.repeat(16, 1, 1, 1)

    def prepare():
        TF.normalize(TF.resize(batch, [256, 256], antialias=True), [0.5] * 3, [0.5] * 3)

    results["preprocess_16x1024_images_per_s"] = round(16 / median_seconds(prepare, repetitions=3), 1)
    return results


if __name__ == "__main__":
    print(run())
