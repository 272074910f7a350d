/**
 * The due-scan loop. Safe with several engine processes: every scan takes its rows with
 * `FOR UPDATE SKIP LOCKED`, so two processes never fire the same timer, and fires them in the same
 * transaction (TRIGGER_TIMER on the locked root; a timer start event creates an instance and re-arms its
 * cycle). Timers due while no engine ran fire once on the next scan. Each tick also delivers the event
 * outbox (signals and messages thrown by processes), drops expired buffered messages and clears expired
 * job leases. `wake()` moves the next tick forward when a commit created a timer that is due soon.
 */
import { errorCode } from '../errors.js';
import type { CaseNumbers } from '../services/case-number.js';
import type { EngineContext } from '../services/engine-context.js';
import { releaseExpiredLeases } from '../services/job.service.js';
import { broadcastInUnit, publishInUnit } from '../services/message.service.js';
import { compareKeys } from '../store/unit-of-work.js';
import { nextTimerStart } from './timer-start.js';

const SCHEDULER_ACTOR = { actor: 'engine:scheduler' };

export interface SchedulerOptions {
  /** time between scans, default 1000 ms */
  readonly intervalMs?: number;
  /** rows per scan and transaction, default 100 */
  readonly batchSize?: number;
}

export interface TickResult {
  readonly timersFired: number;
  readonly outboxDelivered: number;
  readonly messagesExpired: number;
  readonly leasesReleased: number;
}

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private nextTickAt = Infinity;
  private running: Promise<TickResult> | undefined;
  private again = false;
  private started = false;
  readonly intervalMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly ctx: EngineContext,
    private readonly caseNumbers: CaseNumbers,
    options: SchedulerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    ctx.onCommit((effects) => {
      if (effects.outboxEvents > 0) this.wake(0);
      if (effects.earliestTimer !== undefined) this.wake(effects.earliestTimer - this.ctx.clock());
    });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextTickAt = Infinity;
    await this.running?.catch(() => undefined);
  }

  /** Asks for a scan within `inMs` (earlier than the regular interval). */
  wake(inMs = 0): void {
    if (!this.started) return;
    if (inMs >= this.intervalMs) return;
    this.schedule(Math.max(0, inMs));
  }

  private schedule(delay: number): void {
    const at = Date.now() + delay;
    if (this.timer && at >= this.nextTickAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextTickAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextTickAt = Infinity;
      void this.tick()
        .catch((error) =>
          this.ctx.logger.error({ err: error }, 'Expected the scheduler tick to succeed, but it failed.'),
        )
        .finally(() => {
          if (this.started) this.schedule(this.again ? 0 : this.intervalMs);
        });
    }, delay);
    this.timer.unref?.();
  }

  /** One scan: fires due timers, delivers the outbox, expires messages and leases. Serialized per process. */
  async tick(): Promise<TickResult> {
    if (this.running) return this.running;
    this.running = this.scan().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async scan(): Promise<TickResult> {
    const timers = await this.fireDueTimers();
    const outbox = await this.deliverOutbox();
    const messagesExpired = await this.expireMessages();
    const leasesReleased = await releaseExpiredLeases(this.ctx);
    this.again = timers >= this.batchSize || outbox >= this.batchSize;
    return { timersFired: timers, outboxDelivered: outbox, messagesExpired, leasesReleased };
  }

  /**
   * Instance timers lock their ROOT rows with SKIP LOCKED (never the timer rows, which a command holding the
   * root may be deleting), so a busy instance is simply taken on the next scan and nobody ever waits.
   * Timer start events (no root) lock their timer row.
   */
  private async fireDueTimers(): Promise<number> {
    return this.ctx.transact(async (uow) => {
      const due = new Date(uow.now);
      const instanceTimers = await uow.trx
        .selectFrom('timer')
        .innerJoin('process_instance as root', 'root.key', 'timer.root_key')
        .select([
          'timer.key as timer_key',
          'root.key',
          'root.tenant_id',
          'root.business_key',
          'root.state_doc',
          'root.doc_version',
          'root.history_seq',
          'root.last_hash',
        ])
        .where('timer.due_at', '<=', due)
        .orderBy('timer.due_at')
        .limit(this.batchSize)
        .forUpdate('root')
        .skipLocked()
        .execute();
      uow.adoptLockedRoots(instanceTimers);
      for (const timer of [...instanceTimers].sort((a, b) => compareKeys(a.key, b.key))) {
        const result = await uow.execute(
          timer.key,
          { type: 'TRIGGER_TIMER', timerKey: timer.timer_key },
          { tolerateRejection: true },
        );
        if (result.rejection) {
          const state = uow.state(timer.key);
          if (result.rejection.type === 'NOT_FOUND' || state?.ended || !state?.timers[timer.timer_key]) {
            // the instance no longer waits for it (ended, or the state moved on): the row is an orphan
            await uow.trx.deleteFrom('timer').where('key', '=', timer.timer_key).execute();
          } else {
            this.ctx.logger.warn(
              { timerKey: timer.timer_key, rejection: result.rejection },
              'Expected the due timer to fire, but it was rejected; it is retried on the next scan.',
            );
          }
        }
      }
      const startTimers = await uow.trx
        .selectFrom('timer')
        .selectAll()
        .where('root_key', 'is', null)
        .where('due_at', '<=', due)
        .orderBy('due_at')
        .limit(this.batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const timer of startTimers) {
        const businessKey = await this.caseNumbers.next(uow.trx, timer.tenant_id, uow.now);
        const result = await uow.execute(
          undefined,
          {
            type: 'CREATE_INSTANCE',
            processDefinitionKey: timer.process_definition_key!,
            startElementId: timer.element_id,
          },
          { businessKey, tolerateRejection: true },
        );
        if (result.rejection)
          this.ctx.logger.warn(
            { timerKey: timer.key, rejection: result.rejection },
            'Expected the timer start event to start an instance, but it was rejected.',
          );
        const next = nextTimerStart(
          { dueDate: timer.due_at.getTime(), repetitions: timer.repetitions, interval: timer.interval },
          uow.now,
        );
        if (next)
          await uow.trx
            .updateTable('timer')
            .set({ due_at: new Date(next.dueDate), repetitions: next.repetitions })
            .where('key', '=', timer.key)
            .execute();
        else await uow.trx.deleteFrom('timer').where('key', '=', timer.key).execute();
      }
      return instanceTimers.length + startTimers.length;
    }, SCHEDULER_ACTOR);
  }

  private async deliverOutbox(): Promise<number> {
    return this.ctx.transact(async (uow) => {
      const events = await uow.trx
        .selectFrom('event_outbox')
        .selectAll()
        .orderBy('key')
        .limit(this.batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const event of events) {
        try {
          if (event.event_kind === 'SIGNAL')
            await broadcastInUnit(
              uow,
              this.ctx,
              this.caseNumbers,
              event.tenant_id,
              event.name,
              event.variables,
              event.origin_root_key ?? undefined,
            );
          else {
            await publishInUnit(
              uow,
              this.ctx,
              this.caseNumbers,
              {
                tenantId: event.tenant_id,
                name: event.name,
                correlationKey: event.correlation_key ?? '',
                variables: event.variables,
                timeToLiveMs: 0,
              },
              'publish',
            );
          }
        } catch (error) {
          if (errorCode(error) !== 'COMMAND_REJECTED') throw error;
          this.ctx.logger.warn(
            { eventKey: event.key, err: error },
            'Expected the thrown event to be delivered, but it was rejected.',
          );
        }
      }
      if (events.length > 0)
        await uow.trx
          .deleteFrom('event_outbox')
          .where(
            'key',
            'in',
            events.map((event) => event.key),
          )
          .execute();
      return events.length;
    }, SCHEDULER_ACTOR);
  }

  private async expireMessages(): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom('message')
      .where('expires_at', '<=', new Date(this.ctx.clock()))
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }
}
