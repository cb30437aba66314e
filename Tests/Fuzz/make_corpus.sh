#!/usr/bin/env bash
# Writes the fuzz seed corpora (Tests/Fuzz/corpus/<target>/): small files of our own, copied from
# the committed test fixtures (made by Tools/reference/gen_*.py) or written here. Run from the
# repository root; idempotent. The saved-model seed is made by `xad fit` (see Tests/Fuzz/README.md).
set -euo pipefail
fixtures=Tests/Fixtures
corpus=Tests/Fuzz/corpus
seed() { mkdir -p "$corpus/$1"; cp "$2" "$corpus/$1/$(basename "$2")"; }
text() { mkdir -p "$corpus/$1"; printf '%b' "$3" > "$corpus/$1/$2"; }

for f in rgb8 palette palette_transparent gray16 gray_alpha8 rgba16 bilevel; do seed png "$fixtures/images/$f.png"; done
for f in gray baseline420 progressive; do seed jpeg "$fixtures/images/$f.jpg"; done
for f in gray16_lzw rgb_lzw gray_deflate rgb8_planar gray_miniswhite rgba_deflate; do seed tiff "$fixtures/images/$f.tif"; done
for f in palette4 palette8 rgb24 rgb24_top_down rgba32 bitfields32; do seed bmp "$fixtures/images/$f.bmp"; done
for f in f4 f8 u1 b1 i4 i8 v2 v3 scalar; do seed npy "$fixtures/metrics/npy/$f.npy"; done
for f in eval_stack_global forbidden_global; do seed pickle "$fixtures/weights/$f.pkl"; done
for f in small_zip small_zip_protocol4 crafted_ok offset_out_of_range; do seed torch-zip "$fixtures/weights/$f.pt"; done
for f in small_zip crafted_ok compressed_entry; do seed zip "$fixtures/weights/$f.pt"; done
seed torch-legacy "$fixtures/weights/small_legacy.pt"
for f in small unaligned; do seed safetensors "$fixtures/weights/$f.safetensors"; done
for f in labels_plain labels_compressed; do seed mat "$fixtures/video/$f.mat"; done
seed npy-labels "$fixtures/video/frame_labels.npy"
seed deeppcb-boxes Demo/deeppcb/PCBData/group00041/00041_not/00041000.txt

# The pickles inside the zip checkpoints (data.pkl), protocol 2 and 4.
for f in small_zip small_zip_protocol4; do
    mkdir -p "$corpus/pickle"
    unzip -p "$fixtures/weights/$f.pt" '*/data.pkl' > "$corpus/pickle/$f-data.pkl"
done

text scores-csv images.csv 'file,score,label\na.png,0.9,1\nb.png,0.2,0\nc.png,1e-3,normal\n'
text scores-csv frames.csv 'video,Score,LABEL\n01,0.5,yes\n01,"0.25",no\n02,3.5,anomalous\n'
text ucsd-m ped.m 'TestVideoFile = {};\n%% clips\nTestVideoFile{end+1}.gt_frame = [61:180];\nTestVideoFile{end+1}.gt_frame = [5:90, 140:200];\nTestVideoFile{3}.gt_frame = [1 4 7:9];\n'
text clips-csv ranges.csv 'clip,first,last\n# a bicycle crosses\n01,30,45\nwalk_03,1,12\n01,50,50\n'
seed benchmark-config docs/benchmark/config.yaml
# Grids that pass validation (`path: .` is the scratch file's folder), so the cells get expanded too.
text benchmark-config grid.yaml 'name: g\nimageSize: 64\nseeds: [0, 1]\ndatasets: [{name: d, path: ., traits: {modality: image, content: texture}}]\ndetectors: [all, {name: padim, options: {channels: 10}}]\nexplainers: [grad-cam, {name: occlusion, options: {window: 8}}]\nmeasures: [all]\n'
text benchmark-config anchors.yaml 'name: a\nbase: &base {name: d, path: ., trainImages: 4}\nshort: &short {epochs: 1}\ndatasets:\n  - *base\n  - {<<: *base, name: e, testImages: 2}\n  - {name: v, path: ., traits: {modality: video, content: scene}}\ndetectors: [{name: fastflow, options: *short}, {name: stfpm, options: *short}, all]\nexplainers: [all]\nmeasures: [deletion, insertion]\n'

# The seed model: a tiny autoencoder (no backbone, so loading it stays fast), one epoch on two
# 32 x 32 images, two levels deep so that its bottleneck is 8 x 8: 8.0 KB, where a fit at one level
# on Demo/deeppcb was 14.5 KB (36 training paths, 20 epochs of losses, a 16 x 16 bottleneck). Every
# input's JSON record and checksum cost grows with the model's size.
mkdir -p "$corpus/saved-model"
tiny=$(mktemp -d /tmp/xad-seed-XXXX)
mkdir -p "$tiny/normal" "$tiny/abnormal"
for name in a b c; do cp "$fixtures/images/rgb8.png" "$tiny/normal/$name.png"; done
cp "$fixtures/images/palette.png" "$tiny/abnormal/d.png"
"$(swift build -c release --show-bin-path)/xad" fit --detector autoencoder --data "$tiny" --format folder --image-size 32 \
    --options '{"width": 2, "depth": 2, "latent": 2, "epochs": 1}' --quiet --out "$corpus/saved-model/autoencoder.xadm"
rm -rf "$tiny"
