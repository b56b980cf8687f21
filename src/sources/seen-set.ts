/**
 * A bounded memory of item ids a source has already handed on, oldest forgotten first. Seeing an id again
 * moves it to the young end, so items still listed in a feed are not forgotten while older ones are.
 * Forgetting is safe: a forgotten item that comes back is published again, and the post id (Kafka key,
 * Elasticsearch `_id`) makes that a no-op downstream.
 */
export class SeenSet {
  readonly limit: number;
  private readonly ids: Set<string>;

  constructor(limit: number, ids: Iterable<string> = []) {
    this.limit = limit;
    this.ids = new Set();
    for (const id of ids) this.add(id);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id` as the youngest; forgets the oldest ids beyond the limit. */
  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    while (this.ids.size > this.limit) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }

  get size(): number {
    return this.ids.size;
  }

  /** Oldest first, the order the constructor expects back. */
  toArray(): string[] {
    return [...this.ids];
  }
}
