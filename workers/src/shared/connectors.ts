/**
 * Per-tenant connector settings: a municipality's own e-payment account and FIT-Connect sender client.
 * A tenant's row of a kind replaces the installation's settings (environment variables) of that kind as a
 * whole; a tenant without one uses the installation's. The secret is write-only: sealed with the
 * installation key on the way in, opened only where a request to the provider is made, never listed.
 *
 * The `connector` table (migration 2026_12_03_110000) is declared here rather than in the engine's
 * `Database`: it is the workers' table, reached through `withTables` on the engine's connection.
 */
import { createHash } from 'node:crypto';
import type { ColumnType, Kysely } from 'kysely';
import type { Engine } from '../../../engine/src/index.js';
import type { Database } from '../../../engine/src/store/database.js';
import { FitConnectSender } from '../forwarding/fit-connect.js';
import { paymentProvider, type PaymentProvider, type ProviderName } from '../payment/providers.js';
import type { SecretBox } from './secret-box.js';

export type ConnectorKind = 'payment' | 'fit-connect';
export const CONNECTOR_KINDS: readonly ConnectorKind[] = ['payment', 'fit-connect'];

export interface PaymentConnectorSettings {
  readonly provider: ProviderName;
  readonly url: string;
  /** pmPayment: the municipality key (ags); ePayBL: the originator id */
  readonly originatorId: string;
  /** ePayBL: the endpoint id */
  readonly endpointId?: string;
}

export interface FitConnectConnectorSettings {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly routingUrl?: string;
}

/** What an administrator puts: the settings, and the secret when it is (re)entered. */
export type ConnectorInput =
  | { readonly kind: 'payment'; readonly settings: PaymentConnectorSettings; readonly secret?: string }
  | { readonly kind: 'fit-connect'; readonly settings: FitConnectConnectorSettings; readonly secret?: string };

/** What may be shown: never the secret, only whether one is stored. */
export type ConnectorView = (
  | ({ readonly kind: 'payment' } & PaymentConnectorSettings)
  | ({ readonly kind: 'fit-connect' } & FitConnectConnectorSettings)
) & { readonly secretSet: boolean; readonly updatedAt: string; readonly updatedBy: string };

interface ConnectorTable {
  tenant_id: string;
  kind: ConnectorKind;
  settings: ColumnType<Record<string, unknown>, string, string>;
  secret: string | null;
  updated_at: ColumnType<Date, Date, Date>;
  updated_by: string;
}

const connectorDb = (db: Kysely<Database>) => db.withTables<{ connector: ConnectorTable }>();
const secretContext = (tenantId: string, kind: ConnectorKind) => `connector:${tenantId}:${kind}`;
const settingsOf = (value: unknown) =>
  (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;

/** A tenant's connector that cannot be used as it is (no secret entered yet). */
export class ConnectorIncompleteError extends Error {
  readonly code = 'CONNECTOR_INCOMPLETE' as const;
}

export async function listConnectors(db: Kysely<Database>, tenantId: string): Promise<ConnectorView[]> {
  const rows = await connectorDb(db)
    .selectFrom('connector')
    .select(['kind', 'settings', 'updated_at', 'updated_by'])
    .select((eb) => eb('secret', 'is not', null).as('secret_set'))
    .where('tenant_id', '=', tenantId)
    .orderBy('kind')
    .execute();
  return rows.map(
    (row) =>
      ({
        kind: row.kind,
        ...settingsOf(row.settings),
        secretSet: Boolean(row.secret_set),
        updatedAt: new Date(row.updated_at).toISOString(),
        updatedBy: row.updated_by,
      }) as ConnectorView,
  );
}

/** Creates or replaces a tenant's connector; without a secret the stored one is kept. */
export async function putConnector(
  db: Kysely<Database>,
  secrets: SecretBox,
  tenantId: string,
  input: ConnectorInput,
  actor: string,
): Promise<ConnectorView> {
  const sealed = input.secret === undefined ? null : secrets.seal(input.secret, secretContext(tenantId, input.kind));
  await connectorDb(db)
    .insertInto('connector')
    .values({
      tenant_id: tenantId,
      kind: input.kind,
      settings: JSON.stringify(input.settings),
      secret: sealed,
      updated_at: new Date(),
      updated_by: actor,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'kind']).doUpdateSet((eb) => ({
        settings: eb.ref('excluded.settings'),
        // a secret is entered once and kept while only the settings change
        secret: eb.fn.coalesce('excluded.secret', 'connector.secret'),
        updated_at: eb.ref('excluded.updated_at'),
        updated_by: eb.ref('excluded.updated_by'),
      })),
    )
    .execute();
  const saved = (await listConnectors(db, tenantId)).find((view) => view.kind === input.kind);
  if (!saved) throw new Error(`Expected the ${input.kind} connector of tenant ${tenantId} to be saved, but it is not.`);
  return saved;
}

