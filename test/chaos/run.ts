/**
 * `npm run chaos`: the chaos run with 300 cases (CHAOS_CASES) on a fresh database, PostgreSQL restart and
 * FLUSHALL included; writes reports/chaos.json. Needs PostgreSQL and Redis on loopback (as the tests) and
 * the right to restart the local PostgreSQL cluster (CHAOS_RESTART_POSTGRES=false to skip that fault).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';
import { runChaos } from './chaos.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cases = Number(process.env.CHAOS_CASES ?? 300);

const url = await createFreshDatabase('chaos');
console.log(`Chaos run: ${cases} cases of the reference process, two worker processes, faults injected`);
try {
  const report = await runChaos({
    databaseUrl: url,
    redisUrl: process.env.CHAOS_REDIS_URL ?? 'redis://127.0.0.1:6379',
    cases,
    restartPostgres: process.env.CHAOS_RESTART_POSTGRES !== 'false',
    flushAll: process.env.CHAOS_FLUSHALL !== 'false',
    timeoutMs: Number(process.env.CHAOS_TIMEOUT_MS ?? 20 * 60_000),
    log: (line) => console.log(line),
  });
  for (const fault of report.faults) console.log(`  fault: ${fault}`);
  const { faults: _faults, ...summary } = report;
  console.log(JSON.stringify(summary, null, 2));
  mkdirSync(join(repo, 'reports'), { recursive: true });
  writeFileSync(
    join(repo, 'reports/chaos.json'),
    JSON.stringify(
      {
        cases: report.cases,
        completed: report.completed,
        incidentsResolved: report.incidentsResolved,
        duplicateEffects: report.duplicateEffects,
        lostJobs: report.lostJobs,
        faultsInjected: report.faultsInjected,
        repeatsAbsorbed: report.repeatsAbsorbed,
        faults: report.faults,
        seconds: report.seconds,
      },
      null,
      2,
    ),
  );
  console.log('written reports/chaos.json');
  process.exitCode =
    report.completed === report.cases && report.duplicateEffects === 0 && report.lostJobs === 0 ? 0 : 1;
} finally {
  await dropDatabase(url).catch(() => undefined);
}
