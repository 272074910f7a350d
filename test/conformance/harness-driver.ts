/** Runs betsy against the pure runtime in memory (fast feedback while developing the runtime). */
import { RuntimeHarness } from '../engine/harness.js';
import { betsyScriptHook, type BetsyDriver } from './betsy.js';

export function harnessDriver(): BetsyDriver {
  const harnesses = new Map<string, RuntimeHarness>();
  const get = (tenantId: string) => {
    let harness = harnesses.get(tenantId);
    if (!harness) harnesses.set(tenantId, (harness = new RuntimeHarness({ scriptHook: betsyScriptHook })));
    return harness;
  };
  return {
    async deploy(tenantId, _name, xml) {
      try {
        await get(tenantId).deploy(xml);
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: (error as Error).message };
      }
    },
    async start(tenantId, processId, variables) {
      try {
        get(tenantId).start(processId, variables);
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: (error as Error).message };
      }
    },
    async advance(tenantId, ms) {
      const harness = get(tenantId);
      // fire due timers in small steps so cycles and chained timers behave as in real time
      for (let passed = 0; passed < ms; passed += 500) harness.advance(Math.min(500, ms - passed));
    },
    async effects(tenantId) {
      return get(tenantId)
        .records.filter((r) => r.valueType === 'SCRIPT_EFFECT')
        .map((r) => r.value.effect);
    },
    async incidents(tenantId) {
      return get(tenantId)
        .incidents()
        .map((i) => ({ errorType: i.errorType, message: i.errorMessage }));
    },
  };
}
