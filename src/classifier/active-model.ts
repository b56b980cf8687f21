/**
 * The model a classify worker scores with, following the registry's active pointer (see registry.ts).
 *
 * The worker calls `refresh()` before each batch and scores the batch with a `lease()`: a changed pointer loads
 * the new model first, so a batch runs on one model from start to end and the swap falls between batches. With
 * several partitions consumed at once, a batch still holding the old model keeps it until it releases it; the
 * old model is disposed after its last lease. A model that fails to load, or whose folder holds another version,
 * keeps the running one (logged once per pointer); a registry that cannot be read keeps it too.
 */
import { describeError } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { Classifier } from './index.ts';
import type { ModelRef, ModelRegistry } from './registry.ts';

export interface ModelLease {
  classifier: Classifier;
  release(): void;
}

interface Held {
  classifier: Classifier;
  ref: ModelRef;
  leases: number;
  retired: boolean;
  /** False for the classifier the worker was started with: its owner disposes it. */
  owned: boolean;
}

export class ActiveModel {
  private readonly registry: ModelRegistry;
  private readonly load: (dir: string) => Promise<Classifier>;
  private readonly refreshMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private held: Held;
  private checkedAt = Number.NEGATIVE_INFINITY;
  /** The pointer (version@path) that last failed to load: not retried until the pointer changes. */
  private failed: string | null = null;
  private refreshing: Promise<boolean> | null = null;

  constructor(options: { initial: Classifier; initialDir: string; registry: ModelRegistry; load: (dir: string) => Promise<Classifier>; refreshMs: number; clock: Clock; logger: Logger }) {
    this.registry = options.registry;
    this.load = options.load;
    this.refreshMs = options.refreshMs;
    this.clock = options.clock;
    this.logger = options.logger;
    this.held = { classifier: options.initial, ref: { version: options.initial.modelVersion, path: options.initialDir }, leases: 0, retired: false, owned: false };
  }

  get modelVersion(): string {
    return this.held.classifier.modelVersion;
  }

  get current(): Classifier {
    return this.held.classifier;
  }

  /** The current model, kept alive until `release()`. */
  lease(): ModelLease {
    const held = this.held;
    held.leases++;
    let released = false;
    return {
      classifier: held.classifier,
      release: () => {
        if (released) return;
        released = true;
        held.leases--;
        this.disposeIfDone(held);
      },
    };
  }

  /**
   * Reads the pointer when a check is due and swaps to the model it names when that differs; returns true when
   * it swapped. Never throws: a failure keeps the running model. Concurrent callers share one check.
   */
  async refresh(force = false): Promise<boolean> {
    if (!force && this.clock() - this.checkedAt < this.refreshMs) return false;
    this.refreshing ??= this.check().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Disposes the models this object loaded (at stop; leases must be released first). */
  close(): void {
    this.held.retired = true;
    this.disposeIfDone(this.held);
  }

  private async check(): Promise<boolean> {
    let target: ModelRef;
    try {
      target = (await this.registry.active()).active;
    } catch (error) {
      this.logger.warn('model registry not read; classifying with the model already loaded', { model: this.modelVersion, error: describeError(error) });
      return false;
    } finally {
      this.checkedAt = this.clock();
    }
    if (target.version === this.held.ref.version) return false;
    const key = `${target.version}@${target.path}`;
    if (key === this.failed) return false;
    const started = performance.now();
    let next: Classifier;
    try {
      next = await this.load(target.path);
    } catch (error) {
      this.failed = key;
      this.logger.error('active model did not load; classifying with the previous one', { model: this.modelVersion, wanted: target.version, path: target.path, error: describeError(error) });
      return false;
    }
    if (next.modelVersion !== target.version) {
      next.dispose();
      this.failed = key;
      this.logger.error('the active model folder holds another version; classifying with the previous one', { model: this.modelVersion, wanted: target.version, found: next.modelVersion, path: target.path });
      return false;
    }
    const old = this.held;
    this.held = { classifier: next, ref: target, leases: 0, retired: false, owned: true };
    this.failed = null;
    old.retired = true;
    this.disposeIfDone(old);
    this.logger.info('active model swapped', { from: old.ref.version, to: target.version, loadMs: Math.round(performance.now() - started) });
    return true;
  }

  private disposeIfDone(held: Held): void {
    if (held.retired && held.leases === 0 && held.owned) {
      held.owned = false;
      held.classifier.dispose();
    }
  }
}
