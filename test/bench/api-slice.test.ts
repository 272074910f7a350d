/**
 * A small slice of the API benchmark in the suite: seed a few thousand cases the way the benchmark seeds a
 * million, then send each benchmark request once over real HTTP and check the answers are right — so the
 * seeding and the scenarios keep matching the schema and the API. Timing is the benchmark's business.
 */
import { build } from '../../api/src/app.js';
import { createEngine, type Engine } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';
import { scenarios, seedCases } from './api.js';

describe('API benchmark slice', () => {
  let url: string;
  let engine: Engine;
  let app: Awaited<ReturnType<typeof build>>;
  let base: string;

  beforeAll(async () => {
    url = await createFreshDatabase('bench_api_slice');
    engine = await createEngine({ databaseUrl: url, schedulerIntervalMs: 60_000 });
    app = await build(
      { logLevel: 'silent', devLogin: true, publicUrl: 'http://bench.test' },
      { engine, version: 'bench' },
    );
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
    await engine.close();
    await dropDatabase(url);
  });

  it('should seed cases the API finds, and answer every benchmark request', async () => {
    // given
    const progress: number[] = [];
    const present = await seedCases(engine, {
      cases: 3000,
      tenants: 5,
      chunk: 1000,
      onProgress: (done) => progress.push(done),
    });

    // when
    const answers = [];
    for (const scenario of await scenarios(base, present, 5)) {
      const { path, body, token } = scenario.request(7);
      const response = await fetch(`${base}${path}`, {
        method: scenario.method,
        headers: { authorization: token, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      answers.push({
        name: scenario.name,
        status: response.status,
        body: (await response.json()) as Record<string, any>,
      });
    }

    // then
    expect(present).toBe(3000);
    expect(progress).toEqual([1000, 2000, 3000]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    const [byStatus, byBusinessKey, byVariable, tasks, history] = answers.map((answer) => answer.body);
    // 600 cases per tenant, 7 in 10 active
    expect(byStatus.page.totalItems).toBe(420);
    expect(byStatus.items).toHaveLength(50);
    expect(byBusinessKey.items).toHaveLength(1);
    expect(byVariable.items).toHaveLength(1);
    expect(byVariable.items[0].processInstanceKey).toBe(String(100_000_000_000 + 1 + ((7 * 7919) % 3000)));
    expect(tasks.page.totalItems).toBeGreaterThan(0);
    expect(
      tasks.items.every(
        (task: { candidateGroups: string[]; assignee: string | null }) => task.candidateGroups.length === 1,
      ),
    ).toBe(true);
    expect(history.items.map((item: { intent: string }) => item.intent)).toEqual([
      'ELEMENT_ACTIVATED',
      'ELEMENT_ACTIVATED',
      'ELEMENT_COMPLETED',
    ]);
  });
});
