/**
 * `npm run conformance`: the external yardstick. Runs betsy through the durable engine on PostgreSQL,
 * deploys the bpmn_constraints models (each must be rejected) and round-trips the MIWG models.
 * Prints per group and writes reports/conformance.json.
 *
 * Environment: CONFORMANCE_DRIVER=memory runs betsy on the pure runtime instead (fast feedback),
 * BETSY_ONLY=<substring> limits the betsy tests, SHARED_DIR points at ../shared.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBetsy, type BetsyDriver } from './betsy.js';
import { runConstraints } from './constraints.js';
import { harnessDriver } from './harness-driver.js';
import { runMiwg } from './miwg.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const shared = resolve(process.env.SHARED_DIR ?? join(repo, '..', 'shared'));

async function createDriver(): Promise<{ driver: BetsyDriver; close: () => Promise<void>; name: string }> {
  if (process.env.CONFORMANCE_DRIVER === 'memory')
    return { driver: harnessDriver(), close: async () => {}, name: 'in-memory runtime' };
  const { engineDriver } = await import('./engine-driver.js');
  return engineDriver();
}

async function main(): Promise<void> {
  const { driver, close, name } = await createDriver();
  const only = process.env.BETSY_ONLY;
  const log = (line: string) => {
    if (process.env.VERBOSE || line.startsWith('FAIL')) console.log(line);
  };
  console.log(`betsy on the ${name} …`);
  const betsy = await runBetsy(driver, join(shared, 'conformance/betsy'), {
    only: only ? (test) => test.name.includes(only) : undefined,
    log,
  });
  await close();

  const constraints = await runConstraints(join(shared, 'conformance/betsy/bpmn_constraints'));
  const miwg = await runMiwg(join(shared, 'conformance/miwg'));

  console.log('\nbetsy (runtime conformance)');
  for (const [group, counts] of Object.entries(betsy.groups))
    console.log(`  ${group.padEnd(12)} ${counts.passed}/${counts.total}`);
  console.log(
    `  ${'total'.padEnd(12)} ${betsy.passed}/${betsy.total} (${((100 * betsy.passed) / betsy.total).toFixed(1)} %)`,
  );
  console.log(`bpmn_constraints rejected: ${constraints.rejected}/${constraints.total}`);
  console.log(`MIWG imported with ids kept: ${miwg.imported}/${miwg.total}`);
  if (betsy.failures.length) {
    console.log('\nbetsy failures:');
    for (const failure of betsy.failures) console.log(`  ${failure.group}/${failure.test}: ${failure.reason}`);
  }
  if (miwg.failures.length) console.log('\nMIWG failures:', JSON.stringify(miwg.failures, null, 2));

  mkdirSync(join(repo, 'reports'), { recursive: true });
  const report = {
    generatedAt: new Date().toISOString(),
    driver: name,
    betsy: { passed: betsy.passed, total: betsy.total, groups: betsy.groups, failures: betsy.failures },
    constraints: { rejected: constraints.rejected, total: constraints.total, accepted: constraints.failures },
    miwg: { imported: miwg.imported, total: miwg.total, failures: miwg.failures },
  };
  writeFileSync(join(repo, 'reports/conformance.json'), JSON.stringify(report, null, 2));
  console.log('\nwritten reports/conformance.json');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
