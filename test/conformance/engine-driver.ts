/**
 * Runs betsy through the durable engine on PostgreSQL: every case deploys into its own tenant, time is a
 * virtual clock the driver moves forward, and the scheduler's due-scan fires timers and delivers thrown
 * messages and signals exactly as in production.
 */
import { createEngine, type Engine } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';
import { betsyScriptHook, type BetsyDriver } from './betsy.js';

export async function engineDriver(): Promise<{ driver: BetsyDriver; close: () => Promise<void>; name: string }> {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const databaseUrl = await createFreshDatabase('conformance');
  const engine: Engine = await createEngine({
    databaseUrl,
    scriptHook: betsyScriptHook,
    clock: () => now,
    logger: { warn: () => {}, error: () => {} },
  });

  /** Runs due-scans until nothing is left to do at the current virtual time. */
  const settle = async () => {
    for (let i = 0; i < 100; i++) {
      const tick = await engine.scheduler.tick();
      if (tick.timersFired === 0 && tick.outboxDelivered === 0) return;
    }
  };

  const rootKeys = new Map<string, string[]>();
  const instancesOf = async (tenantId: string) => engine.searchInstances({ tenantIds: [tenantId], limit: 1000 });

  const driver: BetsyDriver = {
    async deploy(tenantId, resourceName, xml) {
      try {
        await engine.deploy({ tenantId, resources: [{ name: resourceName.split('/').pop()!, content: xml }] });
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: (error as Error).message };
      }
    },
    async start(tenantId, bpmnProcessId, variables) {
      try {
        const created = await engine.createInstance({ tenantId, bpmnProcessId, variables });
        rootKeys.set(tenantId, [...(rootKeys.get(tenantId) ?? []), created.processInstanceKey]);
        await settle();
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: (error as Error).message };
      }
    },
    async advance(_tenantId, ms) {
      await settle();
      // move in half-second steps so chained and repeating timers fire in order
      for (let passed = 0; passed < ms; passed += 500) {
        now += Math.min(500, ms - passed);
        await settle();
      }
    },
    async effects(tenantId) {
      const effects: unknown[] = [];
      const roots = new Set((await instancesOf(tenantId)).map((instance) => instance.rootProcessInstanceKey));
      for (const root of roots) {
        for (const entry of await engine.getHistory(root, { tenantIds: [tenantId] })) {
          if (entry.valueType === 'SCRIPT_EFFECT') effects.push(entry.value.effect);
        }
      }
      return effects;
    },
    async incidents(tenantId) {
      return (await engine.searchIncidents({ tenantIds: [tenantId], limit: 1000 })).map((incident) => ({
        errorType: incident.errorType,
        message: incident.errorMessage,
      }));
    },
  };
  const close = async () => {
    await engine.close();
    await dropDatabase(databaseUrl);
  };
  return { driver, close, name: 'durable engine on PostgreSQL' };
}
