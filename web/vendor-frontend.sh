#!/usr/bin/env bash
# Vendor the browser-side code the web app and its tests use, from the npm registry, into the repository:
#   GOV.UK Frontend -> web/civic_web/static/govuk-frontend/<version>/ (CSS compiled with the council's font, JS, LICENSE)
#   axe-core        -> tests/browser/axe/ (axe.min.js and its LICENSE, for the browser tests)
# Run it (with the machine's node and npm) when changing a version below, then commit what it wrote.
# GOV.UK Frontend's version must be the one govuk-frontend-jinja's macros target (web/pyproject.toml; web/README.md).
set -euo pipefail

GOVUK_FRONTEND_VERSION="${GOVUK_FRONTEND_VERSION:-6.3.0}"
SASS_VERSION="${SASS_VERSION:-1.108.2}"
AXE_CORE_VERSION="${AXE_CORE_VERSION:-4.14.1}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC="$ROOT/web/civic_web/static/govuk-frontend"
AXE="$ROOT/tests/browser/axe"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
# --ignore-scripts: nothing of the packages runs here but the Sass compiler below
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION" "axe-core@$AXE_CORE_VERSION" >/dev/null

# GOV.UK Frontend: compiled from its Sass with a system font stack (GDS Transport's licence is for GOV.UK
# only, so neither the font nor its @font-face is shipped); its JavaScript and licence as published.
TARGET="$STATIC/$GOVUK_FRONTEND_VERSION"
rm -rf "$STATIC"
mkdir -p "$TARGET"
npx --no-install sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
  "$ROOT/web/styles/govuk-frontend.scss" "$TARGET/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$TARGET/"
# The npm package ships no licence file: its package.json says MIT and its README's Licence section says
# what that covers, so the licence goes beside the code as the package states it, with the MIT terms.
LICENCE_SECTION="$(sed -n '/^## Licence/,/^## /p' node_modules/govuk-frontend/README.md | sed '$d')"
[[ "$(node -p 'require("./node_modules/govuk-frontend/package.json").license')" == MIT ]] \
  || { echo "govuk-frontend is no longer MIT-licensed: check its licence before vendoring" >&2; exit 1; }
cat > "$TARGET/LICENSE.txt" <<LICENCE
GOV.UK Frontend $GOVUK_FRONTEND_VERSION (npm package govuk-frontend, "license": "MIT")

$LICENCE_SECTION

The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE
if grep -q "GDS Transport" "$TARGET/govuk-frontend.min.css"; then
  echo "the compiled CSS still names GDS Transport: check web/styles/govuk-frontend.scss" >&2
  exit 1
fi

# axe-core for the browser tests
rm -rf "$AXE"
mkdir -p "$AXE"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE "$AXE/"

printf '%s\n' "govuk-frontend $GOVUK_FRONTEND_VERSION" "sass $SASS_VERSION (compiled the CSS)" "axe-core $AXE_CORE_VERSION" \
  > "$TARGET/VENDORED.txt"
echo "vendored govuk-frontend $GOVUK_FRONTEND_VERSION (sass $SASS_VERSION) and axe-core $AXE_CORE_VERSION"
