"""Reference fixtures for Deep SVDD's preprocessing and autoencoder pretraining (Ruff et al., ICML 2018).

Writes Tests/Fixtures/svdd/*.json:
- scaling.json: global contrast normalisation with the L1 scale, as Deep-SVDD-PyTorch's
  `global_contrast_normalization(x, scale='l1')` computes it (per image), then min-max scaling
  with the smallest and largest normalised value of the training images (the paper fits them on
  the normal class): `train` and `test` images, `minimum`, `maximum`, `scaled` (the test images).
- autoencoder.json: XADKit's Deep SVDD autoencoder written in PyTorch (the paper's LeNet-type
  encoder; the mirrored decoder: linear to [4, H/4, W/4], leaky ReLU, nearest 2x upsampling,
  5x5 transposed convolutions without bias, batch norm without affine parameters, sigmoid),
  random weights under XADKit's names, an 8 x 8 batch of three (already scaled), the
  reconstruction loss mean_n sum_pixels (x_hat - x)^2 in training mode (batch statistics) and its
  gradients with respect to every weight (autograd).
"""
import torch
import torch.nn.functional as F

from fixtures import write

torch.set_num_threads(2)
torch.manual_seed(0)
AREA = "svdd"


def global_contrast_normalization(x):
    """Deep-SVDD-PyTorch's `global_contrast_normalization(x, scale='l1')`, on one image."""
    x = x - torch.mean(x)
    return x / torch.mean(torch.abs(x))


def scaling():
    train = torch.rand(4, 1, 8, 8)
    test = torch.rand(3, 1, 8, 8) * 0.5 + 0.2
    normalised = torch.stack([global_contrast_normalization(x) for x in train])
    low, high = normalised.min(), normalised.max()
    scaled = torch.stack([(global_contrast_normalization(x) - low) / (high - low) for x in test])
    write(AREA, "scaling", {"train": train.numpy(), "test": test.numpy(), "minimum": float(low),
                            "maximum": float(high), "scaled": scaled.numpy()})


def autoencoder():
    size, rep = 8, 6
    shapes = {"encoder.conv1.weight": (8, 1, 5, 5), "encoder.conv2.weight": (4, 8, 5, 5),
              "encoder.fc.weight": (rep, 4 * (size // 4) ** 2), "decoder.fc.weight": (4 * (size // 4) ** 2, rep),
              "decoder.deconv1.weight": (4, 8, 5, 5), "decoder.deconv2.weight": (8, 1, 5, 5)}
    w = {k: (torch.randn(s) * 0.3).requires_grad_(True) for k, s in shapes.items()}
    x = torch.rand(3, 1, size, size)

    def norm(t):
        return F.batch_norm(t, None, None, training=True, eps=1e-4)

    def leaky(t):
        return F.leaky_relu(t, 0.01)

    h = F.max_pool2d(leaky(norm(F.conv2d(x, w["encoder.conv1.weight"], padding=2))), 2)
    h = F.max_pool2d(leaky(norm(F.conv2d(h, w["encoder.conv2.weight"], padding=2))), 2)
    code = h.flatten(1) @ w["encoder.fc.weight"].T
    g = leaky((code @ w["decoder.fc.weight"].T).view(3, 4, size // 4, size // 4))
    g = F.interpolate(g, scale_factor=2, mode="nearest")
    g = leaky(norm(F.conv_transpose2d(g, w["decoder.deconv1.weight"], padding=2)))
    g = F.interpolate(g, scale_factor=2, mode="nearest")
    reconstruction = torch.sigmoid(F.conv_transpose2d(g, w["decoder.deconv2.weight"], padding=2))
    loss = torch.mean(torch.sum((reconstruction - x) ** 2, dim=(1, 2, 3)))
    gradients = torch.autograd.grad(loss, list(w.values()))
    entries = {"x": x.numpy(), "loss": float(loss.detach()), "names": list(w)}
    entries.update({f"w.{k}": v.detach().numpy() for k, v in w.items()})
    entries.update({f"d.{k}": d.numpy() for k, d in zip(w, gradients)})
    write(AREA, "autoencoder", entries)


if __name__ == "__main__":
    scaling()
    autoencoder()
