/**
 * Who applies the seal: the tenant's own key in the database (the embedded default, generated on first
 * use: RSA 2048, a self-issued X.509 certificate "Siegel <tenant>") or a remote signing service (HTTP,
 * hash in → CMS signature out; an HSM or a trust service provider behind it). Either way the certificate is
 * checked before anything is sealed: an expired, not yet valid or wrong certificate (no digital-signature
 * usage, or not matching the key) is refused. The embedded private key is stored sealed with the
 * installation key (secret-box.ts); a key stored before that is read as it is until it is sealed.
 */
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Engine } from '../../../engine/src/index.js';
import type { SecretBox } from '../shared/secret-box.js';
import { signDigest, type SealKey } from './cms.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

export interface SealSigner {
  /** a detached CMS signature over content with this SHA-256 digest, by the tenant's seal */
  sign(tenantId: string, digest: Uint8Array, signingTime: Date): Promise<Uint8Array>;
}

/** A certificate the platform must not seal with. */
export class SealCertificateError extends Error {
  readonly code = 'SEAL_CERTIFICATE' as const;
}

export async function generateSealKey(
  subject: { commonName: string; organization: string },
  validity: { notBefore?: Date; days?: number } = {},
): Promise<{ certificate: Uint8Array; privateKey: Uint8Array }> {
  const keys = (await webcrypto.subtle.generateKey(
    { ...ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const notBefore = validity.notBefore ?? new Date(Date.now() - 60_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: createHash('sha256')
      .update(`${subject.commonName}${Date.now()}${Math.random()}`)
      .digest('hex')
      .slice(0, 16),
    name: `CN=${subject.commonName.replaceAll(',', ' ')}, O=${subject.organization.replaceAll(',', ' ')}, C=DE`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (validity.days ?? 3 * 365) * 86_400_000),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    ],
  });
  return {
    certificate: new Uint8Array(certificate.rawData),
    privateKey: new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  };
}

/** Loads and checks a seal key: valid now, made for signatures, and the private key belongs to the certificate. */
export async function sealKeyOf(
  stored: { certificate: Uint8Array; privateKey: Uint8Array },
  now = new Date(),
): Promise<SealKey> {
  const certificate = new x509.X509Certificate(Buffer.from(stored.certificate).toString('base64'));
  if (now < certificate.notBefore)
    throw new SealCertificateError(
      `Expected the seal certificate to be valid now, but it is valid only from ${certificate.notBefore.toISOString()}.`,
    );
  if (now > certificate.notAfter)
    throw new SealCertificateError(
      `Expected the seal certificate to be valid now, but it expired on ${certificate.notAfter.toISOString()}.`,
    );
  const usage = certificate.getExtension(x509.KeyUsagesExtension);
  if (usage && !(usage.usages & (x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation)))
    throw new SealCertificateError(
      'Expected the seal certificate to allow digital signatures, but its key usage does not.',
    );
  const privateKey = await webcrypto.subtle.importKey('pkcs8', Buffer.from(stored.privateKey), ALGORITHM, false, [
    'sign',
  ]);
  const probe = new TextEncoder().encode('prozessplattform seal key check');
  const signature = await webcrypto.subtle.sign(ALGORITHM, privateKey, probe);
  const publicKey = await certificate.publicKey.export(ALGORITHM, ['verify']);
  if (!(await webcrypto.subtle.verify(ALGORITHM, publicKey, signature, probe)))
    throw new SealCertificateError('Expected the seal private key to belong to the seal certificate, but it does not.');
  return { certificate: stored.certificate, privateKey: privateKey as CryptoKey };
}

/** Where a tenant's seal private key belongs (the additional authenticated data of its sealed form). */
export const sealKeyContext = (tenantId: string) => `seal_key:${tenantId}`;

/** The embedded default: each tenant's key in the database, generated on first use. */
export function localSealSigner(engine: Engine, secrets: SecretBox): SealSigner {
  return {
    async sign(tenantId, digest, signingTime) {
      const scope = { tenantIds: [tenantId] };
      let stored = await engine.scoped(scope, (db) =>
        db.selectFrom('seal_key').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst(),
      );
      if (!stored) {
        const generated = await generateSealKey({
          commonName: `Siegel ${tenantId}`,
          organization: `Mandant ${tenantId}`,
        });
        await engine.scoped(scope, (db) =>
          db
            .insertInto('seal_key')
            .values({
              tenant_id: tenantId,
              certificate: Buffer.from(generated.certificate),
              private_key: secrets.sealBytes(generated.privateKey, sealKeyContext(tenantId)),
              created_at: new Date(),
            })
            .onConflict((oc) => oc.column('tenant_id').doNothing())
            .execute(),
        );
        stored = await engine.scoped(scope, (db) =>
          db.selectFrom('seal_key').selectAll().where('tenant_id', '=', tenantId).executeTakeFirstOrThrow(),
        );
      }
      const privateKey = secrets.openBytes(stored.private_key, sealKeyContext(tenantId));
      const key = await sealKeyOf({ certificate: stored.certificate, privateKey }, signingTime);
      return signDigest(digest, key, signingTime);
    },
  };
}

/** A remote signing service: `POST <url>` `{ tenantId, digest (base64), digestAlgorithm, signingTime }` → `{ cms (base64) }`. */
export function remoteSealSigner(url: string, token?: string, timeoutMs = 15_000): SealSigner {
  return {
    async sign(tenantId, digest, signingTime) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({
          tenantId,
          digest: Buffer.from(digest).toString('base64'),
          digestAlgorithm: 'SHA-256',
          signingTime: signingTime.toISOString(),
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (!response.ok) {
        const message = `Expected the signing service to seal, but it answered ${response.status}: ${text.slice(0, 200)}`;
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
          throw new SealCertificateError(message);
        throw new Error(message);
      }
      const { cms } = JSON.parse(text) as { cms?: string };
      if (!cms) throw new Error('Expected a CMS signature from the signing service, but the answer has none.');
      return new Uint8Array(Buffer.from(cms, 'base64'));
    },
  };
}
