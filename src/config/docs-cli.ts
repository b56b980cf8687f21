/**
 * npm run docs:config [-- --check]: regenerates the pipeline file's JSON Schema and the README's reference
 * section from the zod schemas (see reference.ts). With --check, changes nothing and exits 1 when either is
 * out of date (for CI and reviews).
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../core/paths.ts';
import { generateConfigDocs } from './reference.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
if (values.help) {
  console.log(`npm run docs:config [-- --check]
Writes pipelines/pantau.pipeline.schema.json and the "Pipeline file reference" section of README.md from the
zod schemas that validate pipeline files. --check: write nothing, exit 1 when either is out of date.`);
  process.exit(0);
}
const stale = generateConfigDocs({ check: values.check }).map((f) => relative(PROJECT_ROOT, f));
if (stale.length === 0) console.log('pipeline reference is up to date');
else if (values.check) {
  console.error(`out of date: ${stale.join(', ')}; run npm run docs:config`);
  process.exit(1);
} else console.log(`wrote ${stale.join(', ')}`);
