import { createInitialState } from '../../../engine/src/runtime/stream-processor.js';
import type { InstanceState, RuntimeRecord } from '../../../engine/src/runtime/types.js';
import type { CompiledQuery } from 'kysely';
import type { Db } from '../../../engine/src/store/database.js';
import { Projection } from '../../../engine/src/store/projection.js';
import { migratedDatabase } from './support.js';

const ROOT = '1000';
const T0 = Date.parse('2026-03-01T10:00:00Z');
let nextKey = 900_000;
const keys = () => String(++nextKey);

function emptyState(patch: Partial<InstanceState> = {}): InstanceState {
  return { ...createInitialState(ROOT, 'berlin'), ...patch };
}

const record = (
  valueType: RuntimeRecord['valueType'],
  intent: RuntimeRecord['intent'],
  key: string,
  value: Record<string, unknown>,
  elementId?: string,
): RuntimeRecord => ({
  valueType,
  intent,
  key,
  processInstanceKey: ROOT,
  ...(elementId ? { elementId } : {}),
  value,
});

const processActivating = record(
  'PROCESS_INSTANCE',
  'ELEMENT_ACTIVATING',
  ROOT,
  {
    elementId: 'order',
    elementType: 'PROCESS',
    processInstanceKey: ROOT,
    processDefinitionKey: '77',
    bpmnProcessId: 'order',
    version: 3,
    tenantId: 'berlin',
    flowScopeKey: null,
  },
  'order',
);
const jobCreated = (key: string) =>
  record(
    'JOB',
    'CREATED',
    key,
    {
      type: 'payment',
      retries: 3,
      elementInstanceKey: '1002',
      elementId: 'pay',
      processInstanceKey: ROOT,
      processDefinitionKey: '77',
      bpmnProcessId: 'order',
      customHeaders: { fee: '12.50' },
      tenantId: 'berlin',
    },
    'pay',
  );

