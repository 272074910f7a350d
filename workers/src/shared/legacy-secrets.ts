/**
 * Seals what was stored in plain text before secrets were encrypted at rest: webhook secrets of the
 * directory of authorities and the embedded seal private keys. Run once at start-up by the API server
 * (system work, not tenant-scoped); idempotent and safe with several processes starting at once, since each
 * row is replaced only while it still holds the plain value read. Until it has run, readers accept both forms.
 */
import { sql } from 'kysely';
import type { Engine } from '../../../engine/src/index.js';
import { authoritySecretContext } from '../forwarding/directory.js';
import { sealKeyContext } from '../seal/signer.js';
import { SecretBox } from './secret-box.js';

export async function encryptPlainSecrets(
  engine: Engine,
  secrets: SecretBox,
): Promise<{ authorities: number; sealKeys: number }> {
  const db = engine.db;
  const authorities = await db
    .selectFrom('authority')
    .select(['key', 'tenant_id', 'secret'])
    .where('secret', 'is not', null)
    .where('secret', 'not like', 'v1:%')
    .execute();
  let sealedAuthorities = 0;
  for (const row of authorities) {
    const result = await db
      .updateTable('authority')
      .set({ secret: secrets.seal(row.secret!, authoritySecretContext(row.tenant_id)) })
      .where('key', '=', row.key)
      .where('secret', '=', row.secret)
      .executeTakeFirst();
    sealedAuthorities += Number(result.numUpdatedRows);
  }

  const sealKeys = await db
    .selectFrom('seal_key')
    .select(['tenant_id', 'private_key'])
    .where(sql<boolean>`substring(private_key from 1 for 3) <> ${Buffer.from('v1:', 'latin1')}`)
    .execute();
  let sealedKeys = 0;
  for (const row of sealKeys) {
    if (SecretBox.isSealed(row.private_key)) continue;
    const result = await db
      .updateTable('seal_key')
      .set({ private_key: secrets.sealBytes(row.private_key, sealKeyContext(row.tenant_id)) })
      .where('tenant_id', '=', row.tenant_id)
      .where('private_key', '=', row.private_key)
      .executeTakeFirst();
    sealedKeys += Number(result.numUpdatedRows);
  }
  return { authorities: sealedAuthorities, sealKeys: sealedKeys };
}
