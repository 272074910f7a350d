/**
 * Coalesces point reads that arrive in the same turn of the event loop into one query (per tenant scope):
 * a queue worker with 32 jobs in flight reads them with a few statements instead of one round trip each.
 * Every caller gets its own answer; a failing query fails the callers of that batch only.
 */
import type { TenantScope } from './types.js';

interface Waiting<V> {
  readonly key: string;
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

export class ReadBatcher<V> {
  private readonly pending = new Map<string, { scope: TenantScope | undefined; waiting: Waiting<V>[] }>();
  private scheduled = false;

  constructor(
    /** answers for all `keys` at once (a key without an entry: not found) */
    private readonly fetch: (scope: TenantScope | undefined, keys: readonly string[]) => Promise<Map<string, V>>,
    private readonly maxBatch = 500,
  ) {}

  load(key: string, scope?: TenantScope): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const scopeKey = scope?.tenantIds ? `[${[...scope.tenantIds].sort().join('\u0001')}]` : '*';
      let group = this.pending.get(scopeKey);
      if (!group) this.pending.set(scopeKey, (group = { scope, waiting: [] }));
      group.waiting.push({ key, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    this.scheduled = false;
    const groups = [...this.pending.values()];
    this.pending.clear();
    for (const { scope, waiting } of groups)
      for (let i = 0; i < waiting.length; i += this.maxBatch) {
        const batch = waiting.slice(i, i + this.maxBatch);
        this.fetch(scope, [...new Set(batch.map((w) => w.key))]).then(
          (found) => {
            for (const w of batch) w.resolve(found.get(w.key));
          },
          (error: unknown) => {
            for (const w of batch) w.reject(error);
          },
        );
      }
  }
}
