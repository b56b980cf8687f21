/**
 * The model registry (`<prefix>-models`): every classifier version trained from analysts' feedback, and the
 * active pointer the classify workers follow.
 *
 * - A version document (`_id` = `version:<version>`): where its folder is, when it was made, how it compared
 *   with the model that was active then, and its status (candidate → active → retired).
 * - The pointer (`_id` = `active`): the active version and its folder, and the stack of versions active before
 *   it (`history`, newest first: `previous` is its head). Only the pointer decides what runs; the statuses of the
 *   version documents follow it and are for people.
 *
 * While the registry has no pointer, the shipped model (PANTAU_MODEL_DIR or models/pantau-id-v2) is the active one.
 * The pointer changes only with optimistic concurrency (`if_seq_no`/`if_primary_term`, or op_type create for the
 * first one): two admins promoting at once cannot both win; the loser gets `registry_conflict` (retriable).
 *
 * Folder paths are stored as the trainer wrote them: every worker must see the same path (a shared volume or the
 * same image), and `promote` refuses a folder this process cannot read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import { elasticsearchError, httpStatusOf } from '../store/elasticsearch-errors.ts';
import { modelsIndex } from '../store/index-names.ts';
import { MODEL_FILE } from './model-format.ts';

export const MODEL_STATUSES = ['candidate', 'active', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** A model folder and the version it holds. */
export interface ModelRef {
  version: string;
  path: string;
}

/** Per label, at the alert point, on one evaluation set: the active model, the candidate, candidate − active. */
export interface ComparisonSummary {
  /** The version the candidate was compared with. */
  against: string;
  sets: Record<string, { rows: number; labels: Record<string, { active: { precision: number; recall: number; f1: number }; candidate: { precision: number; recall: number; f1: number }; f1Delta: number }> }>;
}

export interface ModelVersionDoc {
  kind: 'version';
  version: string;
  path: string;
  status: ModelStatus;
  created_at: string;
  comparison: ComparisonSummary | null;
  promoted_at: string | null;
  promoted_by: string | null;
  retired_at: string | null;
}

interface PointerDoc {
  kind: 'pointer';
  active_version: string;
  active_path: string;
  /** Versions active before, newest first (at most HISTORY_LIMIT). */
  history: ModelRef[];
  updated_at: string;
  updated_by: string;
  last_action: 'promote' | 'rollback';
}

export interface ActivePointer {
  active: ModelRef;
  previous: ModelRef | null;
  /** False while the registry has no pointer: the shipped model is active. */
  registered: boolean;
}

const POINTER_ID = 'active';
const HISTORY_LIMIT = 20;
const versionId = (version: string) => `version:${version}`;

/** The version a model folder holds (model.json's `modelVersion`), without loading its weights. */
export function readModelVersion(dir: string): string {
  const file = join(dir, MODEL_FILE);
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { modelVersion?: unknown };
    if (typeof json.modelVersion !== 'string' || json.modelVersion.length === 0) throw new Error('no modelVersion');
    return json.modelVersion;
  } catch (cause) {
    throw new PantauError(`${file} is not a readable model: ${(cause as Error).message}`, { stage: 'classifying', code: 'model_invalid', retriable: false, cause });
  }
}

export class ModelRegistry {
  private readonly es: Client;
  private readonly index: string;
  private readonly clock: Clock;
  private readonly shipped: ModelRef;
  private readonly pointerRequest: { requestTimeout: number; maxRetries: number } | undefined;

  /**
   * `shippedDir`: the model that is active while the registry is empty (the worker's configured model).
   * `pointerTimeoutMs`: a bound on each read of the pointer, without the client's retries (workers read it between
   * batches: a slow cluster must not hold the stream up for the client's 30 s × 3).
   */
  constructor(es: Client, prefix: string, options: { clock: Clock; shippedDir: string; pointerTimeoutMs?: number }) {
    this.es = es;
    this.pointerRequest = options.pointerTimeoutMs === undefined ? undefined : { requestTimeout: options.pointerTimeoutMs, maxRetries: 0 };
    this.index = modelsIndex(prefix);
    this.clock = options.clock;
    const path = resolve(options.shippedDir);
    this.shipped = { version: readModelVersion(path), path };
  }

  get shippedModel(): ModelRef {
    return this.shipped;
  }

  /** Records a trained version as a candidate (again, if it was registered before: its comparison is updated). */
  async register(ref: ModelRef, comparison: ComparisonSummary | null): Promise<ModelVersionDoc> {
    const doc: ModelVersionDoc = {
      kind: 'version',
      version: ref.version,
      path: resolve(ref.path),
      status: 'candidate',
      created_at: isoNow(this.clock),
      comparison,
      promoted_at: null,
      promoted_by: null,
      retired_at: null,
    };
    try {
      await this.es.index({ index: this.index, id: versionId(ref.version), document: doc, refresh: 'wait_for' });
    } catch (error) {
      throw elasticsearchError('serving', 'register a model version', error);
    }
    return doc;
  }

  /** The active pointer; the shipped model while none was written. */
  async active(): Promise<ActivePointer> {
    return (await this.readPointer()).pointer;
  }