/** Removes a tenant's connector (the installation's settings apply again); false when there was none. */
export async function deleteConnector(db: Kysely<Database>, tenantId: string, kind: ConnectorKind): Promise<boolean> {
  const result = await connectorDb(db)
    .deleteFrom('connector')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The installation-wide settings (environment variables) for tenants without their own. */
export interface InstallationConnectors {
  /** e-payment providers; a job uses the first, a notification the one of its payment */
  readonly payment?: readonly PaymentProvider[];
  readonly fitConnect?: { readonly sender: FitConnectSender; readonly routingUrl?: string };
}

export interface FitConnectSetup {
  readonly sender: FitConnectSender;
  readonly routingUrl?: string;
}

const MAX_CACHED_SENDERS = 1000;

/** Finds the connector settings that apply to a tenant: its own, or else the installation's. */
export class TenantConnectors {
  // a sender caches its OAuth token: one per tenant and credentials, so a changed secret takes effect at once
  private readonly senders = new Map<string, FitConnectSender>();

  constructor(
    private readonly engine: Engine,
    private readonly secrets: SecretBox,
    private readonly installation: InstallationConnectors = {},
  ) {}

  /** The payment provider of a tenant; with `name`, only one speaking that provider's protocol. */
  async payment(tenantId: string, name?: ProviderName): Promise<PaymentProvider | undefined> {
    const own = await this.row(tenantId, 'payment');
    if (!own) return (this.installation.payment ?? []).find((provider) => name === undefined || provider.name === name);
    const settings = own.settings as unknown as PaymentConnectorSettings;
    if (name !== undefined && settings.provider !== name) return undefined;
    return paymentProvider({ ...settings, secret: this.secret(tenantId, 'payment', own.secret) });
  }

  async fitConnect(tenantId: string): Promise<FitConnectSetup | undefined> {
    const own = await this.row(tenantId, 'fit-connect');
    if (!own) return this.installation.fitConnect;
    const settings = own.settings as unknown as FitConnectConnectorSettings;
    const clientSecret = this.secret(tenantId, 'fit-connect', own.secret);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([tenantId, settings.tokenUrl, settings.clientId, clientSecret]))
      .digest('hex');
    let sender = this.senders.get(fingerprint);
    if (!sender) {
      if (this.senders.size >= MAX_CACHED_SENDERS) this.senders.delete(this.senders.keys().next().value!);
      sender = new FitConnectSender({ tokenUrl: settings.tokenUrl, clientId: settings.clientId, clientSecret });
      this.senders.set(fingerprint, sender);
    }
    return { sender, ...(settings.routingUrl ? { routingUrl: settings.routingUrl } : {}) };
  }

  private row(tenantId: string, kind: ConnectorKind) {
    return this.engine
      .scoped({ tenantIds: [tenantId] }, (db) =>
        connectorDb(db)
          .selectFrom('connector')
          .select(['settings', 'secret'])
          .where('tenant_id', '=', tenantId)
          .where('kind', '=', kind)
          .executeTakeFirst(),
      )
      .then((row) => (row ? { settings: settingsOf(row.settings), secret: row.secret } : undefined));
  }

  private secret(tenantId: string, kind: ConnectorKind, sealed: string | null): string {
    if (sealed === null)
      throw new ConnectorIncompleteError(
        `Expected the ${kind} connector of tenant ${tenantId} to have its secret (PUT /v2/connectors/${kind}), but none is entered yet.`,
      );
    return this.secrets.open(sealed, secretContext(tenantId, kind));
  }
}
