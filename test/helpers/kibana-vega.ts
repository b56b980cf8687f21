/**
 * What Kibana does to a Vega spec's `data.url` before it sends it to Elasticsearch, for the keywords the pantau
 * export uses. Mirrors EsQueryParser.parseUrl / _injectContextVars / _createRangeFilter of elastic/kibana
 * (src/plugins/vis_types/vega/public/data_model/es_query_parser.ts); %autointerval% and shift/unit are not used by
 * the export and are refused here rather than half-mirrored.
 */

/** The dashboard's context: the time picker's bounds and the filter bar / query as Kibana's buildEsQuery gives them. */
export interface KibanaContext {
  min: number;
  max: number;
  filters?: { must?: unknown[]; filter?: unknown[]; should?: unknown[]; must_not?: unknown[] };
}

const CLAUSES: Record<string, 'must' | 'filter' | 'must_not'> = {
  '%dashboard_context-must_clause%': 'must',
  '%dashboard_context-filter_clause%': 'filter',
  '%dashboard_context-must_not_clause%': 'must_not',
};

/** The search request Kibana makes of a Vega `data.url` object: `{ index, body }`. */
export function kibanaSearchRequest(urlObject: Record<string, unknown>, ctx: KibanaContext): { index: string; body: Record<string, unknown> } {
  const url = structuredClone(urlObject);
  const filters = { bool: { must: [...(ctx.filters?.must ?? [])], filter: [...(ctx.filters?.filter ?? [])], should: [...(ctx.filters?.should ?? [])], must_not: [...(ctx.filters?.must_not ?? [])] } };
  const context = url['%context%'];
  const timefield = url['%timefield%'] as string | undefined;
  delete url['%context%'];
  delete url['%timefield%'];
  if (url['%context_query%'] !== undefined) throw new Error('legacy %context_query% is not mirrored');
  const usesContext = context !== undefined || timefield !== undefined;
  const body = (url.body ?? {}) as Record<string, unknown>;
  const range = (): Record<string, unknown> => ({ gte: new Date(ctx.min).toISOString(), lte: new Date(ctx.max).toISOString(), format: 'strict_date_optional_time' });

  const inject = (obj: unknown, isQuery: boolean, key?: string): void => {
    if (!obj || typeof obj !== 'object') return;
    if (Array.isArray(obj)) {
      for (let pos = 0; pos < obj.length; ) {
        const item: unknown = obj[pos];
        const tag = typeof item === 'string' ? CLAUSES[item] : undefined;
        if (isQuery && tag !== undefined) {
          const values = filters.bool[tag];
          obj.splice(pos, 1, ...values);
          pos += values.length;
        } else {
          inject(item, isQuery);
          pos++;
        }
      }
      return;
    }
    const o = obj as Record<string, unknown>;
    for (const prop of Object.keys(o)) {
      const sub = o[prop];
      if (!sub || typeof sub !== 'object') continue;
      if (prop === 'interval' && key === 'date_histogram') throw new Error('date_histogram.interval / %autointerval% is not mirrored');
      const tf = (sub as Record<string, unknown>)['%timefilter%'];
      if (tf === 'min' || tf === 'max') {
        if ('shift' in sub || 'unit' in sub) throw new Error('%timefilter% shift/unit is not mirrored');
        o[prop] = tf === 'min' ? ctx.min : ctx.max;
      } else if (tf === true) {
        const s = sub as Record<string, unknown>;
        delete s['%timefilter%'];
        Object.assign(s, range());
      } else if (tf === undefined) {
        inject(sub, isQuery, prop);
      } else {
        throw new Error('"%timefilter%" property must be set to true, "min", or "max"');
      }
    }
  };

  if (body.query !== undefined) {
    if (usesContext) throw new Error('url.%context% and url.%timefield% must not be used when url.body.query is set');
    inject(body.query, true);
  } else if (usesContext) {
    if (timefield) body.query = { range: { [timefield]: range() } };
    if (context) {
      const q = structuredClone(filters);
      if (timefield) q.bool.must.push(body.query);
      body.query = q;
    }
  }
  inject(body.aggs, false);
  return { index: String(url.index), body };
}

/** Vega's `format.property`: a dotted path into the response. */
export function atProperty(response: unknown, property: string): unknown {
  return property.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), response);
}

/** A Vega data object Kibana fills from Elasticsearch: `{url: {...}, format}`. */
export interface VegaEsData {
  url: Record<string, unknown>;
  format?: { property?: string };
}

/**
 * Every `data: {url: {...}}` of a spec, wherever it is (top level, a layer, a lookup's `from`), as Kibana's
 * VegaParser._findObjectDataUrls finds them before it compiles Vega-Lite; Kibana refuses one that also has
 * `values` or `source`.
 */
export function esDataObjects(spec: unknown): VegaEsData[] {
  const found: VegaEsData[] = [];
  const walk = (o: unknown, key?: string): void => {
    if (Array.isArray(o)) for (const e of o) walk(e, key);
    else if (o !== null && typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype) {
      const obj = o as Record<string, unknown>;
      if (key === 'data' && obj.url !== null && typeof obj.url === 'object' && !Array.isArray(obj.url)) {
        if (obj.values !== undefined || obj.source !== undefined) throw new Error('Data must not have more than one of "url", "values", and "source"');
        found.push(obj as unknown as VegaEsData);
      } else for (const k of Object.keys(obj)) walk(obj[k], k);
    }
  };
  walk(spec);
  return found;
}

/**
 * What the choropleth spec computes per shape from the Elasticsearch rows, evaluating the spec's own expressions
 * (the fold of codes without a shape, the value read from a bucket; both are also valid JavaScript): the flatten →
 * lookup → joinaggregate sum → filter steps of the spec, by hand.
 */
export function choroplethTotals(spec: { datasets: Record<string, { properties: { code: string } }[]>; data: { name: string }; transform: Record<string, unknown>[] }, rows: Record<string, unknown>[]): Record<string, number> {
  const step = (as: string) => spec.transform.find((t) => t.as === as && typeof t.calculate === 'string')?.calculate as string;
  const members = new Function('datum', `return ${step('member_code')};`) as (d: unknown) => string[];
  const value = new Function('datum', 'isValid', `return ${step('member_value')};`) as (d: unknown, isValid: (v: unknown) => boolean) => number;
  const lookup = spec.transform.find((t) => t.lookup === 'member_code') as { from: { key: string } };
  const isValid = (v: unknown) => v !== null && v !== undefined && !Number.isNaN(v);
  const out: Record<string, number> = {};
  for (const feature of spec.datasets[spec.data.name]!) {
    const code = feature.properties.code;
    out[code] = members({ shape_code: code }).reduce((sum, m) => sum + value({ bucket: rows.find((r) => r[lookup.from.key] === m) }, isValid), 0);
  }
  return out;
}
