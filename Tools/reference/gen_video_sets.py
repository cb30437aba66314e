"""Tiny synthetic video data sets in the layouts of CUHK Avenue, ShanghaiTech and the generic clip
folders, for the loaders' tests (no copies of the real sets exist here).

Writes Tests/Fixtures/video_sets/:
  avenue/        training_videos/0N.avi, testing_videos/0N.avi (FFV1, lossless), the CUHK label
                 volumes testing_label_mask/N_label.mat (scipy.io.savemat: a 1 x frames cell
                 `volLabel` of masks, one file zlib-compressed) and MNAD's frame_labels_avenue.npy,
                 which differs from the volumes on one frame as the two published sets do.
  shanghaitech/  training/videos/01_001.mp4 (MPEG-4 part 2), testing/frames/01_00NN/NNN.png,
                 testing/test_frame_mask/01_00NN.npy (0/1 per frame) and test_pixel_mask (frames x H x W).
  clips/         train/ and test/ with a video file and a frame folder each, and labels.csv.
  truncated.avi  ten MJPEG frames cut after about half of them (a video damaged midway).
  video_sets.json  the pixels of three frames of avenue/testing_videos/01.avi and every set's
                 expected frame counts and anomalous frames (0-based).
Needs numpy, scipy and the ffmpeg program.
"""
import shutil
import subprocess

import numpy as np
import scipy.io

from fixtures import FIXTURES, write

HEIGHT, WIDTH = 16, 24
folder = FIXTURES / "video_sets"
shutil.rmtree(folder, ignore_errors=True)


def frames(count, seed):
    """`count` RGB frames that change every frame: a gradient shifted by time and seed."""
    t = np.arange(count)[:, None, None, None]
    y = np.arange(HEIGHT)[None, :, None, None]
    x = np.arange(WIDTH)[None, None, :, None]
    c = np.arange(3)[None, None, None, :]
    return ((t * 29 + x * 7 + y * 11 + c * 60 + seed * 13) % 256).astype(np.uint8)


def ffmpeg(pixels, path, output_options):
    """Encodes RGB `pixels` [frames, H, W, 3] through the ffmpeg program at 25 frames/s."""
    path.parent.mkdir(parents=True, exist_ok=True)
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{WIDTH}x{HEIGHT}", "-r", "25", "-i", "-", "-bitexact", *output_options, str(path)]
    subprocess.run(command, input=pixels.tobytes(), check=True)


def lossless_avi(pixels, path):
    ffmpeg(pixels, path, ["-c:v", "ffv1", "-pix_fmt", "bgr0"])


def frame_folder(pixels, path, first):
    path.mkdir(parents=True, exist_ok=True)
    ffmpeg(pixels, path / "%03d.png", ["-f", "image2", "-start_number", str(first)])


def flags(count, anomalous):
    result = np.zeros(count, dtype=bool)
    result[list(anomalous)] = True
    return result


expected = {}

# CUHK Avenue: 2 training and 2 test videos; clip 01 anomalous in frames 2..4, clip 02 in frame 1.
avenue = folder / "avenue"
avenue_test = {"01": (8, [2, 3, 4]), "02": (6, [1])}
for name, count in [("01", 6), ("02", 5)]:
    lossless_avi(frames(count, seed=int(name)), avenue / "training_videos" / f"{name}.avi")
test_pixels = {}
for index, (name, (count, anomalous)) in enumerate(avenue_test.items()):
    test_pixels[name] = frames(count, seed=10 + index)
    lossless_avi(test_pixels[name], avenue / "testing_videos" / f"{name}.avi")
    masks = np.empty((1, count), dtype=object)
    for frame in range(count):
        mask = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
        if frame in anomalous:
            mask[4:9, 5 + frame:12 + frame] = 1
        masks[0, frame] = mask
    (avenue / "testing_label_mask").mkdir(parents=True, exist_ok=True)
    scipy.io.savemat(avenue / "testing_label_mask" / f"{int(name)}_label.mat", {"volLabel": masks},
                     do_compression=index == 0)
    # The header's text carries the creation time: fix it so that regenerating changes nothing.
    mat = avenue / "testing_label_mask" / f"{int(name)}_label.mat"
    data = bytearray(mat.read_bytes())
    data[:116] = b"MATLAB 5.0 MAT-file, written by Tools/reference/gen_video_sets.py".ljust(116)
    mat.write_bytes(bytes(data))
