#!/bin/sh
# Refresh the front-end files vendored into clusterkg/server/static/vendor.
#
# The page must work without any network (no CDN, no tile server), so the
# built files of a few npm packages are committed with their licences.
# Versions are pinned in web/package.json; to update, change them there and
# run:   sh web/vendor.sh      (needs npm and the npm registry; CI does not)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../clusterkg/server/static/vendor"
cd "$here"
npm install --no-audit --no-fund --ignore-scripts
nm="$here/node_modules"
rm -rf "$out"
mkdir -p "$out/yasgui" "$out/leaflet/images" "$out/leaflet.markercluster" "$out/cytoscape" "$out/topojson-client" \
  "$out/world-atlas"

cp "$nm/@zazuko/yasgui/build/yasgui.min.js" "$nm/@zazuko/yasgui/build/yasgui.min.css" "$out/yasgui/"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$out/leaflet/"
cp "$nm/leaflet/dist/images/"*.png "$out/leaflet/images/"
cp "$nm/leaflet.markercluster/dist/leaflet.markercluster.js" "$nm/leaflet.markercluster/dist/MarkerCluster.css" \
  "$nm/leaflet.markercluster/dist/MarkerCluster.Default.css" "$nm/leaflet.markercluster/MIT-LICENCE.txt" \
  "$out/leaflet.markercluster/"
cp "$nm/cytoscape/dist/cytoscape.min.js" "$nm/cytoscape/LICENSE" "$out/cytoscape/"
cp "$nm/topojson-client/dist/topojson-client.min.js" "$nm/topojson-client/LICENSE" "$out/topojson-client/"
cp "$nm/world-atlas/countries-50m.json" "$nm/world-atlas/LICENSE" "$out/world-atlas/"
# @zazuko/yasgui ships no licence file; its package.json declares MIT.
cp "$here/licences/yasgui-LICENSE" "$out/yasgui/LICENSE"

{
  echo "Vendored front-end packages (refresh with: sh web/vendor.sh)"
  echo
  for pkg in @zazuko/yasgui leaflet leaflet.markercluster cytoscape topojson-client world-atlas; do
    node -e "const p=require('$nm/'+process.argv[1]+'/package.json');console.log(p.name+' '+p.version+'  licence: '+p.license)" "$pkg"
  done
  echo
  echo "world-atlas/countries-50m.json: Natural Earth 1:50m admin-0 countries (public domain), as TopoJSON."
} > "$out/VERSIONS.txt"
du -sh "$out"
