"""Image codec fixtures: small files of every kind XADImage decodes, plus the pixels an independent
decoder reads from them.

Writes Tests/Fixtures/images/<name>.<ext> (each at most a few kB) and Tests/Fixtures/images/decoded.json:
{"<file>": {"width", "height", "channels", "bitDepth", "samples": [interleaved row-major]}}.
Pillow writes and decodes the 8-bit and 16-bit gray files; for 16-bit colour (which Pillow lacks) a
minimal PNG writer here and tifffile write the files and the written arrays are the reference. Also writes hostile files (gigantic and zero-size headers) that
the decoders must refuse.
"""
import io
import json
import struct
import zlib

import numpy as np
import tifffile
from PIL import Image, PngImagePlugin

from fixtures import FIXTURES

FOLDER = FIXTURES / "images"
WIDTH, HEIGHT = 13, 7          # odd sizes catch row-padding and stride mistakes
JPEG_WIDTH, JPEG_HEIGHT = 29, 17  # several 8x8 blocks with partial ones at the edges


def natural(height, width, channels, depth=8, seed=0):
    """Smooth gradients plus noise: compressible like a photo, with every channel different."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    planes = []
    for c in range(channels):
        wave = 0.5 + 0.35 * np.sin(x / (2.0 + c) + y / (3.0 + c) + c)
        planes.append(np.clip(wave + rng.normal(0, 0.05, (height, width)), 0, 1))
    array = np.stack(planes, axis=-1)
    maximum = 255 if depth == 8 else 65535
    return np.round(array * maximum).astype(np.uint8 if depth == 8 else np.uint16)


def entry(array, depth):
    array = np.asarray(array)
    if array.ndim == 2:
        array = array[:, :, None]
    height, width, channels = array.shape
    return {"width": width, "height": height, "channels": channels, "bitDepth": depth,
            "samples": [int(v) for v in array.reshape(-1)]}


def pillow_pixels(path):
    """What Pillow decodes, in XADImage's channel convention (palette -> RGB/RGBA or gray)."""
    image = Image.open(path)
    if image.mode == "I;16":
        return entry(np.array(image), 16)
    if image.mode == "P":
        palette = np.array(image.getpalette()).reshape(-1, 3)
        if "transparency" in image.info:
            image = image.convert("RGBA")
        elif (palette[:, 0] == palette[:, 1]).all() and (palette[:, 1] == palette[:, 2]).all():
            image = image.convert("L")
        else:
            image = image.convert("RGB")
    elif image.mode == "1":
        image = image.convert("L")
    return entry(np.array(image), 8)


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def gamma_info(gamma, srgb=False):
    """PNG text chunks that tag a file with a gAMA (gamma x 100000) and optionally an sRGB chunk."""
    info = PngImagePlugin.PngInfo()
    info.add(b"gAMA", struct.pack(">I", gamma))
    if srgb:
        info.add(b"sRGB", b"\x00")
    return info


def sixteen_bit_png(array):
    """A 16-bit RGB or RGBA PNG: big-endian samples, filter 0 on every row, one zlib stream."""
    height, width, channels = array.shape
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in array)
    header = struct.pack(">IIBBBBB", width, height, 16, 2 if channels == 3 else 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(rows, 9))
            + png_chunk(b"IEND", b""))


def crafted_png(width, height):
    """A PNG whose IHDR claims width x height (valid CRCs) with one tiny IDAT."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + png_chunk(b"IEND", b""))


def crafted_bmp(width, height):
    """A 24-bit BMP header claiming width x height with no pixel data."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info), 0, 0, 14 + len(info)) + info


def top_down_bmp(path_in, path_out):
    """Rewrites a bottom-up 24-bit BMP as top-down: negative height, rows reversed."""
    data = bytearray(path_in.read_bytes())
    offset = struct.unpack_from("<I", data, 10)[0]
    width, height = struct.unpack_from("<ii", data, 18)
    stride = (width * 24 + 31) // 32 * 4
    rows = [data[offset + r * stride: offset + (r + 1) * stride] for r in range(height)]
    struct.pack_into("<i", data, 22, -height)
    data[offset:offset + stride * height] = b"".join(reversed(rows))
    path_out.write_bytes(bytes(data))


def bmp_file(info, palette, pixels):
    """A BMP from a DIB header, palette bytes and packed rows."""
    offset = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + palette + pixels


def four_bit_bmp(width, height):
    """A 4-bit palette BMP (Pillow reads but does not write these): 16 colours, packed nibbles."""
    palette = b"".join(struct.pack("<BBBB", (17 * i) % 256, (53 * i) % 256, (97 * i) % 256, 0) for i in range(16))
    stride = (width * 4 + 31) // 32 * 4
    rows = bytearray()
    for row in range(height):
        line = bytearray(stride)
        for x in range(width):
            index = (x * 3 + row * 5) % 16
            line[x // 2] |= index << (4 if x % 2 == 0 else 0)
        rows += line
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 4, 0, len(rows), 2835, 2835, 16, 0)
    return bmp_file(info, palette, bytes(rows))


