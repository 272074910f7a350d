/**
 * Signature and seal (municipal:seal:1): the Bescheid rendered from a template with case data, sealed as
 * PAdES with the tenant's key (embedded default) or by a remote signing service, stored with the case, and
 * verified through the API — a changed byte, an expired certificate or a template the case cannot fill
 * never passes.
 */
import { randomBytes } from 'node:crypto';
import type { Engine, JobInfo } from '../../engine/src/index.js';
import { startSigningService, type SigningServiceSimulator } from '../../simulators/signing-service.js';
import { sealJobType, SEAL_TYPE, type SealInput } from '../../workers/src/seal/processor.js';
import { generateSealKey, localSealSigner, remoteSealSigner } from '../../workers/src/seal/signer.js';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { encryptPlainSecrets } from '../../workers/src/shared/legacy-secrets.js';
import { SecretBox } from '../../workers/src/shared/secret-box.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import { TENANT_A, TENANT_B, testApp, tokenFor, type TestApp } from '../api/support.js';
import { bpmn } from '../engine/services/support.js';
import { quiet, waitFor } from './support.js';

const TEMPLATE =
  'Sehr geehrte(r) {{antrag.name}},\nIhr Bewohnerparkausweis für das Fahrzeug {{antrag.kennzeichen}} wird erteilt.\nAktenzeichen: {{caseNumber}}';

const PROCESS = bpmn(
  'bescheid',
  `<bpmn:startEvent id="start" />
   <bpmn:serviceTask id="siegeln"><bpmn:extensionElements>
     <zeebe:taskDefinition type="${SEAL_TYPE}" retries="3" />
     <zeebe:ioMapping>
       <zeebe:input source="=&quot;Bescheid über einen Bewohnerparkausweis&quot;" target="title" />
       <zeebe:input source="=&quot;${TEMPLATE.replaceAll('\n', '\\n')}&quot;" target="template" />
       <zeebe:input source="=&quot;bescheid.pdf&quot;" target="fileName" />
       <zeebe:input source="=&quot;Landeshauptstadt München&quot;" target="authority" />
     </zeebe:ioMapping>
   </bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:endEvent id="ende" />
   <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="siegeln" />
   <bpmn:sequenceFlow id="f1" sourceRef="siegeln" targetRef="ende" />`,
);

const secrets = new SecretBox(randomBytes(32));

