import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../core/paths.ts';

/** The hand-written demo posts (see test/fixtures/README.md). */
export const SAMPLE_POSTS_FILE = resolve(PROJECT_ROOT, 'test/fixtures/sample-posts.jsonl');

/** The public datasets beside the project (../shared/data), read by `kb import --shared`. */
export const SHARED_DATA_DIR = resolve(PROJECT_ROOT, '..', 'shared', 'data');