volume_flags = {name: flags(count, anomalous) for name, (count, anomalous) in avenue_test.items()}
mnad_flags = {name: value.copy() for name, value in volume_flags.items()}
mnad_flags["01"][5] = True  # the published sets disagree: MNAD's labels extend clip 01 by a frame
np.save(avenue / "frame_labels_avenue.npy", np.concatenate(list(mnad_flags.values())).astype(np.int64)[None, :])
expected["avenue_train_counts"] = [6, 5]
expected["avenue_test_counts"] = [count for count, _ in avenue_test.values()]
expected["avenue_volume_anomalous"] = [list(map(int, np.flatnonzero(v))) for v in volume_flags.values()]
expected["avenue_mnad_anomalous"] = [list(map(int, np.flatnonzero(v))) for v in mnad_flags.values()]
for frame in [0, 4, 7]:
    expected[f"avenue_test01_frame{frame}"] = test_pixels["01"][frame].astype(np.float32)

# ShanghaiTech: one training video (lossy MPEG-4 in MP4), two test frame folders numbered from 0.
shanghai = folder / "shanghaitech"
ffmpeg(frames(7, seed=3), shanghai / "training" / "videos" / "01_001.mp4", ["-c:v", "mpeg4", "-q:v", "2"])
shanghai_test = {"01_0014": (5, [1, 2]), "01_0015": (4, [])}
for index, (name, (count, anomalous)) in enumerate(shanghai_test.items()):
    frame_folder(frames(count, seed=20 + index), shanghai / "testing" / "frames" / name, first=0)
    for sub in ["test_frame_mask", "test_pixel_mask"]:
        (shanghai / "testing" / sub).mkdir(parents=True, exist_ok=True)
    np.save(shanghai / "testing" / "test_frame_mask" / f"{name}.npy", flags(count, anomalous).astype(np.int64))
    pixel = np.zeros((count, HEIGHT, WIDTH), dtype=np.uint8)
    for frame in anomalous:
        pixel[frame, 2:6, 3:9] = 1
    np.save(shanghai / "testing" / "test_pixel_mask" / f"{name}.npy", pixel)
expected["shanghaitech_train_counts"] = [7]
expected["shanghaitech_test_counts"] = [count for count, _ in shanghai_test.values()]
expected["shanghaitech_anomalous"] = [anomalous for _, anomalous in shanghai_test.values()]

# Generic clip folders: a video and a frame folder (numbered from 1) in each split.
clips = folder / "clips"
lossless_avi(frames(5, seed=30), clips / "train" / "lobby.avi")
frame_folder(frames(4, seed=31), clips / "train" / "street", first=1)
ffmpeg(frames(9, seed=32), clips / "test" / "night.mp4", ["-c:v", "mpeg4", "-q:v", "2"])
frame_folder(frames(6, seed=33), clips / "test" / "yard", first=1)
(clips / "labels.csv").write_text("clip,first,last\n# a cyclist, then a van\nnight,2,3\nnight,8,9\nyard,6,6\n")
expected["clips_train"] = ["lobby", "street"]
expected["clips_test"] = ["night", "yard"]
expected["clips_test_counts"] = [9, 6]
expected["clips_anomalous"] = [[1, 2, 7, 8], [5]]

# A video damaged midway: ten intra-coded frames, the file cut after about half of them.
truncated = folder / "truncated.avi"
ffmpeg(frames(10, seed=40), truncated, ["-c:v", "mjpeg", "-q:v", "3"])
data = truncated.read_bytes()
truncated.write_bytes(data[: len(data) // 2])

write("video_sets", "video_sets", expected)