describe('projection', () => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await migratedDatabase('projection'));
  });
  afterAll(async () => close());

  async function project(records: RuntimeRecord[], state: InstanceState = emptyState(), at = T0): Promise<Projection> {
    const projection = new Projection(keys);
    projection.add({ rootKey: ROOT, tenantId: 'berlin', records, state, businessKey: '2026-000001', at });
    await db.transaction().execute((trx) => projection.write(trx));
    return projection;
  }

  it('should insert a process instance row on PROCESS activation and end it on completion', async () => {
    // given
    await project([processActivating]);

    // when
    const active = await db
      .selectFrom('process_instance')
      .selectAll()
      .where('key', '=', ROOT)
      .executeTakeFirstOrThrow();
    await project(
      [record('PROCESS_INSTANCE', 'ELEMENT_COMPLETED', ROOT, { elementType: 'PROCESS' }, 'order')],
      emptyState(),
      T0 + 5000,
    );

    // then
    expect(active).toMatchObject({
      tenant_id: 'berlin',
      root_key: ROOT,
      parent_key: null,
      bpmn_process_id: 'order',
      version: 3,
      state: 'ACTIVE',
      business_key: '2026-000001',
      has_incident: false,
    });
    const ended = await db.selectFrom('process_instance').selectAll().where('key', '=', ROOT).executeTakeFirstOrThrow();
    expect(ended.state).toBe('COMPLETED');
    expect(ended.end_date?.getTime()).toBe(T0 + 5000);
  });

  it('should insert a called instance with its parent keys', async () => {
    // when
    await project([
      record(
        'PROCESS_INSTANCE',
        'ELEMENT_ACTIVATING',
        '1100',
        {
          elementId: 'sub',
          elementType: 'PROCESS',
          processInstanceKey: '1100',
          processDefinitionKey: '78',
          bpmnProcessId: 'sub',
          version: 1,
          tenantId: 'berlin',
          flowScopeKey: null,
          parentElementInstanceKey: '1050',
          parentProcessInstanceKey: ROOT,
        },
        'sub',
      ),
      record('PROCESS_INSTANCE', 'ELEMENT_TERMINATED', '1100', { elementType: 'PROCESS' }, 'sub'),
    ]);

    // then
    const child = await db
      .selectFrom('process_instance')
      .selectAll()
      .where('key', '=', '1100')
      .executeTakeFirstOrThrow();
    expect(child).toMatchObject({
      root_key: ROOT,
      parent_key: ROOT,
      parent_element_instance_key: '1050',
      state: 'TERMINATED',
    });
  });

  it('should insert, fail, update and delete jobs', async () => {
    // given
    await project([jobCreated('2001'), jobCreated('2002'), jobCreated('2003')]);

    // when
    await project([
      record('JOB', 'FAILED', '2001', {
        elementInstanceKey: '1002',
        retries: 2,
        retryAt: T0 + 60_000,
        errorMessage: 'gateway down',
      }),
      record('JOB', 'RETRIES_UPDATED', '2002', { elementInstanceKey: '1002', retries: 7 }),
      record('JOB', 'COMPLETED', '2003', { elementInstanceKey: '1002', variables: {} }),
    ]);

    // then
    const jobs = await db.selectFrom('job').selectAll().orderBy('key').execute();
    expect(jobs.map((job) => [job.key, job.retries, job.retry_at?.getTime() ?? null, job.error_message])).toEqual([
      ['2001', 2, T0 + 60_000, 'gateway down'],
      ['2002', 7, null, null],
    ]);
    expect(jobs[0]).toMatchObject({
      type: 'payment',
      root_key: ROOT,
      element_id: 'pay',
      custom_headers: { fee: '12.50' },
    });
  });

  it('should patch rows of the same columns in one UPDATE and the others row by row', async () => {
    // given
    await project([jobCreated('2911'), jobCreated('2912'), jobCreated('2913')]);
    const projection = new Projection(keys);
    projection.add({
      rootKey: ROOT,
      tenantId: 'berlin',
      records: [
        record('JOB', 'FAILED', '2911', { elementInstanceKey: '1002', retries: 2, retryAt: T0, errorMessage: "it's" }),
        record('JOB', 'FAILED', '2912', { elementInstanceKey: '1002', retries: 0, errorMessage: 'C:\\dir' }),
        record('JOB', 'RETRIES_UPDATED', '2913', { elementInstanceKey: '1002', retries: 9 }),
      ],
      state: emptyState(),
      businessKey: null,
      at: T0,
    });
    const sent: string[] = [];

    // when
    await db.transaction().execute((trx) =>
      projection.write(
        new Proxy(trx, {
          get: (target, property) =>
            property === 'executeQuery'
              ? (query: CompiledQuery) => (sent.push(query.sql), target.executeQuery(query))
              : (Reflect.get(target, property) as unknown),
        }),
      ),
    );

    // then
    expect(sent).toHaveLength(1);
    expect(sent[0].match(/UPDATE "job"/g)).toHaveLength(2);
    expect(sent[0]).toContain('FROM (VALUES');
    const jobs = await db
      .selectFrom('job')
      .select(['key', 'retries', 'retry_at', 'error_message'])
      .where('key', 'in', ['2911', '2912', '2913'])
      .orderBy('key')
      .execute();
    expect(jobs).toEqual([
      { key: '2911', retries: 2, retry_at: new Date(T0), error_message: "it's" },
      { key: '2912', retries: 0, retry_at: null, error_message: 'C:\\dir' },
      { key: '2913', retries: 9, retry_at: null, error_message: null },
    ]);
  });

  it('should not touch the database for a job created and canceled in the same unit', async () => {
    // when
    await project([
      jobCreated('2101'),
      record('JOB', 'CANCELED', '2101', { elementInstanceKey: '1002', type: 'payment' }),
    ]);
    await project([jobCreated('2102')]);
    await project([record('JOB', 'ERROR_THROWN', '2102', { elementInstanceKey: '1002', errorCode: 'REJECTED' })]);

    // then
    expect(await db.selectFrom('job').select('key').where('key', 'in', ['2101', '2102']).execute()).toEqual([]);
  });

  it('should insert and delete timers and remember the earliest due date', async () => {
    // when
    const projection = await project([
      record('TIMER', 'CREATED', '3001', {
        elementInstanceKey: '1003',
        targetElementId: 'wait',
        processInstanceKey: ROOT,
        dueDate: T0 + 10_000,
        repetitions: 0,
        tenantId: 'berlin',
      }),
      record('TIMER', 'CREATED', '3002', {
        elementInstanceKey: '1003',
        targetElementId: 'remind',
        processInstanceKey: ROOT,
        dueDate: T0 + 5_000,
        repetitions: -1,
        interval: 'PT5S',
        tenantId: 'berlin',
      }),
    ]);
    await project([record('TIMER', 'TRIGGERED', '3001', { elementInstanceKey: '1003' })]);

    // then
    expect(projection.earliestTimer).toBe(T0 + 5_000);
    const timers = await db.selectFrom('timer').selectAll().execute();
    expect(timers).toEqual([
      expect.objectContaining({ key: '3002', element_id: 'remind', repetitions: -1, interval: 'PT5S', root_key: ROOT }),
    ]);
    await project([record('TIMER', 'CANCELED', '3002', { elementInstanceKey: '1003' })]);
    expect(await db.selectFrom('timer').selectAll().execute()).toEqual([]);
  });

  it('should keep a non-interrupting message subscription after correlation and drop an interrupting one', async () => {
    // given
    const subscription = (key: string, interrupting: boolean) =>
      record('MESSAGE_SUBSCRIPTION', 'CREATED', key, {
        elementInstanceKey: '1004',
        targetElementId: 'paid',
        processInstanceKey: ROOT,
        bpmnProcessId: 'order',
        messageName: 'payment-received',
        correlationKey: 'A-1',
        interrupting,
        tenantId: 'berlin',
      });
    await project([subscription('4001', true), subscription('4002', false), subscription('4003', true)]);
    const state = emptyState({
      messageSubscriptions: {
        '4002': {
          key: '4002',
          elementInstanceKey: '1004',
          targetElementId: 'paid',
          processInstanceKey: ROOT,
          messageName: 'payment-received',
          correlationKey: 'A-1',
          interrupting: false,
        },
      },
    });

    // when
    await project(
      [
        record('MESSAGE_SUBSCRIPTION', 'CORRELATED', '4001', { messageName: 'payment-received' }),
        record('MESSAGE_SUBSCRIPTION', 'CORRELATED', '4002', { messageName: 'payment-received' }),
        record('MESSAGE_SUBSCRIPTION', 'DELETED', '4003', { messageName: 'payment-received' }),
      ],
      state,
    );

    // then
    const rows = await db.selectFrom('message_subscription').selectAll().execute();
    expect(rows).toEqual([
      expect.objectContaining({
        key: '4002',
        message_name: 'payment-received',
        correlation_key: 'A-1',
        interrupting: false,
      }),
    ]);
  });

  it('should project signal subscriptions', async () => {
    // when
    await project([
      record('SIGNAL_SUBSCRIPTION', 'CREATED', '5001', {
        elementInstanceKey: '1005',
        targetElementId: 'alarm',
        processInstanceKey: ROOT,
        signalName: 'storm',
        tenantId: 'berlin',
      }),
      record('SIGNAL_SUBSCRIPTION', 'CREATED', '5002', {
        elementInstanceKey: '1005',
        targetElementId: 'alarm2',
        processInstanceKey: ROOT,
        signalName: 'storm',
        tenantId: 'berlin',
      }),
    ]);
    await project([record('SIGNAL_SUBSCRIPTION', 'DELETED', '5001', { signalName: 'storm' })]);

    // then
    expect(await db.selectFrom('signal_subscription').select(['key', 'signal_name']).execute()).toEqual([
      { key: '5002', signal_name: 'storm' },
    ]);
  });

  it('should create, assign and complete user tasks', async () => {
    // given
    const created = (key: string) =>
      record('USER_TASK', 'CREATED', key, {
        elementInstanceKey: '1006',
        elementId: 'review',
        processInstanceKey: ROOT,
        processDefinitionKey: '77',
        bpmnProcessId: 'order',
        tenantId: 'berlin',
        name: 'Antrag prüfen',
        assignee: null,
        candidateGroups: ['sachbearbeitung', 'leitung'],
        candidateUsers: [],
        dueDate: '2026-03-08T10:00:00Z',
        followUpDate: 'not a date',
        priority: 60,
        formKey: null,
        formId: 'antrag',
        creationDate: T0,
      });
    await project([created('6001'), created('6002')]);

    // when
    await project(
      [
        record('USER_TASK', 'ASSIGNED', '6001', { assignee: 'erika' }),
        record('USER_TASK', 'COMPLETED', '6002', { variables: { approved: true } }),
      ],
      emptyState(),
      T0 + 1000,
    );

    // then
    const tasks = await db.selectFrom('user_task').selectAll().orderBy('key').execute();
    expect(tasks[0]).toMatchObject({
      key: '6001',
      assignee: 'erika',
      state: 'CREATED',
      name: 'Antrag prüfen',
      candidate_groups: ['sachbearbeitung', 'leitung'],
      candidate_users: [],
      priority: 60,
      form_id: 'antrag',
      follow_up_date: null,
    });
    expect(tasks[0].due_date?.toISOString()).toBe('2026-03-08T10:00:00.000Z');
    expect(tasks[1]).toMatchObject({ key: '6002', state: 'COMPLETED' });
    expect(tasks[1].completion_date?.getTime()).toBe(T0 + 1000);
  });

  it('should create and resolve incidents and keep the instance incident flag', async () => {
    // given
    await project(
      [processActivating].map((r) => ({
        ...r,
        key: '1200',
        processInstanceKey: '1200',
        value: { ...r.value, processInstanceKey: '1200' },
      })),
    );
    const incident = {
      key: '7001',
      errorType: 'JOB_NO_RETRIES',
      errorMessage: 'boom',
      elementInstanceKey: '1007',
      elementId: 'pay',
      processInstanceKey: '1200',
      creationDate: T0,
    };
    const created = {
      ...record('INCIDENT', 'CREATED', '7001', {
        ...incident,
        processDefinitionKey: '77',
        bpmnProcessId: 'order',
        tenantId: 'berlin',
        jobKey: '2001',
      }),
      processInstanceKey: '1200',
    };

    // when
    await project([created], emptyState({ incidents: { '7001': incident } }));
    const flagged = await db
      .selectFrom('process_instance')
      .select('has_incident')
      .where('key', '=', '1200')
      .executeTakeFirstOrThrow();
    await project(
      [{ ...record('INCIDENT', 'RESOLVED', '7001', { elementInstanceKey: '1007' }), processInstanceKey: '1200' }],
      emptyState(),
      T0 + 2000,
    );

    // then
    expect(flagged.has_incident).toBe(true);
    expect(
      await db
        .selectFrom('process_instance')
        .select('has_incident')
        .where('key', '=', '1200')
        .executeTakeFirstOrThrow(),
    ).toEqual({ has_incident: false });
    expect(
      await db
        .selectFrom('incident')
        .select(['state', 'error_type', 'job_key'])
        .where('key', '=', '7001')
        .executeTakeFirstOrThrow(),
    ).toEqual({ state: 'RESOLVED', error_type: 'JOB_NO_RETRIES', job_key: '2001' });
  });

  it('should put thrown signals and messages into the event outbox', async () => {
    // when
    await project([
      record('SIGNAL', 'BROADCAST', '8001', { signalName: 'storm', variables: {}, tenantId: 'berlin' }),
      record('MESSAGE', 'PUBLISHED', '8002', {
        name: 'done',
        correlationKey: 'A-1',
        variables: {},
        tenantId: 'berlin',
      }),
    ]);

    // then
    const events = await db
      .selectFrom('event_outbox')
      .select(['event_kind', 'name', 'correlation_key', 'tenant_id'])
      .orderBy('key')
      .execute();
    expect(events).toEqual([
      { event_kind: 'SIGNAL', name: 'storm', correlation_key: null, tenant_id: 'berlin' },
      { event_kind: 'MESSAGE', name: 'done', correlation_key: 'A-1', tenant_id: 'berlin' },
    ]);
  });
});
