/**
 * Signing and verifying process packages. Each tenant signs with its own ES256 key (`package_signing_key`,
 * made on first use, stored sealed with the installation key like the other secrets at rest); the public half goes into the installation-wide directory `package_signer`, which is
 * how the installation knows its tenants' keys. The signature is a flattened JWS with a detached payload:
 * the canonical JSON of the package without `signature`; the protected header carries `kid` and `jwk`, so
 * a package from another installation can still be checked for integrity (valid, but not trusted).
 */
import {
  base64url,
  decodeProtectedHeader,
  exportJWK,
  FlattenedSign,
  flattenedVerify,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../../engine/src/store/database.js';
import { SecretBox } from '../../../workers/src/shared/secret-box.js';
import { canonicalJson } from './canonical-json.js';
import type { ProcessPackage, UnsignedPackage } from './package.js';

const ALG = 'ES256';

interface SigningStore {
  package_signing_key: { tenant_id: string; kid: string; private_jwk: JWK | string; created_at: Date };
  package_signer: { kid: string; origin_tenant_id: string; public_jwk: JWK | string; created_at: Date };
}

const store = (db: Db) => db as unknown as Kysely<SigningStore>;
const jwkOf = (value: JWK | string): JWK => (typeof value === 'string' ? (JSON.parse(value) as JWK) : value);
const publicPart = ({ kty, crv, x, y }: JWK): JWK => ({ kty, crv, x, y });

/** What a sealed signing key is bound to: it opens only in its own tenant's row. */
export const signingKeyContext = (tenantId: string) => `package-signing-key:${tenantId}`;

/**
 * The stored private key: sealed with the installation key (`SECRETS_KEY`) as a JSON string, or a plain
 * JWK object from before keys were sealed (`sealPlainSigningKeys` seals those at start-up).
 */
function privateKeyOf(stored: JWK | string, secrets: SecretBox, tenantId: string): JWK {
  if (typeof stored === 'string' && SecretBox.isSealed(stored))
    return JSON.parse(secrets.open(stored, signingKeyContext(tenantId))) as JWK;
  return jwkOf(stored);
}

/** The tenant's signing key, made (and its public half published) on first use. */
async function signingKeyOf(
  db: Db,
  secrets: SecretBox,
  tenantId: string,
  now: Date,
): Promise<{ kid: string; privateJwk: JWK }> {
  const found = await store(db)
    .selectFrom('package_signing_key')
    .select(['kid', 'private_jwk'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (found) return { kid: found.kid, privateJwk: privateKeyOf(found.private_jwk, secrets, tenantId) };
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = `${tenantId}:${now.toISOString().slice(0, 10)}:${privateJwk.x!.slice(0, 8)}`;
  await store(db)
    .insertInto('package_signing_key')
    .values({
      tenant_id: tenantId,
      kid,
      // a JSON string in the jsonb column: the sealed key, never the key itself
      private_jwk: JSON.stringify(secrets.seal(JSON.stringify(privateJwk), signingKeyContext(tenantId))),
      created_at: now,
    })
    .execute();
  await store(db)
    .insertInto('package_signer')
    .values({
      kid,
      origin_tenant_id: tenantId,
      public_jwk: JSON.stringify(publicPart(privateJwk)),
      created_at: now,
    })
    .execute();
  return { kid, privateJwk };
}

/**
 * Seals the signing keys stored in plain text before keys were sealed. Run once at start-up by the API
 * server (system work); a row is replaced only while it still holds the plain key read.
 */
export async function sealPlainSigningKeys(db: Db, secrets: SecretBox): Promise<number> {
  const rows = await store(db)
    .selectFrom('package_signing_key')
    .select(['tenant_id', 'private_jwk'])
    .where(sql<boolean>`jsonb_typeof(private_jwk) = 'object'`)
    .execute();
  let sealed = 0;
  for (const row of rows) {
    const plain = JSON.stringify(jwkOf(row.private_jwk));
    const result = await store(db)
      .updateTable('package_signing_key')
      .set({ private_jwk: JSON.stringify(secrets.seal(plain, signingKeyContext(row.tenant_id))) })
      .where('tenant_id', '=', row.tenant_id)
      .where(sql<boolean>`private_jwk = ${plain}::jsonb`)
      .executeTakeFirst();
    sealed += Number(result.numUpdatedRows);
  }
  return sealed;
}

const payloadOf = (pkg: UnsignedPackage) => new TextEncoder().encode(canonicalJson(pkg));

/** The package signed by the tenant's key (it must be the manifest's origin). */
export async function signPackage(
  db: Db,
  secrets: SecretBox,
  tenantId: string,
  pkg: UnsignedPackage,
  now: Date,
): Promise<ProcessPackage> {
  const { kid, privateJwk } = await signingKeyOf(db, secrets, tenantId, now);
  const jws = await new FlattenedSign(payloadOf(pkg))
    .setProtectedHeader({ alg: ALG, kid, jwk: publicPart(privateJwk) })
    .sign(await importJWK(privateJwk, ALG));
  return { ...pkg, signature: { protected: jws.protected!, signature: jws.signature } };
}

export type Verification =
  | { readonly status: 'unsigned' }
  /** the signature does not fit the content, or its header is unreadable */
  | { readonly status: 'invalid'; readonly reason: string }
  /** valid; trusted when the key is one of this installation's tenants' and that tenant is the origin */
  | {
      readonly status: 'valid';
      readonly kid: string;
      readonly signerTenantId: string | null;
      readonly trusted: boolean;
    };

export async function verifyPackage(db: Db, pkg: ProcessPackage): Promise<Verification> {
  if (!pkg.signature) return { status: 'unsigned' };
  const { signature, ...rest } = pkg;
  let header;
  try {
    header = decodeProtectedHeader({ protected: signature.protected, payload: '', signature: signature.signature });
  } catch (error) {
    return { status: 'invalid', reason: `Expected a readable JWS header, but ${(error as Error).message}` };
  }
  if (header.alg !== ALG || typeof header.kid !== 'string')
    return { status: 'invalid', reason: `Expected an ${ALG} signature with a key id, but the header has neither.` };
  const known = await store(db)
    .selectFrom('package_signer')
    .select(['origin_tenant_id', 'public_jwk'])
    .where('kid', '=', header.kid)
    .executeTakeFirst();
  const jwk = known ? jwkOf(known.public_jwk) : header.jwk;
  if (!jwk)
    return { status: 'invalid', reason: `Expected the key '${header.kid}' in the header, but it is not there.` };
  try {
    await flattenedVerify(
      { protected: signature.protected, signature: signature.signature, payload: base64url.encode(payloadOf(rest)) },
      await importJWK(jwk, ALG),
    );
  } catch {
    return { status: 'invalid', reason: 'Expected the signature to match the content, but it does not.' };
  }
  const signerTenantId = known?.origin_tenant_id ?? null;
  return {
    status: 'valid',
    kid: header.kid,
    signerTenantId,
    trusted: signerTenantId !== null && signerTenantId === pkg.manifest.originTenantId,
  };
}
