"""Reference fixtures for FCDD: a PyTorch transcription of Liznerski et al.'s code (github.com/liznerski/fcdd,
python/fcdd/training/fcdd.py `__fcdd_loss`, `__supervised_loss`, `__gt_loss`; python/fcdd/models/bases.py
`_receptive_field_map`; python/fcdd/datasets/noise.py `gkern`, `kernel_size_to_std`).

Writes Tests/Fixtures/fcdd/*.json:
- image_loss.json: network outputs phi [4, 1, 5, 5] and labels; the image-level HSC loss and d loss / d phi.
- upsampling_<name>.json: a map [2, 1, h, w], receptive field r, jump j, start s, image size, sigma (null: FCDD's
  default), the upsampled map and (small fields) the kernel; an odd (r 67, j 8, EfficientNet-Lite0's stage2) and an even (r 10, j 4) field.
- pixel_loss.json: phi [3, 1, 4, 4], ground-truth maps [3, 1, 32, 32] (one all normal), r 67, j 8; the
  pixel-level loss on the upsampled pseudo-Huber scores and d loss / d phi.
"""
import numpy as np
import torch
from scipy import signal

from fixtures import write

torch.manual_seed(0)
AREA = "fcdd"


def kernel_size_to_std(k):
    return np.log10(0.45 * k + 1) + 0.25 if k < 32 else 10


def gkern(k, std=None):
    if std is None:
        std = kernel_size_to_std(k)
    if k % 2 == 0:
        gkern1d = signal.windows.gaussian(k - 1, std=std).reshape(k - 1, 1)
        gkern1d = np.insert(gkern1d, (k - 1) // 2, gkern1d[(k - 1) // 2]) / 2
    else:
        gkern1d = signal.windows.gaussian(k, std=std).reshape(k, 1)
    return np.outer(gkern1d, gkern1d)


def receptive_field_map(pixels, r, j, s, image_size, std=None):
    """FCDD's `_receptive_field_map` for square images (pixels: n x h x w) -> n x 1 x H x W."""
    gaus = torch.from_numpy(gkern(r, std)).float()
    pad = (r - 1) // 2
    extra = 0 if (r - 1) % 2 == 0 else 1
    res = torch.nn.functional.conv_transpose2d(
        pixels.unsqueeze(1), gaus.unsqueeze(0).unsqueeze(0), stride=j, padding=0,
        output_padding=image_size - (pixels.shape[-1] - 1) * j - 1 - extra)
    return res[:, :, pad - s:-pad - s, pad - s:-pad - s]


def pseudo_huber(outs):
    return ((outs ** 2) + 1).sqrt() - 1


def supervised_loss(loss, labels):
    loss = loss.reshape(labels.size(0), -1).mean(-1)
    norm = loss[labels == 0]
    anom = (-(((1 - (-loss[labels == 1]).exp()) + 1e-31).log()))
    loss = loss.clone()
    loss[(1 - labels).nonzero().squeeze()] = norm
    loss[labels.nonzero().squeeze()] = anom
    return loss.mean()


def gt_loss(loss, gtmaps):
    norm = (loss * (1 - gtmaps)).view(loss.size(0), -1).mean(-1)
    exclude_complete_nominal_samples = ((gtmaps == 1).view(gtmaps.size(0), -1).sum(-1) > 0)
    anom = torch.zeros_like(norm)
    if exclude_complete_nominal_samples.sum() > 0:
        a = (loss * gtmaps)[exclude_complete_nominal_samples]
        anom[exclude_complete_nominal_samples] = (-(((1 - (-a.view(a.size(0), -1).mean(-1)).exp()) + 1e-31).log()))
    return (norm + anom).mean()


def image_loss():
    phi = (torch.randn(4, 1, 5, 5) * 0.8).requires_grad_(True)
    labels = torch.tensor([0, 1, 0, 1])
    loss = supervised_loss(pseudo_huber(phi), labels)
    (grad,) = torch.autograd.grad(loss, phi)
    write(AREA, "image_loss", {"phi": phi.detach().numpy(), "labels": labels.tolist(), "loss": loss.item(),
                               "dphi": grad.numpy()})


def upsampling(name, r, j, h, image_size, sigma):
    pixels = torch.rand(2, h, h)
    out = receptive_field_map(pixels, r, j, 0, image_size, sigma)
    assert out.shape[-1] == image_size
    entries = {"map": pixels.unsqueeze(1).numpy(), "r": r, "j": j, "s": 0, "image_size": image_size,
               "sigma": sigma, "y": out.numpy()}
    if r < 32:
        entries["kernel"] = gkern(r, sigma)
    write(AREA, f"upsampling_{name}", entries)


def pixel_loss():
    phi = (torch.randn(3, 1, 4, 4) * 0.8).requires_grad_(True)
    gtmaps = torch.zeros(3, 1, 32, 32)
    gtmaps[1, :, 5:14, 8:20] = 1
    gtmaps[2, :, 20:30, 2:9] = 1
    upsampled = receptive_field_map(pseudo_huber(phi)[:, 0], 67, 8, 0, 32)
    loss = gt_loss(upsampled, gtmaps)
    (grad,) = torch.autograd.grad(loss, phi)
    write(AREA, "pixel_loss", {"phi": phi.detach().numpy(), "masks": gtmaps.numpy(), "r": 67, "j": 8,
                               "image_size": 32, "loss": loss.item(), "dphi": grad.numpy()})


if __name__ == "__main__":
    image_loss()
    upsampling("odd", 67, 8, 4, 32, None)
    upsampling("even", 10, 4, 5, 20, 2.0)
    pixel_loss()
