const fs = require('fs'); const turf = require('@turf/turf');
const file = process.argv[2];
const d = JSON.parse(fs.readFileSync(file, 'utf8'));
const ALL = ['11','12','13','14','15','16','17','18','19','21','31','32','33','34','35','36','51','52','53','61','62','63','64','65','71','72','73','74','75','76','81','82','91','92','94','95','96','97'];
let ok = true; const seen = {};
if (d.type !== 'FeatureCollection') { console.log('not FC'); ok = false; }
for (const f of d.features) {
  const k = Object.keys(f.properties).sort().join(',');
  if (k !== 'code,name') { console.log('bad props', f.properties); ok = false; }
  const c = f.properties.code; seen[c] = (seen[c] || 0) + 1;
  if (!/^(Polygon|MultiPolygon)$/.test(f.geometry.type)) { console.log('bad geom', c); ok = false; }
  const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  for (const p of polys) for (const r of p) {
    if (r.length < 4 || r[0][0] !== r[r.length-1][0] || r[0][1] !== r[r.length-1][1]) { console.log('bad ring', c); ok = false; }
  }
  const kinks = turf.kinks(f).features.length;
  if (kinks) { console.log('self-intersections in', c, f.properties.name, kinks); ok = false; }
}
const dup = Object.entries(seen).filter(([, n]) => n > 1); if (dup.length) { console.log('dups', dup); ok = false; }
const bad = Object.keys(seen).filter(c => !ALL.includes(c)); if (bad.length) { console.log('unknown codes', bad); ok = false; }
const missing = ALL.filter(c => !seen[c]);
const bb = turf.bbox(d);
console.log('features:', d.features.length, '| bbox:', bb.map(x => x.toFixed(3)).join(', '), '| bytes:', fs.statSync(file).size);
console.log('codes present:', Object.keys(seen).sort().join(' '));
console.log('codes of the 38 not present as own feature:', missing.join(' ') || 'none');
if (!(bb[0] > 94 && bb[2] < 142 && bb[1] > -12 && bb[3] < 7)) { console.log('bbox out of range'); ok = false; }
console.log(ok ? 'VALID (structure, props, rings, no self-intersections, unique known codes)' : 'PROBLEMS FOUND');
process.exit(ok ? 0 : 1);
