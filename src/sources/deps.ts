/** What a source gets from the process that runs it. */
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';

export interface SourceDeps {
  /** Folder of the sources' state files (seen ids, cursors, file progress). */
  stateDir: string;
  logger: Logger;
  /** "Now": health times, the fetch time of feed items without a date, the push timestamp window (default: system clock). */
  clock?: Clock;
}
