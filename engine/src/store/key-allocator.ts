/**
 * Unique keys without a round trip per key: each `nextval('engine_key_block')` reserves a block of
 * KEY_BLOCK_SIZE keys for this process (the sequence increments by the block size), so keys stay unique
 * across any number of engine processes. `next()` is synchronous because the pure runtime asks for keys
 * while it runs; callers `ensure()` enough keys beforehand and retry a command that ran out
 * (KeysExhaustedError), which is safe because the runtime is pure.
 */
import { sql, type Kysely } from 'kysely';

export const KEY_BLOCK_SIZE = 1000;

export class KeysExhaustedError extends Error {
  readonly code = 'KEYS_EXHAUSTED' as const;
  constructor() {
    super('Expected a reserved key, but the reserved key blocks are used up.');
  }
}

export class KeyAllocator {
  /** [next, end) ranges, oldest first */
  private readonly blocks: { next: bigint; end: bigint }[] = [];

  get available(): number {
    return this.blocks.reduce((sum, block) => sum + Number(block.end - block.next), 0);
  }

  /** Makes sure at least `count` keys are reserved (fetching whole blocks as needed). */
  async ensure(db: Kysely<any>, count: number = KEY_BLOCK_SIZE / 2): Promise<void> {
    const missing = count - this.available;
    if (missing <= 0) return;
    const blocks = Math.ceil(missing / KEY_BLOCK_SIZE);
    const result = await sql<{
      start: string;
    }>`SELECT nextval('engine_key_block')::text AS start FROM generate_series(1, ${blocks})`.execute(db);
    for (const { start } of result.rows) {
      const first = BigInt(start);
      this.blocks.push({ next: first, end: first + BigInt(KEY_BLOCK_SIZE) });
    }
  }

  next = (): string => {
    while (this.blocks.length > 0 && this.blocks[0].next >= this.blocks[0].end) this.blocks.shift();
    const block = this.blocks[0];
    if (!block) throw new KeysExhaustedError();
    return String(block.next++);
  };
}
