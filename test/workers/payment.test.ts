/**
 * E-payment end to end on PostgreSQL: the payment job requests the fee at the provider simulator and puts
 * the link in the case, the process waits for `zahlung-bestaetigt`, the provider notifies the API over
 * real HTTP, the API asks the provider and correlates — and forged, replayed or short-paid notifications
 * change nothing. The day's booking export adds up to the confirmed payments. Each municipality may have
 * its own provider account (`/v2/connectors/payment`): its payments go there, and only its secret makes a
 * notification about them authentic.
 */
import { randomBytes } from 'node:crypto';
import type { Engine, JobInfo } from '../../engine/src/index.js';
import { startPaymentProvider, type PaymentProviderSimulator } from '../../simulators/payment-provider.js';
import { paymentJobType, PAYMENT_TYPE } from '../../workers/src/payment/processor.js';
import { ePayBLProvider, pmPaymentHash, pmPaymentProvider } from '../../workers/src/payment/providers.js';
import { TenantConnectors } from '../../workers/src/shared/connectors.js';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { SecretBox } from '../../workers/src/shared/secret-box.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import { TENANT_A, TENANT_B, testApp, tokenFor, type TestApp } from '../api/support.js';
import { bpmn } from '../engine/services/support.js';
import { quiet, waitFor } from './support.js';

const PROVIDER = {
  ags: '09162000',
  secret: 'pm-payment-secret',
  originatorId: 'muenchen',
  endpointId: 'kvr',
  apiKey: 'epaybl-key',
};
/** Frankfurt's own pmPayment account, at its own provider */
const FRANKFURT = {
  ags: '06412000',
  secret: 'frankfurt-pm-secret',
  originatorId: 'frankfurt',
  endpointId: 'x',
  apiKey: 'x',
};
/** Augsburg pays through its own ePayBL */
const TENANT_C = '097610000000';
const AUGSBURG = { ags: 'x', secret: 'x', originatorId: 'augsburg', endpointId: 'ordnungsamt', apiKey: 'augsburg-key' };
const secrets = new SecretBox(randomBytes(32));

/** start → (body) → wait for the message zahlung-bestaetigt of this case → end */
const waitForPayment = (processId: string, body: string) =>
  bpmn(
    processId,
    `<bpmn:startEvent id="start" />
     ${body}
     <bpmn:intermediateCatchEvent id="zahlungAbwarten"><bpmn:messageEventDefinition messageRef="bestaetigt" /></bpmn:intermediateCatchEvent>
     <bpmn:endEvent id="bezahlt" />
     <bpmn:sequenceFlow id="f2" sourceRef="zahlungAbwarten" targetRef="bezahlt" />`,
    '<bpmn:message id="bestaetigt" name="zahlung-bestaetigt"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseNumber" /></bpmn:extensionElements></bpmn:message>',
  );

const FEE_PROCESS = waitForPayment(
  'gebuehr',
  `
     <bpmn:serviceTask id="gebuehrAnfordern"><bpmn:extensionElements>
       <zeebe:taskDefinition type="${PAYMENT_TYPE}" retries="3" />
       <zeebe:ioMapping>
         <zeebe:input source="=3070" target="amountCents" />
         <zeebe:input source="=&quot;Bewohnerparkausweis&quot;" target="purpose" />
         <zeebe:input source="=[{amountCents: 3070, budgetLine: &quot;1.1.2.1.01&quot;, objectNumber: &quot;4711&quot;}]" target="items" />
       </zeebe:ioMapping>
     </bpmn:extensionElements></bpmn:serviceTask>
     <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gebuehrAnfordern" />
     <bpmn:sequenceFlow id="f1" sourceRef="gebuehrAnfordern" targetRef="zahlungAbwarten" />`,
);

const WAIT_ONLY = waitForPayment(
  'zahlung',
  '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="zahlungAbwarten" />',
);

