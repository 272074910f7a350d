/**
 * The runtime part of the conformance yardstick in the test suite: a slice of betsy groups executed on
 * the durable engine on PostgreSQL through the same generic adapter as `npm run conformance`, and the
 * whole suite on the pure runtime. Thresholds are the bar of issue #2; the full report comes from
 * `npm run conformance`.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBetsy } from './betsy.js';
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
});
