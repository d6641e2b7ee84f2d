#!/usr/bin/env bash
# Copy the front-end assets the pages need from node_modules into
# app/static/vendor/. Safe to run repeatedly; fails if any file is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# (Re)install node_modules when missing or older than package-lock.json.
# npm writes node_modules/.package-lock.json on every install/ci.
marker=node_modules/.package-lock.json
if [[ ! -f "$marker" || package-lock.json -nt "$marker" ]]; then
  echo "running npm ci ..."
  npm ci --no-audit --no-fund --loglevel=error
  touch "$marker"
fi

nm=node_modules
dest=app/static/vendor
count=0

# copy SRC DST: copy a single file, failing loudly if the source is missing.
copy() {
  local src="$nm/$1" dst="$dest/$2"
  if [[ ! -f "$src" ]]; then
    echo "vendor.sh: missing source file: $src" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$dst")"
  cp -f "$src" "$dst"
  count=$((count + 1))
}

# Start from a clean slate so removed/renamed files do not linger.
rm -rf "$dest/bpmn-js" "$dest/dmn-js" "$dest/bootstrap" "$dest/bootstrap-icons" "$dest/chart.js"

# bpmn-js navigated viewer (global BpmnJS) + its CSS.
# bpmn-font/css/bpmn.css references ../font/bpmn.*, so keep that layout.
copy bpmn-js/dist/bpmn-navigated-viewer.production.min.js bpmn-js/bpmn-navigated-viewer.production.min.js
# The modeler (global BpmnJS too; a page loads one or the other) for process administration.
copy bpmn-js/dist/bpmn-modeler.production.min.js         bpmn-js/bpmn-modeler.production.min.js
copy bpmn-js/dist/assets/diagram-js.css                  bpmn-js/diagram-js.css
copy bpmn-js/dist/assets/bpmn-js.css                     bpmn-js/bpmn-js.css
copy bpmn-js/dist/assets/bpmn-font/css/bpmn.css          bpmn-js/bpmn-font/css/bpmn.css
for ext in eot svg ttf woff woff2; do
  copy "bpmn-js/dist/assets/bpmn-font/font/bpmn.$ext"    "bpmn-js/bpmn-font/font/bpmn.$ext"
done

# dmn-js modeler (global DmnJS) for the decision-table editor of process administration.
# dmn-font/css/dmn.css references ../font/dmn.*, so keep that layout.
copy dmn-js/dist/dmn-modeler.production.min.js          dmn-js/dmn-modeler.production.min.js
for css in diagram-js dmn-js-shared dmn-js-drd dmn-js-decision-table dmn-js-decision-table-controls \
           dmn-js-literal-expression; do
  copy "dmn-js/dist/assets/$css.css"                     "dmn-js/$css.css"
done
copy dmn-js/dist/assets/dmn-font/css/dmn.css            dmn-js/dmn-font/css/dmn.css
for ext in eot svg ttf woff woff2; do
  copy "dmn-js/dist/assets/dmn-font/font/dmn.$ext"      "dmn-js/dmn-font/font/dmn.$ext"
done

# Bootstrap (CSS + bundle with Popper).
copy bootstrap/dist/css/bootstrap.min.css                bootstrap/bootstrap.min.css
copy bootstrap/dist/js/bootstrap.bundle.min.js           bootstrap/bootstrap.bundle.min.js

# Bootstrap Icons; the CSS references fonts/bootstrap-icons.woff{,2}.
copy bootstrap-icons/font/bootstrap-icons.min.css        bootstrap-icons/bootstrap-icons.min.css
copy bootstrap-icons/font/fonts/bootstrap-icons.woff     bootstrap-icons/fonts/bootstrap-icons.woff
copy bootstrap-icons/font/fonts/bootstrap-icons.woff2    bootstrap-icons/fonts/bootstrap-icons.woff2

# Chart.js (global Chart) for the supervision dashboards.
copy chart.js/dist/chart.umd.min.js                      chart.js/chart.umd.min.js

echo "vendored $count files into $dest"
