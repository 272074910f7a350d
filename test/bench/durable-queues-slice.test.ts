/**
 * A small slice of the durable straight-through benchmark with its jobs through BullMQ and two separate
 * worker processes (`BENCH_ONLY=durable-queues`), with and without group commit: every started case runs
 * through its three service tasks to the end, no job is left over, and the history chains hold. Timing is
 * the benchmark's business.
 */
import type { Engine } from '../../engine/src/index.js';
import { durableThroughput } from './durable.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function expectAllCompleted(engine: Engine, started: number): Promise<void> {
  const completed = await engine.searchInstances({ bpmnProcessId: 'straight', state: 'COMPLETED', limit: 1000 });
  expect(completed).toHaveLength(started);
  expect(await engine.searchInstances({ bpmnProcessId: 'straight', state: 'ACTIVE', limit: 10 })).toHaveLength(0);
  expect((await engine.db.selectFrom('job').select('key').execute()).length).toBe(0);
  for (const instance of completed.slice(0, 10)) {
    const verification = await engine.verifyHistory(instance.processInstanceKey);
    expect(verification.valid).toBe(true);
    // start + three completions, each its own history entry
    expect(verification.entries).toBe(4);
  }
}

describe('durable straight-through through BullMQ benchmark slice', () => {
  it.each([true, false])(
    'should carry every case through three jobs in worker processes to its end (group commit %s)',
    async (groupCommit) => {
      // the benchmark warms up with 100 cases before it measures
      const result = await durableThroughput('straight', 60, 8, {
        redisUrl,
        groupCommit,
        inspect: (engine) => expectAllCompleted(engine, 160),
      });
      expect(result.instances).toBe(60);
      expect(result.commitsPerInstance).toBeGreaterThan(0);
    },
    120_000,
  );
});
