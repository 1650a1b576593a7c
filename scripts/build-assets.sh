#!/usr/bin/env bash
# Bundle the front-end packages from the npm registry into service/static/vendor (served by Flask,
# so the UI works offline). Idempotent and quick when nothing changed: a stamp records the sha256
# of package-lock.json and of this script, and npm runs only when the stamp differs.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=service/static/vendor/bpmn-js
stamp=$vendor/.built-from
dist=node_modules/bpmn-js/dist
modeler=service/static/vendor/modeler
want=$(cat package-lock.json "$0" service/static/src/modeler.js | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$vendor/bpmn-navigated-viewer.production.min.js" ] \
  && [ -f "$modeler/modeler.js" ]; then
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
# The modeler (bpmn-js Modeler + properties panel + our "Thi đua" group) is bundled by esbuild from
# service/static/src/modeler.js; its CSS is copied next to it, with every package's licence.
rm -rf "$modeler"
mkdir -p "$modeler"
node_modules/.bin/esbuild service/static/src/modeler.js --bundle --minify --format=iife \
  --target=es2020 --legal-comments=none --log-level=warning --outfile="$modeler/modeler.js" \
  --metafile=node_modules/.thidua-modeler-meta.json
cp node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css "$modeler/"
# LICENSES.txt: the licence of every npm package that went into the bundle (from esbuild's metafile).
node -e '
  const fs = require("fs"), path = require("path");
  const inputs = Object.keys(JSON.parse(fs.readFileSync("node_modules/.thidua-modeler-meta.json")).inputs);
  const pkgs = [...new Set(inputs.map((f) => (f.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/) || [])[1]).filter(Boolean))].sort();
  for (const pkg of pkgs) {
    const dir = path.join("node_modules", pkg), meta = require("./" + path.join(dir, "package.json"));
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    console.log(`=== ${pkg} ${meta.version} (${meta.license})\n`);
    console.log(file ? fs.readFileSync(path.join(dir, file), "utf8") : `License: ${meta.license}`);
  }
' > "$modeler/LICENSES.txt"
echo "$want" > "$stamp"
echo "bpmn-js $(node -p 'require("./node_modules/bpmn-js/package.json").version') bundled into $vendor"