describe('e-payment (municipal:payment:1 and provider notifications)', () => {
  let api: TestApp;
  let engine: Engine;
  let provider: PaymentProviderSimulator;
  let frankfurt: PaymentProviderSimulator;
  let augsburg: PaymentProviderSimulator;
  let transport: JobTransport;
  let publicUrl: string;
  let admin: string;

  beforeAll(async () => {
    provider = await startPaymentProvider(PROVIDER);
    frankfurt = await startPaymentProvider(FRANKFURT);
    augsburg = await startPaymentProvider(AUGSBURG);
    const settings = { url: provider.url, originatorId: PROVIDER.ags, secret: PROVIDER.secret };
    const pm = pmPaymentProvider({ provider: 'pmpayment', ...settings });
    const epaybl = ePayBLProvider({
      provider: 'epaybl',
      url: provider.url,
      originatorId: PROVIDER.originatorId,
      endpointId: PROVIDER.endpointId,
      secret: PROVIDER.apiKey,
    });
    api = await testApp(
      'workers_payment',
      {},
      { paymentProviders: [pm, epaybl], secrets, engineOptions: { clock: Date.now } },
    );
    engine = api.engine;
    publicUrl = (await api.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    admin = await tokenFor(api.app, { userId: 'kasse', roles: ['admin'] });
    transport = startJobTransport(
      engine,
      [
        paymentJobType({
          engine,
          connectors: new TenantConnectors(engine, secrets, { payment: [pm] }),
          publicUrl,
        }) as JobType<never>,
      ],
      {},
      quiet,
    );
    await engine.start();
    await engine.deploy({ tenantId: TENANT_A, resources: [{ name: 'gebuehr.bpmn', content: FEE_PROCESS }] });
    await engine.deploy({ tenantId: TENANT_A, resources: [{ name: 'zahlung.bpmn', content: WAIT_ONLY }] });
    for (const tenantId of [TENANT_B, TENANT_C])
      await engine.deploy({ tenantId, resources: [{ name: 'gebuehr.bpmn', content: FEE_PROCESS }] });
  });
  afterAll(async () => {
    await transport?.close();
    await provider?.close();
    await frankfurt?.close();
    await augsburg?.close();
    await api?.close();
  });

  const startCase = async (tenantId = TENANT_A) =>
    (await engine.createInstance({ tenantId, bpmnProcessId: 'gebuehr', businessKeyVariable: 'caseNumber' }))
      .processInstanceKey;
  const paymentOf = async (key: string) => {
    await waitFor(async () => (await engine.getInstance(key))?.variables.payment !== undefined);
    return (await engine.getInstance(key))!.variables.payment as {
      transactionId: string;
      paymentUrl: string;
      reference: string;
    };
  };
  const stateOf = async (key: string) => (await engine.getInstance(key))?.state;
  const notification = (provider: string, body: string, contentType = 'application/x-www-form-urlencoded') =>
    fetch(`${publicUrl}/v2/payments/notifications/${provider}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  it('should request the fee, wait, and continue once the provider confirms the notified payment', async () => {
    const key = await startCase();
    const payment = await paymentOf(key);
    expect(payment).toMatchObject({
      transactionId: `pp-${payment.transactionId.slice(3)}`,
      reference: expect.stringMatching(/^2026-/),
    });
    expect(payment.paymentUrl).toBe(`${provider.url}/pay/${payment.transactionId}`);
    expect(await stateOf(key)).toBe('ACTIVE');
    const requested = provider.find((p) => p.transactionId === payment.transactionId)!;
    expect(requested).toMatchObject({
      amountCents: 3070,
      purpose: 'Bewohnerparkausweis',
      reference: payment.reference,
    });
    expect(requested.bookings).toEqual([{ amountCents: 3070, budgetLine: '1.1.2.1.01', objectNumber: '4711' }]);

    // when the applicant pays (the provider then notifies the API)
    await provider.pay(payment.transactionId);

    // then the case continues with the confirmed payment
    await waitFor(async () => (await stateOf(key)) === 'COMPLETED');
    expect((await engine.getInstance(key))!.variables.payment).toMatchObject({ state: 'PAID', amountCents: 3070 });

    // a replayed notification changes nothing
    const replay = await provider.notify(payment.transactionId);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ state: 'PAID', transactionId: payment.transactionId });
    expect(provider.stats().duplicates).toBe(0);
  });

  it('should refuse forged, unknown and short-paid notifications and leave the case waiting', async () => {
    const key = await startCase();
    const { transactionId } = await paymentOf(key);

    const forged = await notification(
      'pmpayment',
      new URLSearchParams({ ags: PROVIDER.ags, txid: transactionId, hash: 'ab'.repeat(32) }).toString(),
    );
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
    expect((await forged.json()).detail).toBe('Expected hash to be the HMAC-SHA256 of ags and txid, but it is not.');

    const unknown = await notification(
      'epaybl',
      JSON.stringify({ transactionId: 'gibt-es-nicht' }),
      'application/json',
    );
    expect(unknown.status).toBe(404);

    // the notification of an unpaid transaction is no payment
    const early = await provider.notify(transactionId);
    expect(await early.json()).toEqual({ state: 'OPEN', transactionId });

    // paid, but less than the fee
    await provider.pay(transactionId, { amountCents: 100, notify: false });
    const short = await provider.notify(transactionId);
    expect(short.status).toBe(409);
    expect((await short.json()).detail).toBe(
      `Expected transaction ${transactionId} to be paid with 3070 cents, but the provider reports 100.`,
    );
    expect(await stateOf(key)).toBe('ACTIVE');
    const row = await engine.db
      .selectFrom('payment')
      .select('state')
      .where('transaction_id', '=', transactionId)
      .executeTakeFirst();
    expect(row?.state).toBe('OPEN');
    expect((await notification('pmpayment', 'txid=')).status).toBe(401);
  });

  it('should speak the ePayBL pattern: REST transaction, unsigned notification, PAYED by status query', async () => {
    const { processInstanceKey, businessKey } = await engine.createInstance({
      tenantId: TENANT_A,
      bpmnProcessId: 'zahlung',
      businessKeyVariable: 'caseNumber',
    });
    const epayblJob = paymentJobType({
      engine,
      connectors: new TenantConnectors(engine, secrets, {
        payment: [
          ePayBLProvider({
            provider: 'epaybl',
            url: provider.url,
            originatorId: PROVIDER.originatorId,
            endpointId: PROVIDER.endpointId,
            secret: PROVIDER.apiKey,
          }),
        ],
      }),
      publicUrl,
    });
    const job: JobInfo = {
      jobKey: '880000000001',
      type: PAYMENT_TYPE,
      tenantId: TENANT_A,
      processInstanceKey,
      rootProcessInstanceKey: processInstanceKey,
      elementInstanceKey: '880000000002',
      elementId: 'gebuehrAnfordern',
      bpmnProcessId: 'zahlung',
      processDefinitionKey: '1',
      retries: 3,
      customHeaders: {},
      variables: { caseNumber: businessKey },
    };
    const input = {
      amountCents: 1250,
      purpose: 'Verwaltungsgebühr',
      items: [
        { amountCents: 1000, budgetLine: '1.1.2.1.01', objectNumber: '4711' },
        { amountCents: 250, budgetLine: '1.1.2.1.02', objectNumber: '4712', description: 'Auslagen' },
      ],
    };
    const { payment } = (await epayblJob.process(job, input)) as { payment: { transactionId: string } };
    // a retried job does not request a second payment
    expect(await epayblJob.process(job, input)).toEqual({ payment });
    expect(provider.find((p) => p.transactionId === payment.transactionId)?.provider).toBe('epaybl');

    await provider.pay(payment.transactionId);
    await waitFor(async () => (await stateOf(processInstanceKey)) === 'COMPLETED');

    await expect(epayblJob.process(job, { ...input, amountCents: 1300 })).rejects.toThrow(
      'Expected the items to add up to amountCents 1300, but they add up to 1250.',
    );
  });

  it('should request and confirm each tenant’s payments with its own provider account', async () => {
    // given Frankfurt's own pmPayment account and Augsburg's own ePayBL, put by their administrators
    const put = async (tenantId: string, body: object) => {
      const response = await api.app.inject({
        method: 'PUT',
        url: '/v2/connectors/payment',
        headers: { authorization: await tokenFor(api.app, { userId: 'kasse', tenantId, roles: ['admin'] }) },
        payload: body,
      });
      expect(response.statusCode).toBe(200);
    };
    await put(TENANT_B, {
      provider: 'pmpayment',
      url: frankfurt.url,
      originatorId: FRANKFURT.ags,
      secret: FRANKFURT.secret,
    });
    await put(TENANT_C, {
      provider: 'epaybl',
      url: augsburg.url,
      originatorId: AUGSBURG.originatorId,
      endpointId: AUGSBURG.endpointId,
      secret: AUGSBURG.apiKey,
    });

    // when each tenant's case asks for its fee
    const inFrankfurt = await startCase(TENANT_B);
    const inAugsburg = await startCase(TENANT_C);
    const paidInFrankfurt = await paymentOf(inFrankfurt);
    const paidInAugsburg = await paymentOf(inAugsburg);

    // then each request went to the tenant's own provider, in its protocol, and nowhere else
    expect(frankfurt.find((p) => p.transactionId === paidInFrankfurt.transactionId)?.provider).toBe('pmpayment');
    expect(augsburg.find((p) => p.transactionId === paidInAugsburg.transactionId)?.provider).toBe('epaybl');
    expect(
      provider.find((p) => [paidInFrankfurt, paidInAugsburg].some((x) => x.transactionId === p.transactionId)),
    ).toBeUndefined();

    // and each provider's notification is verified with that tenant's settings and completes its case
    await frankfurt.pay(paidInFrankfurt.transactionId);
    await augsburg.pay(paidInAugsburg.transactionId);
    await waitFor(async () => (await stateOf(inFrankfurt)) === 'COMPLETED');
    await waitFor(async () => (await stateOf(inAugsburg)) === 'COMPLETED');

    // the secrets are not readable in the table
    const stored = await engine.db
      .withTables<{ connector: { tenant_id: string; secret: string | null } }>()
      .selectFrom('connector')
      .select(['tenant_id', 'secret'])
      .orderBy('tenant_id')
      .execute();
    expect(stored.map((row) => row.tenant_id)).toEqual([TENANT_B, TENANT_C]);
    for (const row of stored) expect(row.secret).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    const table = JSON.stringify(stored);
    expect(table).not.toContain(FRANKFURT.secret);
    expect(table).not.toContain(AUGSBURG.apiKey);
  });

  it('should refuse a notification signed with one tenant’s secret for another tenant’s payment (401)', async () => {
    // given a payment of Frankfurt (own account, see above)
    const key = await startCase(TENANT_B);
    const { transactionId } = await paymentOf(key);
    await frankfurt.pay(transactionId, { notify: false });
    const signedBy = (ags: string, secret: string) =>
      notification(
        'pmpayment',
        new URLSearchParams({ ags, txid: transactionId, hash: pmPaymentHash(secret, [ags, transactionId]) }).toString(),
      );

    // when München's genuine credentials sign it, with München's or with Frankfurt's ags
    const asMuenchen = await signedBy(PROVIDER.ags, PROVIDER.secret);
    const withFrankfurtsAgs = await signedBy(FRANKFURT.ags, PROVIDER.secret);

    // then both are refused and the case still waits
    expect(asMuenchen.status).toBe(401);
    expect(asMuenchen.headers.get('content-type')).toContain('application/problem+json');
    expect((await asMuenchen.json()).detail).toBe(
      `Expected ags ${FRANKFURT.ags}, but the notification names '${PROVIDER.ags}'.`,
    );
    expect(withFrankfurtsAgs.status).toBe(401);
    expect((await withFrankfurtsAgs.json()).detail).toBe(
      'Expected hash to be the HMAC-SHA256 of ags and txid, but it is not.',
    );
    expect(await stateOf(key)).toBe('ACTIVE');

    // only Frankfurt's own signature confirms it
    const genuine = await signedBy(FRANKFURT.ags, FRANKFURT.secret);
    expect(await genuine.json()).toEqual({ state: 'PAID', transactionId });
    await waitFor(async () => (await stateOf(key)) === 'COMPLETED');
  });

  it('should export the day’s bookings for the municipal accounting, adding up to the confirmed payments', async () => {
    const date = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date());
    const get = (format: string) =>
      api.app.inject({
        method: 'GET',
        url: `/v2/payments/bookings?date=${date}&format=${format}`,
        headers: { authorization: admin },
      });

    const report = (await get('json')).json();
    expect(report).toMatchObject({ date, payments: 2, totalCents: 3070 + 1250 });
    expect(report.lines.reduce((sum: number, line: { amountCents: number }) => sum + line.amountCents, 0)).toBe(
      report.totalCents,
    );

    const csv = await get('csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = csv.body.replace('\uFEFF', '').trim().split('\r\n');
    expect(rows[0]).toBe(
      'Buchungsdatum;Kassenzeichen;Transaktion;Haushaltsstelle;Objektnummer;Betrag;Verwendungszweck',
    );
    expect(rows).toHaveLength(1 + 3 + 1);
    expect(rows.at(-1)).toBe('Summe;;;;;43,20;2 Zahlungen');
    expect(rows.some((row) => row.endsWith(';1.1.2.1.02;4712;2,50;Auslagen'))).toBe(true);

    const xml = (await get('xml')).body;
    expect(xml).toContain(`<Buchungsliste datum="${date}" zahlungen="2" summeCent="4320">`);
    expect((xml.match(/<Buchung /g) ?? []).length).toBe(3);

    expect(
      (
        await api.app.inject({
          method: 'GET',
          url: '/v2/payments/bookings?date=gestern',
          headers: { authorization: admin },
        })
      ).statusCode,
    ).toBe(400);
  });
});
