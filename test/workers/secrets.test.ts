/**
 * The installation key for secrets at rest: SECRETS_KEY validated with a message naming it, required with
 * DATABASE_URL; in embedded mode generated once into the data directory (mode 0600) and reused; AES-256-GCM
 * values bound to their place, with plain text from before read as it is.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkerConfig } from '../../workers/src/config.js';
import { embeddedSecretsKey, SecretBox } from '../../workers/src/shared/secret-box.js';

describe('secrets at rest', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-secrets-'));
    dirs.push(dir);
    return join(dir, 'data');
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('should validate SECRETS_KEY and require it with DATABASE_URL', () => {
    const key = randomBytes(32);
    expect(loadWorkerConfig({ SECRETS_KEY: key.toString('base64') }).secretsKey?.equals(key)).toBe(true);
    expect(loadWorkerConfig({}).secretsKey).toBeUndefined();
    expect(() => loadWorkerConfig({ SECRETS_KEY: 'kurz' })).toThrow(
      'SECRETS_KEY: expected 32 random bytes in base64 (openssl rand -base64 32), but it decodes to 3 bytes.',
    );
    expect(() => loadWorkerConfig({ SECRETS_KEY: 'kein base64!' })).toThrow(
      'SECRETS_KEY: expected 32 random bytes in base64 (openssl rand -base64 32), but it is not base64.',
    );
    expect(() => loadWorkerConfig({ DATABASE_URL: 'postgres://localhost/pp' })).toThrow(
      'SECRETS_KEY: expected the installation key (32 random bytes in base64, openssl rand -base64 32) shared by every API and worker process on DATABASE_URL, but it is not set.',
    );
  });

  it('should generate the embedded key once, owner-readable only, and reuse it', () => {
    const dir = dataDir();
    const first = embeddedSecretsKey(dir);
    const file = join(dir, 'secrets.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(embeddedSecretsKey(dir).equals(first)).toBe(true);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(first)).toBe(true);
    // what one start sealed, the next opens
    const sealed = new SecretBox(first).seal('geheim', 'connector:091620000000:payment');
    expect(new SecretBox(embeddedSecretsKey(dir)).open(sealed, 'connector:091620000000:payment')).toBe('geheim');

    chmodSync(file, 0o644);
    expect(() => embeddedSecretsKey(dir)).toThrow(
      `Expected ${file} to be readable by its owner only (mode 600), but it has mode 644.`,
    );
  });

  it('should seal with AES-256-GCM bound to the place, and read legacy plain text as it is', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('pm-secret', 'connector:091620000000:payment');
    expect(sealed).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('pm-secret');
    expect(box.seal('pm-secret', 'connector:091620000000:payment')).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed, 'connector:091620000000:payment')).toBe('pm-secret');
    expect(() => box.open(sealed, 'connector:064120000000:payment')).toThrow('does not decrypt');
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(() => box.open(tampered, 'connector:091620000000:payment')).toThrow('does not decrypt');
    expect(box.open('plain-from-before', 'authority:091620000000')).toBe('plain-from-before');
    expect(() => new SecretBox(randomBytes(16))).toThrow('Expected a key of 32 bytes, but it has 16.');
  });
});