  /** Every registered version (newest first) with the pointer; the shipped model is listed when not registered. */
  async list(): Promise<{ active: ModelRef; previous: ModelRef | null; versions: ModelVersionDoc[] }> {
    const { pointer } = await this.readPointer();
    let versions: ModelVersionDoc[];
    try {
      const r = await this.es.search<ModelVersionDoc>({
        index: this.index,
        size: 1000,
        ignore_unavailable: true,
        allow_no_indices: true,
        query: { term: { kind: 'version' } },
        sort: [{ created_at: 'desc' }],
      });
      versions = r.hits.hits.flatMap((h) => (h._source ? [h._source] : []));
    } catch (error) {
      throw elasticsearchError('serving', 'list model versions', error);
    }
    // The pointer decides; a status written by an interrupted promote is corrected here for the reader.
    const listed = versions.map((v) => ({ ...v, status: v.version === pointer.active.version ? 'active' : v.status === 'active' ? 'retired' : v.status }) as ModelVersionDoc);
    if (!listed.some((v) => v.version === this.shipped.version)) {
      listed.push({ kind: 'version', version: this.shipped.version, path: this.shipped.path, status: pointer.active.version === this.shipped.version ? 'active' : 'retired', created_at: '', comparison: null, promoted_at: null, promoted_by: null, retired_at: null });
    }
    return { active: pointer.active, previous: pointer.previous, versions: listed };
  }

  async version(version: string): Promise<ModelVersionDoc | null> {
    try {
      const r = await this.es.get<ModelVersionDoc>({ index: this.index, id: versionId(version) });
      return r._source ?? null;
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw elasticsearchError('serving', 'read a model version', error);
    }
  }

  /**
   * Makes `version` the active model. Refuses an unknown version (`model_unknown`), the active one
   * (`model_already_active`), a folder this process cannot read or that holds another version (`model_invalid`),
   * and a pointer changed by someone else since it was read (`registry_conflict`, retriable).
   */
  async promote(version: string, by: string): Promise<ActivePointer> {
    const target: ModelRef | null = version === this.shipped.version ? this.shipped : await this.version(version).then((d) => (d === null ? null : { version: d.version, path: d.path }));
    if (target === null) throw new PantauError(`model version "${version}" is not in the registry`, { stage: 'serving', code: 'model_unknown', retriable: false });
    if (!existsSync(target.path) || readModelVersion(target.path) !== target.version) {
      throw new PantauError(`the folder of "${version}" (${target.path}) does not hold that model`, { stage: 'serving', code: 'model_invalid', retriable: false });
    }
    const current = await this.readPointer();
    if (current.pointer.active.version === version) throw new PantauError(`"${version}" is already the active model`, { stage: 'serving', code: 'model_already_active', retriable: false });
    const history = [current.pointer.active, ...current.history].slice(0, HISTORY_LIMIT);
    const next = await this.writePointer(current, target, history, by, 'promote');
    await this.markStatuses(target.version, current.pointer.active.version, by);
    return next;
  }

  /** Returns to the version active before the current one (`registry_no_previous` when there is none). */
  async rollback(by: string): Promise<ActivePointer> {
    const current = await this.readPointer();
    const [previous, ...rest] = current.history;
    if (previous === undefined) throw new PantauError('no earlier model to roll back to', { stage: 'serving', code: 'registry_no_previous', retriable: false });
    const next = await this.writePointer(current, previous, rest, by, 'rollback');
    await this.markStatuses(previous.version, current.pointer.active.version, by);
    return next;
  }

  private async readPointer(): Promise<{ pointer: ActivePointer; history: ModelRef[]; seqNo?: number; primaryTerm?: number }> {
    try {
      const r = await this.es.get<PointerDoc>({ index: this.index, id: POINTER_ID }, this.pointerRequest);
      const doc = r._source!;
      return {
        pointer: { active: { version: doc.active_version, path: doc.active_path }, previous: doc.history[0] ?? null, registered: true },
        history: doc.history,
        seqNo: r._seq_no!,
        primaryTerm: r._primary_term!,
      };
    } catch (error) {
      if (httpStatusOf(error) === 404) return { pointer: { active: this.shipped, previous: null, registered: false }, history: [] };
      throw elasticsearchError('serving', 'read the active model pointer', error);
    }
  }

  private async writePointer(read: { seqNo?: number; primaryTerm?: number }, active: ModelRef, history: ModelRef[], by: string, action: PointerDoc['last_action']): Promise<ActivePointer> {
    const doc: PointerDoc = { kind: 'pointer', active_version: active.version, active_path: active.path, history, updated_at: isoNow(this.clock), updated_by: by, last_action: action };
    try {
      await this.es.index({
        index: this.index,
        id: POINTER_ID,
        document: doc,
        refresh: 'wait_for',
        ...(read.seqNo === undefined ? { op_type: 'create' as const } : { if_seq_no: read.seqNo, if_primary_term: read.primaryTerm! }),
      });
    } catch (error) {
      if (httpStatusOf(error) === 409) {
        throw new PantauError('the active model was changed by someone else meanwhile; read the registry again', { stage: 'serving', code: 'registry_conflict', retriable: true, cause: error });
      }
      throw elasticsearchError('serving', `${action} the active model`, error);
    }
    return { active, previous: history[0] ?? null, registered: true };
  }

  /** Statuses for readers; the pointer is already written, so a failure here changes nothing that runs. */
  private async markStatuses(activated: string, retired: string, by: string): Promise<void> {
    const now = isoNow(this.clock);
    const update = async (version: string, doc: Partial<ModelVersionDoc>) => {
      try {
        await this.es.update({ index: this.index, id: versionId(version), doc, refresh: 'wait_for' });
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw elasticsearchError('serving', 'update a model version status', error);
      }
    };
    await update(activated, { status: 'active', promoted_at: now, promoted_by: by, retired_at: null });
    if (retired !== activated) await update(retired, { status: 'retired', retired_at: now });
  }
}
