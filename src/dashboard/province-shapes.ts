/**
 * The province shapes of the dashboard's map (dashboards/geo/indonesia-provinces.geojson: 33 Natural Earth features,
 * properties {code, name}) and the fallback of the BPS codes that have no shape of their own
 * (dashboards/geo/bps-code-fallback.json: 65→64, 92→91, 95/96/97→94), read and checked for the Kibana export.
 *
 * `forVega` prepares the features to embed in a Vega-Lite spec: coordinates rounded to GEO_DECIMALS (consecutive
 * duplicates dropped, rings that collapse dropped, never a feature's last ring), every geometry a MultiPolygon,
 * and rings wound as d3-geo (and so Vega) reads them: outer rings clockwise, holes counter-clockwise. The file
 * follows RFC 7946 (outer rings counter-clockwise), which d3-geo would draw as the whole globe minus the province.
 */
import { resolve } from 'node:path';
import { PantauError } from '../core/errors.ts';
import { readJsonFile } from '../config/json-file.ts';
import { DEFAULT_DASHBOARDS_DIR } from './definition.ts';
import { PROVINCES } from './provinces.ts';

export const DEFAULT_GEO_DIR = resolve(DEFAULT_DASHBOARDS_DIR, 'geo');
export const SHAPES_FILE = 'indonesia-provinces.geojson';
export const FALLBACK_FILE = 'bps-code-fallback.json';
/** Decimals kept in the exported coordinates: 0.01° is about 1.1 km, below a pixel of a dashboard panel. */
export const GEO_DECIMALS = 2;

type Ring = [number, number][];
export interface ProvinceFeature {
  type: 'Feature';
  properties: { code: string; name: string };
  geometry: { type: 'MultiPolygon'; coordinates: Ring[][] };
}

export interface ProvinceShapes {
  features: ProvinceFeature[];
  /** BPS code without a shape → code of the shape that contains it. */
  fallback: Readonly<Record<string, string>>;
}

const invalid = (message: string) => new PantauError(message, { stage: 'config', code: 'dashboard_invalid', retriable: false });

/** Reads and checks the shapes and the fallback: every one of the 38 BPS codes has a shape or falls back to one. */
export function loadProvinceShapes(dir: string = DEFAULT_GEO_DIR): ProvinceShapes {
  const shapesPath = resolve(dir, SHAPES_FILE);
  const raw = readJsonFile(shapesPath, 'the province shapes', 'dashboard_invalid') as { type?: unknown; features?: unknown };
  if (raw.type !== 'FeatureCollection' || !Array.isArray(raw.features)) throw invalid(`${shapesPath}: not a GeoJSON FeatureCollection`);
  const features: ProvinceFeature[] = [];
  for (const f of raw.features as { properties?: { code?: unknown; name?: unknown }; geometry?: { type?: unknown; coordinates?: unknown } }[]) {
    const code = f.properties?.code;
    const name = f.properties?.name;
    if (typeof code !== 'string' || PROVINCES[code] === undefined || typeof name !== 'string') throw invalid(`${shapesPath}: a feature without a known BPS province code and a name (${JSON.stringify(f.properties)})`);
    if (features.some((x) => x.properties.code === code)) throw invalid(`${shapesPath}: province ${code} has two features`);
    const g = f.geometry;
    const polygons = g?.type === 'Polygon' ? [g.coordinates] : g?.type === 'MultiPolygon' ? g.coordinates : undefined;
    if (!Array.isArray(polygons)) throw invalid(`${shapesPath}: province ${code} is not a Polygon or MultiPolygon`);
    features.push({ type: 'Feature', properties: { code, name }, geometry: { type: 'MultiPolygon', coordinates: polygons as Ring[][] } });
  }
  const fallbackPath = resolve(dir, FALLBACK_FILE);
  const fallback = Object.fromEntries(Object.entries(readJsonFile(fallbackPath, 'the province code fallback', 'dashboard_invalid') as Record<string, unknown>).filter(([k]) => !k.startsWith('_'))) as Record<string, unknown>;
  const shapeCodes = new Set(features.map((f) => f.properties.code));
  for (const [child, parent] of Object.entries(fallback)) {
    if (PROVINCES[child] === undefined || shapeCodes.has(child)) throw invalid(`${fallbackPath}: "${child}" is not a BPS province code without a shape of its own`);
    if (typeof parent !== 'string' || !shapeCodes.has(parent)) throw invalid(`${fallbackPath}: "${child}" falls back to "${String(parent)}", which has no shape`);
  }
  const uncovered = Object.keys(PROVINCES).filter((c) => !shapeCodes.has(c) && fallback[c] === undefined);
  if (uncovered.length > 0) throw invalid(`${dir}: provinces ${uncovered.join(', ')} have neither a shape nor a fallback`);
  return { features, fallback: fallback as Record<string, string> };
}

/** The BPS codes each shape stands for: its own first, then those that fall back to it (in code order). */
export function shapeMembers(shapes: ProvinceShapes): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of shapes.features) out[f.properties.code] = [f.properties.code];
  for (const child of Object.keys(shapes.fallback).sort()) out[shapes.fallback[child]!]!.push(child);
  return out;
}

/** Twice the signed planar area (longitude east, latitude north): > 0 counter-clockwise. */
function signedArea(ring: Ring): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return a;
}

function roundRing(ring: Ring, decimals: number): Ring {
  const f = 10 ** decimals;
  const out: Ring = [];
  for (const [x, y] of ring) {
    const p: [number, number] = [Math.round(x * f) / f, Math.round(y * f) / f];
    const last = out.at(-1);
    if (last === undefined || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

/** The features as a Vega-Lite spec embeds them (see the file comment). */
export function forVega(shapes: ProvinceShapes, decimals: number = GEO_DECIMALS): ProvinceFeature[] {
  return shapes.features.map((f) => {
    const polygons: Ring[][] = [];
    for (const polygon of f.geometry.coordinates) {
      const rings: Ring[] = [];
      for (const [i, ring] of polygon.entries()) {
        const r = roundRing(ring, decimals);
        // A ring needs three distinct points and the closing one; a collapsed outer ring takes its holes with it.
        if (r.length < 4 || signedArea(r) === 0) {
          if (i === 0) break;
          continue;
        }
        const clockwise = signedArea(r) < 0;
        rings.push(clockwise === (i === 0) ? r : r.reverse());
      }
      if (rings.length > 0) polygons.push(rings);
    }
    if (polygons.length === 0) throw invalid(`province ${f.properties.code}: no ring is left at ${decimals} decimals`);
    return { type: 'Feature', properties: { ...f.properties }, geometry: { type: 'MultiPolygon', coordinates: polygons } };
  });
}