def bitfields_bmp(rgba):
    """A 32-bit BI_BITFIELDS BMP with a V4 header and an alpha mask (bottom-up BGRA rows)."""
    height, width, _ = rgba.shape
    pixels = rgba[::-1][:, :, [2, 1, 0, 3]].tobytes()
    info = struct.pack("<IiiHHIIiiII", 108, width, height, 1, 32, 3, len(pixels), 2835, 2835, 0, 0)
    info += struct.pack("<IIII", 0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000) + b"sRGB" + bytes(48)
    return bmp_file(info, b"", pixels)


def main():
    FOLDER.mkdir(parents=True, exist_ok=True)
    decoded = {}
    rgb = natural(HEIGHT, WIDTH, 3)
    rgba = natural(HEIGHT, WIDTH, 4, seed=1)
    gray = natural(HEIGHT, WIDTH, 1, seed=2)[:, :, 0]
    gray_alpha = natural(HEIGHT, WIDTH, 2, seed=3)
    gray16 = natural(HEIGHT, WIDTH, 1, depth=16, seed=4)[:, :, 0]

    pillow_files = {
        "gray8.png": (Image.fromarray(gray, "L"), {}),
        "gray_alpha8.png": (Image.fromarray(gray_alpha, "LA"), {}),
        "rgb8.png": (Image.fromarray(rgb, "RGB"), {}),
        "rgba8.png": (Image.fromarray(rgba, "RGBA"), {}),
        "palette.png": (Image.fromarray(rgb, "RGB").quantize(16), {}),
        "palette_transparent.png": (Image.fromarray(rgb, "RGB").quantize(16), {"transparency": 3}),
        "bilevel.png": (Image.fromarray(gray > 128), {}),
        "gray16.png": (Image.fromarray(gray16), {}),
        "rgb_uncompressed.tif": (Image.fromarray(rgb, "RGB"), {"compression": "raw"}),
        "rgb_lzw.tif": (Image.fromarray(rgb, "RGB"), {"compression": "tiff_lzw"}),
        "gray_deflate.tif": (Image.fromarray(gray, "L"), {"compression": "tiff_adobe_deflate"}),
        "rgba_deflate.tif": (Image.fromarray(rgba, "RGBA"), {"compression": "tiff_adobe_deflate"}),
        "gray16_lzw.tif": (Image.fromarray(gray16), {"compression": "tiff_lzw"}),
        "rgb24.bmp": (Image.fromarray(rgb, "RGB"), {}),
        "gray8.bmp": (Image.fromarray(gray, "L"), {}),
        "palette8.bmp": (Image.fromarray(rgb, "RGB").quantize(16), {}),
        "bilevel.bmp": (Image.fromarray(gray > 128), {}),
        "rgba32.bmp": (Image.fromarray(rgba, "RGBA"), {}),
    }
    jpeg_rgb = Image.fromarray(natural(JPEG_HEIGHT, JPEG_WIDTH, 3, seed=5), "RGB")
    jpeg_gray = Image.fromarray(natural(JPEG_HEIGHT, JPEG_WIDTH, 1, seed=6)[:, :, 0], "L")
    pillow_files.update({
        "baseline420.jpg": (jpeg_rgb, {"quality": 90}),
        "baseline444.jpg": (jpeg_rgb, {"quality": 95, "subsampling": 0}),
        "progressive.jpg": (jpeg_rgb, {"quality": 85, "progressive": True}),
        "gray.jpg": (jpeg_gray, {"quality": 90}),
    })
    for name, (image, options) in pillow_files.items():
        path = FOLDER / name
        image.save(path, **options)
        decoded[name] = pillow_pixels(path)

    top_down_bmp(FOLDER / "rgb24.bmp", FOLDER / "rgb24_top_down.bmp")
    (FOLDER / "palette4.bmp").write_bytes(four_bit_bmp(WIDTH, HEIGHT))
    (FOLDER / "bitfields32.bmp").write_bytes(bitfields_bmp(rgba))
    for name in ("rgb24_top_down.bmp", "palette4.bmp", "bitfields32.bmp"):
        decoded[name] = pillow_pixels(FOLDER / name)

    # 16-bit colour (Pillow has none): a minimal PNG writer here, tifffile for deflate TIFF.
    rgb16 = natural(HEIGHT, WIDTH, 3, depth=16, seed=7)
    rgba16 = natural(HEIGHT, WIDTH, 4, depth=16, seed=8)
    rgba16[:, :, 3] = np.linspace(40000, 65535, WIDTH * HEIGHT).reshape(HEIGHT, WIDTH).astype(np.uint16)
    for name, array in {"rgb16.png": rgb16, "rgba16.png": rgba16}.items():
        (FOLDER / name).write_bytes(sixteen_bit_png(array))
        decoded[name] = entry(array, 16)
    tifffile.imwrite(FOLDER / "rgb16_deflate.tif", rgb16, photometric="rgb", compression="zlib")
    tifffile.imwrite(FOLDER / "rgb8_planar.tif", rgb.transpose(2, 0, 1), photometric="rgb", planarconfig="separate")
    tiled = natural(21, 37, 3, depth=16, seed=9)  # 3 x 2 tiles of 16 x 16, the edge ones clipped
    tifffile.imwrite(FOLDER / "rgb16_tiled.tif", tiled, photometric="rgb", tile=(16, 16), compression="zlib")
    tifffile.imwrite(FOLDER / "gray8_tiled_planar.tif", natural(21, 37, 2, seed=10).transpose(2, 0, 1),
                     photometric="minisblack", planarconfig="separate", extrasamples=["unassalpha"],
                     tile=(16, 16))
    tifffile.imwrite(FOLDER / "gray_miniswhite.tif", gray, photometric="miniswhite")
    decoded["rgb16_deflate.tif"] = entry(tifffile.imread(FOLDER / "rgb16_deflate.tif"), 16)
    decoded["rgb16_tiled.tif"] = entry(tifffile.imread(FOLDER / "rgb16_tiled.tif"), 16)
    decoded["gray8_tiled_planar.tif"] = entry(tifffile.imread(FOLDER / "gray8_tiled_planar.tif").transpose(1, 2, 0), 8)
    decoded["gray_miniswhite.tif"] = pillow_pixels(FOLDER / "gray_miniswhite.tif")  # Pillow inverts MinIsWhite
    decoded["rgb8_planar.tif"] = entry(tifffile.imread(FOLDER / "rgb8_planar.tif").transpose(1, 2, 0), 8)

    # A gray ramp tagged with gamma 1.0 and an sRGB-tagged copy: Pillow ignores the tags.
    ramp = (np.arange(WIDTH * HEIGHT) * 2).astype(np.uint8).reshape(HEIGHT, WIDTH)
    Image.fromarray(ramp).save(FOLDER / "gamma_linear.png", pnginfo=gamma_info(100000))
    Image.fromarray(rgb).save(FOLDER / "srgb_tagged.png", pnginfo=gamma_info(45455, srgb=True))
    for name in ("gamma_linear.png", "srgb_tagged.png"):
        decoded[name] = pillow_pixels(FOLDER / name)

    # Hostile headers: the decoders must refuse these before allocating pixels.
    (FOLDER / "huge.png").write_bytes(crafted_png(100000, 100000))
    (FOLDER / "zero_size.png").write_bytes(crafted_png(0, 0))
    (FOLDER / "huge.bmp").write_bytes(crafted_bmp(100000, 100000))
    (FOLDER / "zero_size.bmp").write_bytes(crafted_bmp(0, 0))
    jpeg = io.BytesIO()
    jpeg_gray.save(jpeg, format="JPEG")
    jpeg = bytearray(jpeg.getvalue())
    start_of_frame = jpeg.index(b"\xff\xc0")
    struct.pack_into(">HH", jpeg, start_of_frame + 5, 65000, 65000)  # height, width
    (FOLDER / "huge.jpg").write_bytes(bytes(jpeg))
    tifffile.imwrite(FOLDER / "huge_source.tif", gray)  # patched below to claim 100000 x 100000
    tiff = bytearray((FOLDER / "huge_source.tif").read_bytes())
    (FOLDER / "huge_source.tif").unlink()
    (FOLDER / "huge.tif").write_bytes(patch_tiff_size(tiff, 100000, 100000))

    (FOLDER / "decoded.json").write_text(json.dumps(decoded, separators=(",", ":"), sort_keys=True))


def patch_tiff_size(data, width, height):
    """Sets ImageWidth/ImageLength (tags 256/257) of a little-endian TIFF's first directory."""
    directory = struct.unpack_from("<I", data, 4)[0]
    count = struct.unpack_from("<H", data, directory)[0]
    for index in range(count):
        field = directory + 2 + 12 * index
        tag, kind = struct.unpack_from("<HH", data, field)
        if tag in (256, 257):
            value = width if tag == 256 else height
            struct.pack_into("<HHII", data, field, tag, 4, 1, value)  # LONG, one value
    return bytes(data)


if __name__ == "__main__":
    main()
