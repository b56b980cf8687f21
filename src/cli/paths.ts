import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../core/paths.ts';

/** The hand-written demo posts (see test/fixtures/README.md). */
export const SAMPLE_POSTS_FILE = resolve(PROJECT_ROOT, 'test/fixtures/sample-posts.jsonl');

/** The public datasets beside the project (../shared/data), read by `kb import --shared`. */
export const SHARED_DATA_DIR = resolve(PROJECT_ROOT, '..', 'shared', 'data');

/** The demo's fictional clarifications (KPU, Komdigi "contoh"), imported by `pantau demo` so its hoaxes have answers. */
export const DEMO_CLARIFICATIONS_FILE = resolve(PROJECT_ROOT, 'test/fixtures/demo-clarifications.jsonl');

/** Where `pantau demo` keeps the e-mails its demo humas units receive. */
export const DEMO_OUTBOX_DIR = resolve(PROJECT_ROOT, '.state', 'demo-outbox');
