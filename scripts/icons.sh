#!/usr/bin/env bash
# Regenerates every app icon from the one source image, icons/icon.svg (needs ImageMagick).
set -euo pipefail
cd "$(dirname "$0")/../icons"
for size in 32 128 256 512; do
  convert -background none -density 384 icon.svg -resize "${size}x${size}" "PNG32:${size}x${size}.png"
done
mv 256x256.png 128x128@2x.png
mv 512x512.png icon.png
