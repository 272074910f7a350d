/**
 * The runtime part of the conformance yardstick in the test suite: a slice of betsy groups executed on
 * the durable engine on PostgreSQL through the same generic adapter as `npm run conformance`, and the
 * whole suite on the pure runtime. Thresholds are the bar of issue #2; the full report comes from
 * `npm run conformance`.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { adaptModel, loadBetsyTests, runBetsy } from './betsy.js';
import { engineDriver } from './engine-driver.js';
import { harnessDriver } from './harness-driver.js';

const here = dirname(fileURLToPath(import.meta.url));
const betsyRoot = join(resolve(process.env.SHARED_DIR ?? join(here, '../../..', 'shared')), 'conformance/betsy');

describe('betsy conformance slice', () => {
  it('should pass at least 110 of the 136 betsy tests on the pure runtime', async () => {
    // when
    const result = await runBetsy(harnessDriver(), betsyRoot);

    // then
    expect(result.total).toBe(136);
    expect(result.passed).toBeGreaterThanOrEqual(110);
  });

  it('should pass the basics, gateways and errors groups on the durable engine as on the pure runtime', async () => {
    // given
    const inGroups = (test: { group: string }) => ['basics', 'gateways', 'errors', 'data'].includes(test.group);
    const { driver, close } = await engineDriver();

    // when
    const durable = await runBetsy(driver, betsyRoot, { only: inGroups }).finally(close);
    const pure = await runBetsy(harnessDriver(), betsyRoot, { only: inGroups });

    // then
    expect(durable.failures.map((f) => f.test)).toEqual(pure.failures.map((f) => f.test));
    expect(durable.passed).toBeGreaterThanOrEqual(28);
  }, 120_000);

  it('should let the durable engine deploy every betsy model whose FEEL translation is valid', async () => {
    // given
    const { driver, close } = await engineDriver();
    const rejected: string[] = [];

    // when
    try {
      let tenant = 0;
      for (const test of loadBetsyTests(betsyRoot)) {
        const deployed = await driver.deploy(
          `deploy-${++tenant}`,
          test.bpmnFile,
          adaptModel(readFileSync(join(betsyRoot, test.bpmnFile), 'utf8')),
        );
        const expectsRejection = test.cases.every((c) => c.expectedTrace.includes('ERROR'));
        if (!deployed.ok && !expectsRejection) rejected.push(`${test.name}: ${deployed.reason}`);
      }
    } finally {
      await close();
    }

    // then only the suite's own typo (a stray '>' in a condition, see betsy/README.md) is refused
    expect(rejected).toEqual([
      expect.stringMatching(/^Conditional_StartEvent_EventSubProcess_NonInterrupting: .*valid FEEL expression/),
    ]);
  }, 120_000);
});
