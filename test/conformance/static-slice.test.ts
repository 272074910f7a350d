/**
 * The fast, static part of the conformance yardstick (no process runs): every betsy runtime model
 * deploys, the betsy bpmn_constraints models are rejected, and the MIWG models survive an export round
 * trip with all their ids. The full run with execution is `npm run conformance`.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runConstraints } from './constraints.js';
import { runMiwg } from './miwg.js';
import { runValidModels } from './valid-models.js';

const here = dirname(fileURLToPath(import.meta.url));
const conformance = join(resolve(process.env.SHARED_DIR ?? join(here, '../../..', 'shared')), 'conformance');

describe('static conformance slice', () => {
  it('should deploy every betsy runtime model that betsy expects to run', async () => {
    // when
    const result = await runValidModels(join(conformance, 'betsy'));

    // then
    expect(result.wronglyRejected).toEqual([]);
    expect(result.accepted).toBeGreaterThanOrEqual(135);
  });

  it('should reject at least 200 of the 301 betsy bpmn_constraints models', async () => {
    // when
    const result = await runConstraints(join(conformance, 'betsy/bpmn_constraints'));

    // then
    expect(result.total).toBe(301);
    expect(result.rejected).toBeGreaterThanOrEqual(200);
  });

  it('should import all 21 MIWG reference models and keep every id through export and re-import', async () => {
    // when
    const result = await runMiwg(join(conformance, 'miwg'));

    // then
    expect(result.failures).toEqual([]);
    expect(result.imported).toBe(21);
  });
});
