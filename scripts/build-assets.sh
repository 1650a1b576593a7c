#!/usr/bin/env bash
# Bundle the front-end packages from the npm registry into service/static/vendor (served by Flask,
# so the UI works offline). Idempotent and quick when nothing changed: a stamp records the sha256
# of package-lock.json and of this script, and npm runs only when the stamp differs.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=service/static/vendor/bpmn-js
stamp=$vendor/.built-from
dist=node_modules/bpmn-js/dist
want=$(cat package-lock.json "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$vendor/bpmn-navigated-viewer.production.min.js" ]; then
  exit 0
fi
# npm ci installs exactly what package-lock.json pins (and fails if package.json disagrees with it);
# skipped when node_modules already holds that lock. Install scripts are not needed and not run.
if [ ! -f "$dist/bpmn-navigated-viewer.production.min.js" ] || ! cmp -s package-lock.json node_modules/.thidua-lock; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.thidua-lock
fi
rm -rf "$vendor"
mkdir -p "$vendor"
cp "$dist/bpmn-navigated-viewer.production.min.js" "$vendor/"
cp -r "$dist/assets" "$vendor/assets"  # diagram-js.css, bpmn-js.css and the bpmn-font
cp node_modules/bpmn-js/LICENSE "$vendor/LICENSE"
echo "$want" > "$stamp"
echo "bpmn-js $(node -p 'require("./node_modules/bpmn-js/package.json").version') bundled into $vendor"
