/**
 * Secrets at rest: connector secrets, webhook secrets of the directory of authorities and the embedded
 * seal private keys are stored encrypted with AES-256-GCM under the installation key (`SECRETS_KEY`), so
 * a database dump or a backup alone does not hand out a municipality's payment secret or seal.
 *
 * Stored form (text): `v1:<key id>:<iv>:<ciphertext+tag>` (base64url parts); bytes (bytea): `v1:` + key id
 * (4 bytes) + iv (12) + tag (16) + ciphertext. The key id is a fingerprint of the key, so a wrong key is
 * reported as such instead of as a broken tag. Each value is bound to where it belongs (additional
 * authenticated data such as `connector:<tenant>:<kind>`): a ciphertext copied into another tenant's row
 * does not decrypt. Values without the `v1:` prefix are plain text from before encryption and are read
 * as they are until `encryptPlainSecrets` (legacy-secrets.ts) has sealed them.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1:';
const VERSION_BYTES = Buffer.from(VERSION, 'latin1');
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_BYTES = 4;

/** A stored secret that cannot be opened with this installation's key. */
export class SecretBoxError extends Error {
  readonly code = 'SECRET_UNREADABLE' as const;
}

export class SecretBox {
  /** fingerprint of the key (not the key): which key a stored value was sealed with */
  readonly keyId: Buffer;
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES)
      throw new SecretBoxError(`Expected a key of ${KEY_BYTES} bytes, but it has ${key.length}.`);
    this.#key = Buffer.from(key);
    this.keyId = createHash('sha256')
      .update('prozessplattform secrets key id')
      .update(this.#key)
      .digest()
      .subarray(0, 4);
  }

  /** Encrypts a text for the place `context` names. */
  seal(plain: string, context: string): string {
    const { iv, sealed } = this.#encrypt(Buffer.from(plain, 'utf8'), context);
    return `${VERSION}${this.keyId.toString('hex')}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
  }

  /** Decrypts what `seal` made for the same context; a value without the version prefix is legacy plain text. */
  open(stored: string, context: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    const [, keyId, iv, sealed] = stored.split(':');
    if (sealed === undefined)
      throw new SecretBoxError(
        `Expected a sealed secret of the form v1:<key>:<iv>:<data> for ${context}, but it is not.`,
      );
    return this.#decrypt(
      Buffer.from(keyId, 'hex'),
      Buffer.from(iv, 'base64url'),
      Buffer.from(sealed, 'base64url'),
      context,
    ).toString('utf8');
  }

  sealBytes(plain: Uint8Array, context: string): Buffer {
    const { iv, sealed } = this.#encrypt(Buffer.from(plain), context);
    return Buffer.concat([VERSION_BYTES, this.keyId, iv, sealed]);
  }

  openBytes(stored: Uint8Array, context: string): Buffer {
    const bytes = Buffer.from(stored);
    if (!SecretBox.isSealed(bytes)) return bytes;
    const at = VERSION_BYTES.length;
    return this.#decrypt(
      bytes.subarray(at, at + KEY_ID_BYTES),
      bytes.subarray(at + KEY_ID_BYTES, at + KEY_ID_BYTES + IV_BYTES),
      bytes.subarray(at + KEY_ID_BYTES + IV_BYTES),
      context,
    );
  }

  /** Whether a stored value is sealed (or still legacy plain text). */
  static isSealed(stored: string | Uint8Array): boolean {
    return typeof stored === 'string'
      ? stored.startsWith(VERSION)
      : Buffer.from(stored).subarray(0, VERSION_BYTES.length).equals(VERSION_BYTES);
  }

  #encrypt(plain: Buffer, context: string): { iv: Buffer; sealed: Buffer } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { iv, sealed: Buffer.concat([ciphertext, cipher.getAuthTag()]) };
  }

  #decrypt(keyId: Buffer, iv: Buffer, sealed: Buffer, context: string): Buffer {
    if (!keyId.equals(this.keyId))
      throw new SecretBoxError(
        `Expected the secret of ${context} to be sealed with SECRETS_KEY ${this.keyId.toString('hex')}, but it was sealed with key ${keyId.toString('hex')}.`,
      );
    if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES)
      throw new SecretBoxError(`Expected a complete sealed secret for ${context}, but it is truncated.`);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SecretBoxError(
        `Expected the secret of ${context} to be authentic, but it does not decrypt (changed, or copied from elsewhere).`,
      );
    }
  }
}

/** Parses the base64 form of an installation key; returns the reason when it is none. */
export function parseSecretsKey(value: string): Buffer | { problem: string } {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed))
    return { problem: 'expected 32 random bytes in base64 (openssl rand -base64 32), but it is not base64' };
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (key.length !== KEY_BYTES)
    return {
      problem: `expected 32 random bytes in base64 (openssl rand -base64 32), but it decodes to ${key.length} bytes`,
    };
  return key;
}

export const EMBEDDED_KEY_FILE = 'secrets.key';

/**
 * The embedded installation's key: `<dataDir>/secrets.key`, generated on first start (mode 0600) and reused,
 * in the same base64 form SECRETS_KEY takes (so an installation moving to PostgreSQL can carry it over).
 * A database in memory (`memory://`) gets a key in memory.
 */
export function embeddedSecretsKey(dataDir: string): Buffer {
  // a database that lives in memory takes its secrets with it: a key of the same lifetime fits it
  if (dataDir.startsWith('memory://')) return randomBytes(KEY_BYTES);
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, EMBEDDED_KEY_FILE);
  // written aside and linked into place: of two processes starting at once exactly one key wins, and
  // nobody reads a half-written file
  if (!existsSync(file)) {
    const draft = `${file}.${process.pid}.tmp`;
    writeFileSync(draft, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077)
    throw new SecretBoxError(
      `Expected ${file} to be readable by its owner only (mode 600), but it has mode ${mode.toString(8)}.`,
    );
  const key = parseSecretsKey(readFileSync(file, 'utf8'));
  if ('problem' in key) throw new SecretBoxError(`${file}: ${key.problem}.`);
  return key;
}
