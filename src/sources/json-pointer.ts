/**
 * JSON Pointer (RFC 6901): how a pipeline file says where something is in a platform's JSON, e.g.
 * `/data` for the items of a page or `/user/screen_name` for an author. "" is the whole document.
 */
import { z } from 'zod';

export const jsonPointerSchema = z
  .string()
  .regex(/^(\/([^~]|~[01])*)*$/, 'a JSON Pointer such as "/data/items" ("" for the whole document; ~0 is ~ and ~1 is /)');

/** The value at `pointer`, or undefined when any step is missing. Array steps are indices. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let current: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(step)) return undefined;
      current = current[Number(step)];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, step)) {
      current = (current as Record<string, unknown>)[step];
    } else {
      return undefined;
    }
  }
  return current;
}
