/**
 * The cluster's tests in one file, in this order. They kill and restart the nodes they share, so they must
 * not run side by side, and vitest runs the files of a group side by side: one file keeps them in line while
 * the integration files (on the single broker and node) run beside it. The cluster itself is what the first
 * suite checks; the other two mean little if it fails.
 */
import './services.suite.ts';
import './security.suite.ts';
import './faults.suite.ts';
