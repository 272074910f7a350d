import { createDatabase, type Db } from '../../../engine/src/store/database.js';
import { KEY_BLOCK_SIZE, KeyAllocator } from '../../../engine/src/store/key-allocator.js';
import { migratedDatabase } from './support.js';

describe('key allocator', () => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ url, close } = await migratedDatabase('keys'));
  });
  afterAll(async () => close());

  it('should hand out unique keys across two engines sharing one database', async () => {
    // given two engine processes, each with its own pool and allocator
    const engines: { db: Db; keys: KeyAllocator }[] = [];
    for (let i = 0; i < 2; i++)
      engines.push({ db: (await createDatabase({ databaseUrl: url, dataDir: '' })).db, keys: new KeyAllocator() });
    const seen = new Set<string>();
    try {
      // when both allocate 2.5 blocks each, interleaved
      for (let round = 0; round < 5; round++) {
        for (const engine of engines) {
          await engine.keys.ensure(engine.db, KEY_BLOCK_SIZE / 2);
          for (let i = 0; i < KEY_BLOCK_SIZE / 2; i++) seen.add(engine.keys.next());
        }
      }
    } finally {
      for (const engine of engines) await engine.db.destroy();
    }

    // then
    expect(seen.size).toBe(5 * 2 * (KEY_BLOCK_SIZE / 2));
    expect([...seen].every((key) => /^\d+$/.test(key))).toBe(true);
  });

  it('should throw when the reserved keys are used up, and reserve several blocks at once', async () => {
    // given
    const { db } = await createDatabase({ databaseUrl: url, dataDir: '' });
    const keys = new KeyAllocator();
    try {
      // then
      expect(() => keys.next()).toThrow(expect.objectContaining({ code: 'KEYS_EXHAUSTED' }));
      await keys.ensure(db, 2500);
      expect(keys.available).toBe(3 * KEY_BLOCK_SIZE);
    } finally {
      await db.destroy();
    }
  });
});
