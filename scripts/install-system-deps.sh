#!/usr/bin/env bash
# Debian packages the tests need. Idempotent: installs only what is missing, and only as root.
set -euo pipefail
# postgresql for the tests; chromium and fonts with Vietnamese glyphs for the browser tests;
# poppler-utils (pdftotext, pdftoppm) for checking generated documents; fonts-croscore for Tinos, the
# Times New Roman-metric serif the documents use (Liberation Serif 1.07 has no Vietnamese letters with two marks).
packages=(postgresql chromium fonts-noto-core fonts-liberation fonts-croscore poppler-utils)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
