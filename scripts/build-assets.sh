#!/usr/bin/env bash
# Bundle the front-end packages from the npm registry into service/static/vendor (served by Flask,
# so the UI works offline). Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=service/static/vendor/bpmn-js
stamp=$vendor/.built-from
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$vendor/bpmn-navigated-viewer.production.min.js" ]; then
  exit 0
fi
if [ ! -d node_modules/bpmn-js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
rm -rf "$vendor"
mkdir -p "$vendor"
cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js "$vendor/"
cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js "$vendor/"
cp -r node_modules/bpmn-js/dist/assets "$vendor/assets"
cp node_modules/bpmn-js/LICENSE "$vendor/LICENSE" 2>/dev/null || true
echo "$want" > "$stamp"
