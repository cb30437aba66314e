#!/usr/bin/env bash
# Builds the library documentation: one DocC catalog per public module (Sources/<module>/<module>.docc),
# through swift-docc-plugin, into docs-output/<module>/ (static HTML). DocC warnings fail the build.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(XADTensor XADImage XADModels XADData XADMetrics XADDetect XADExplain XADBench)
rm -rf docs-output
mkdir -p docs-output
for target in "${targets[@]}"; do
  echo "docs: $target" >&2
  swift package --allow-writing-to-directory "docs-output/$target" generate-documentation \
    --target "$target" --output-path "docs-output/$target" --transform-for-static-hosting \
    --hosting-base-path "$target" --warnings-as-errors
done
echo "wrote docs-output/<module>/index.html" >&2
