/** What a source gets from the process that runs it. */
import type { Logger } from '../core/log.ts';

export interface SourceDeps {
  /** Folder of the sources' state files (seen ids, cursors, file progress). */
  stateDir: string;
  logger: Logger;
}
