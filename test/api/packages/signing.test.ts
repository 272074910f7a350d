/**
 * The tenants' package signing keys are secrets at rest: stored sealed with the installation key, opened
 * only for their own tenant; a key stored in plain text before keys were sealed is sealed at start-up and
 * keeps signing with the same key id.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { sealPlainSigningKeys, signPackage, verifyPackage } from '../../../api/src/packages/signing.js';
import type { UnsignedPackage } from '../../../api/src/packages/package.js';
import { SecretBox, SecretBoxError } from '../../../workers/src/shared/secret-box.js';
import { testEngine, type TestEngine } from '../../engine/services/support.js';

const TENANT = '091620000000';
const LEGACY = '064120000000';
let t: TestEngine;
const secrets = new SecretBox(randomBytes(32));

beforeAll(async () => {
  t = await testEngine('api_package_signing');
});
afterAll(async () => {
  await t?.close();
});

const packageOf = (originTenantId: string) =>
  ({
    format: 'prozessplattform.process-package/1',
    manifest: { id: 'hund', version: 1, originTenantId, title: 'Hundesteuer' },
    bpmnXml: '<definitions />',
    forms: [],
    elementTemplates: [],
    applicationSchemas: [],
    parameters: [],
  }) as unknown as UnsignedPackage;

const sign = (tenantId: string, box = secrets) =>
  t.engine.scoped({ tenantIds: [tenantId] }, (db) =>
    signPackage(db, box, tenantId, packageOf(tenantId), new Date('2026-12-03T10:00:00Z')),
  );
const verify = (pkg: Awaited<ReturnType<typeof sign>>) => t.engine.scoped(undefined, (db) => verifyPackage(db, pkg));
const storedKey = async (tenantId: string) =>
  (await t.engine.db
    .selectFrom('package_signing_key' as never)
    .select(['kid', 'private_jwk'] as never)
    .where('tenant_id' as never, '=', tenantId as never)
    .executeTakeFirstOrThrow()) as { kid: string; private_jwk: unknown };

it('should store a new signing key sealed, and sign with it again', async () => {
  // when
  const first = await sign(TENANT);
  const second = await sign(TENANT);
  // then
  const stored = await storedKey(TENANT);
  expect(typeof stored.private_jwk).toBe('string');
  expect(SecretBox.isSealed(stored.private_jwk as string)).toBe(true);
  expect(JSON.stringify(stored.private_jwk)).not.toMatch(/"d"/);
  expect(await verify(first)).toMatchObject({ status: 'valid', kid: stored.kid, trusted: true });
  expect(await verify(second)).toMatchObject({ status: 'valid', kid: stored.kid, trusted: true });
});

it('should not open a signing key with another installation key', async () => {
  await expect(sign(TENANT, new SecretBox(randomBytes(32)))).rejects.toBeInstanceOf(SecretBoxError);
});

it('should seal a signing key stored in plain text, once, and keep its key id', async () => {
  // given: a key from before keys were sealed
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `${LEGACY}:2026-12-01:legacy`;
  await t.engine.db
    .insertInto('package_signing_key' as never)
    .values({
      tenant_id: LEGACY,
      kid,
      private_jwk: JSON.stringify(await exportJWK(privateKey)),
      created_at: new Date(),
    } as never)
    .execute();
  await t.engine.db
    .insertInto('package_signer' as never)
    .values({
      kid,
      origin_tenant_id: LEGACY,
      public_jwk: JSON.stringify(await exportJWK(publicKey)),
      created_at: new Date(),
    } as never)
    .execute();
  // when
  const sealed = await sealPlainSigningKeys(t.engine.db, secrets);
  const again = await sealPlainSigningKeys(t.engine.db, secrets);
  // then
  expect([sealed, again]).toEqual([1, 0]);
  expect(SecretBox.isSealed((await storedKey(LEGACY)).private_jwk as string)).toBe(true);
  expect(await verify(await sign(LEGACY))).toMatchObject({ status: 'valid', kid, trusted: true });
});