describe('signature and seal (municipal:seal:1)', () => {
  let api: TestApp;
  let engine: Engine;
  let transport: JobTransport;
  let clerk: string;
  let service: SigningServiceSimulator;
  let expiredService: SigningServiceSimulator;

  beforeAll(async () => {
    api = await testApp('workers_seal', {}, { engineOptions: { clock: Date.now } });
    engine = api.engine;
    clerk = await tokenFor(api.app, { userId: 'clerk', roles: ['clerk'] });
    transport = startJobTransport(
      engine,
      [sealJobType({ engine, signer: localSealSigner(engine, secrets) }) as JobType<never>],
      {},
      quiet,
    );
    await engine.start();
    await engine.deploy({ tenantId: TENANT_A, resources: [{ name: 'bescheid.bpmn', content: PROCESS }] });
    [service, expiredService] = await Promise.all([
      startSigningService({ token: 'tsp-token' }),
      startSigningService({ token: 'tsp-token', expired: true }),
    ]);
  });
  afterAll(async () => {
    await transport?.close();
    await Promise.all([service?.close(), expiredService?.close()]);
    await api?.close();
  });

  const verification = (documentKey: string, authorization = clerk) =>
    api.app.inject({ method: 'GET', url: `/v2/documents/${documentKey}/verification`, headers: { authorization } });
  const jobFor = (tenantId: string, jobKey: string): JobInfo => ({
    jobKey,
    type: SEAL_TYPE,
    tenantId,
    processInstanceKey: '770000000001',
    rootProcessInstanceKey: '770000000001',
    elementInstanceKey: '770000000002',
    elementId: 'siegeln',
    bpmnProcessId: 'bescheid',
    processDefinitionKey: '1',
    retries: 3,
    customHeaders: {},
    variables: { caseNumber: '2026-000042', antrag: { name: 'Erika Mustermann', kennzeichen: 'M-S 1' } },
  });
  const input: SealInput = { title: 'Bescheid', template: TEMPLATE, fileName: 'bescheid.pdf' };

  it('should seal the Bescheid with the tenant’s seal, store it with the case, and verify it', async () => {
    const { processInstanceKey } = await engine.createInstance({
      tenantId: TENANT_A,
      bpmnProcessId: 'bescheid',
      businessKeyVariable: 'caseNumber',
      variables: { antrag: { name: 'Erika Müller-Lüdenscheidt', kennzeichen: 'M-AB 1234' } },
    });
    await waitFor(async () => (await engine.getInstance(processInstanceKey))?.state === 'COMPLETED');
    const { sealedDocument } = (await engine.getInstance(processInstanceKey))!.variables as {
      sealedDocument: { documentKey: string; fileName: string; sha256: string };
    };
    expect(sealedDocument).toMatchObject({ fileName: 'bescheid.pdf', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const download = await api.app.inject({
      method: 'GET',
      url: `/v2/documents/${sealedDocument.documentKey}`,
      headers: { authorization: clerk },
    });
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(download.rawPayload.includes('ETSI.CAdES.detached')).toBe(true);

    const response = await verification(sealedDocument.documentKey);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      sealed: true,
      valid: true,
      signer: `CN=Siegel ${TENANT_A}, O=Mandant ${TENANT_A}`,
      certificateValidAtSigning: true,
      problems: [],
    });

    // another tenant's clerk learns nothing about it
    const otherClerk = await tokenFor(api.app, { userId: 'clerk-b', tenantId: TENANT_B, roles: ['clerk'] });
    expect((await verification(sealedDocument.documentKey, otherClerk)).statusCode).toBe(404);
  });

  it('should report a changed document as no longer valid', async () => {
    const jobType = sealJobType({ engine, signer: localSealSigner(engine, secrets) });
    const { sealedDocument } = (await jobType.process(jobFor(TENANT_A, '770000000010'), input)) as {
      sealedDocument: { documentKey: string };
    };
    const row = await engine.db
      .selectFrom('document')
      .select('content')
      .where('key', '=', sealedDocument.documentKey)
      .executeTakeFirstOrThrow();
    const changed = Buffer.from(row.content);
    changed[700] ^= 1;
    await engine.db
      .updateTable('document')
      .set({ content: changed })
      .where('key', '=', sealedDocument.documentKey)
      .execute();
    const check = (await verification(sealedDocument.documentKey)).json();
    expect(check.valid).toBe(false);
    expect(check.problems.join(' ')).toContain('does not match the document');
    // a retried job finds its document instead of sealing again
    expect(await jobType.process(jobFor(TENANT_A, '770000000010'), input)).toMatchObject({
      sealedDocument: { documentKey: sealedDocument.documentKey },
    });
  });

  it('should seal through a remote signing service (hash in, signature out)', async () => {
    const jobType = sealJobType({ engine, signer: remoteSealSigner(`${service.url}/sign`, 'tsp-token') });
    const { sealedDocument } = (await jobType.process(jobFor(TENANT_A, '770000000020'), input)) as {
      sealedDocument: { documentKey: string };
    };
    expect((await verification(sealedDocument.documentKey)).json()).toMatchObject({
      valid: true,
      signer: 'CN=Siegel Signaturdienst (Simulator), O=Prozessplattform Test-TSP',
    });
    expect(service.stats()).toMatchObject({ effects: 1, duplicates: 0 });
  });

  it('should refuse to seal with an expired certificate, locally or remotely, and with a template the case cannot fill', async () => {
    const remote = sealJobType({ engine, signer: remoteSealSigner(`${expiredService.url}/sign`, 'tsp-token') });
    await expect(remote.process(jobFor(TENANT_A, '770000000030'), input)).rejects.toMatchObject({
      code: 'UNRECOVERABLE_JOB',
      message: expect.stringContaining('Expected the seal certificate to be valid now, but it expired on'),
    });
    await expect(
      sealJobType({ engine, signer: remoteSealSigner(`${service.url}/sign`, 'wrong') }).process(
        jobFor(TENANT_A, '770000000031'),
        input,
      ),
    ).rejects.toMatchObject({
      code: 'UNRECOVERABLE_JOB',
    });

    const expired = await generateSealKey(
      { commonName: 'Altes Siegel', organization: 'Stadt Frankfurt' },
      { notBefore: new Date('2020-01-01'), days: 365 },
    );
    await engine.db
      .insertInto('seal_key')
      .values({
        tenant_id: TENANT_B,
        certificate: Buffer.from(expired.certificate),
        private_key: Buffer.from(expired.privateKey),
        created_at: new Date(),
      })
      .execute();
    const local = sealJobType({ engine, signer: localSealSigner(engine, secrets) });
    await expect(local.process(jobFor(TENANT_B, '770000000032'), input)).rejects.toThrow(
      'Expected the seal certificate to be valid now, but it expired on 2020-12-31T00:00:00.000Z.',
    );

    await expect(
      local.process(jobFor(TENANT_A, '770000000033'), {
        ...input,
        template: 'Gebühr: {{gebuehr.betrag}} € für {{antrag.name}}',
      }),
    ).rejects.toThrow('Expected the case to provide {{gebuehr.betrag}} for the document, but it does not.');
    expect(
      await engine.db
        .selectFrom('document')
        .select('key')
        .where('owner_id', 'in', ['seal-job:770000000030', 'seal-job:770000000032', 'seal-job:770000000033'])
        .execute(),
    ).toEqual([]);
  });

  it('should keep the seal private key encrypted at rest, and seal a key stored in plain text before', async () => {
    // the key of TENANT_A was generated by the first test: only its sealed form is in the table
    const stored = await engine.db
      .selectFrom('seal_key')
      .select('private_key')
      .where('tenant_id', '=', TENANT_A)
      .executeTakeFirstOrThrow();
    expect(stored.private_key.subarray(0, 3).toString('latin1')).toBe('v1:');
    expect(stored.private_key[0]).not.toBe(0x30); // a plain PKCS#8 key starts with a DER SEQUENCE
    const plain = secrets.openBytes(stored.private_key, `seal_key:${TENANT_A}`);
    expect(plain[0]).toBe(0x30);
    expect(stored.private_key.includes(plain.subarray(0, 64))).toBe(false);

    // given a tenant whose key was stored in plain text (before encryption at rest)
    const TENANT_C = '097610000000';
    const legacy = await generateSealKey({ commonName: 'Siegel Augsburg', organization: 'Stadt Augsburg' });
    await engine.db
      .insertInto('seal_key')
      .values({
        tenant_id: TENANT_C,
        certificate: Buffer.from(legacy.certificate),
        private_key: Buffer.from(legacy.privateKey),
        created_at: new Date(),
      })
      .execute();
    const local = sealJobType({ engine, signer: localSealSigner(engine, secrets) });
    await expect(local.process(jobFor(TENANT_C, '770000000040'), input)).resolves.toHaveProperty('sealedDocument');

    // when the start-up pass seals what is plain
    const sealed = await encryptPlainSecrets(engine, secrets);

    // then it is encrypted, still the same key, and still seals; a second pass finds nothing
    // (two: this one, and the expired key the test before stored in plain text for TENANT_B)
    expect(sealed.sealKeys).toBe(2);
    const rows = await engine.db.selectFrom('seal_key').select('private_key').execute();
    expect(rows.every((row) => SecretBox.isSealed(row.private_key))).toBe(true);
    const after = await engine.db
      .selectFrom('seal_key')
      .select('private_key')
      .where('tenant_id', '=', TENANT_C)
      .executeTakeFirstOrThrow();
    expect(SecretBox.isSealed(after.private_key)).toBe(true);
    expect(secrets.openBytes(after.private_key, `seal_key:${TENANT_C}`).equals(Buffer.from(legacy.privateKey))).toBe(
      true,
    );
    await expect(local.process(jobFor(TENANT_C, '770000000041'), input)).resolves.toHaveProperty('sealedDocument');
    expect((await encryptPlainSecrets(engine, secrets)).sealKeys).toBe(0);
    // another installation's key cannot use it
    const foreign = sealJobType({ engine, signer: localSealSigner(engine, new SecretBox(randomBytes(32))) });
    await expect(foreign.process(jobFor(TENANT_C, '770000000042'), input)).rejects.toThrow(
      /^Expected the secret of seal_key:097610000000 to be sealed with SECRETS_KEY [0-9a-f]{8}, but it was sealed with key [0-9a-f]{8}\.$/,
    );
  });
});
