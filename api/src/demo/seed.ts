/**
 * The Quick start's demo municipality ("Musterstadt", ARS 091620000000): the residents' parking permit
 * (Bewohnerparkausweis) process with its forms, the service in the catalogue, an entry in the directory of
 * authorities, the e-payment account and the Fachverfahren — the protocol-faithful simulators of
 * `simulators/`, started in this process on loopback ports and wired as the tenant's payment provider and
 * the process's handoff endpoint. It runs in embedded mode with the development login (server.ts), and in
 * tests only when a test asks for it. The process is released through the designer's workflow (saved by the
 * designer, approved by a second one); a working copy others have changed is left to them. Seeding again
 * changes nothing that is already there: a release with the same content stays, the service, the directory
 * and the connector are replaced by the same.
 *
 * It goes through the API itself (in-process `inject` with development-login tokens), so the demo data
 * passes exactly the validation an administrator's would.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { releaseThroughReview } from './release.js';
import { startFachverfahren, type FachverfahrenSimulator } from '../../../simulators/fachverfahren.js';
import { startPaymentProvider, type PaymentProviderSimulator } from '../../../simulators/payment-provider.js';

export const DEMO_TENANT = '091620000000';
export const DEMO_SERVICE = 'bewohnerparkausweis';
export const DEMO_PROCESS = 'bewohnerparkausweis';
/** the candidate group of the review task */
export const DEMO_GROUP = 'strassenverkehrsbehoerde';

/** One user per role, as the development login signs them in (README, sign-in pages). */
export const DEMO_USERS = {
  citizen: { kind: 'citizen', userId: 'erika', name: 'Erika Mustermann', trustLevel: 'substanziell' },
  clerk: {
    kind: 'staff',
    userId: 'mueller',
    name: 'Sachbearbeiterin Müller',
    tenantId: DEMO_TENANT,
    roles: ['clerk'],
    groups: [DEMO_GROUP],
  },
  colleague: {
    kind: 'staff',
    userId: 'schmidt',
    name: 'Sachbearbeiter Schmidt',
    tenantId: DEMO_TENANT,
    roles: ['clerk'],
    groups: [DEMO_GROUP],
  },
  designer: { kind: 'staff', userId: 'planer', name: 'Prozessdesign', tenantId: DEMO_TENANT, roles: ['designer'] },
  /** the second pair of eyes of the release workflow */
  reviewer: { kind: 'staff', userId: 'pruefer', name: 'Prozessprüfung', tenantId: DEMO_TENANT, roles: ['designer'] },
  admin: { kind: 'staff', userId: 'admin', name: 'Administration', tenantId: DEMO_TENANT, roles: ['admin'] },
} as const;

const file = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');

const FACHVERFAHREN_URL = '__FACHVERFAHREN_URL__';

/** The demo process with the Fachverfahren's address filled in. */
export function demoProcessXml(fachverfahrenUrl: string): string {
  return file('./bewohnerparkausweis.bpmn').replace(FACHVERFAHREN_URL, fachverfahrenUrl);
}

/** Whether a BPMN is the demo process with some Fachverfahren address (an earlier seed's). */
function isDemoProcess(bpmnXml: string): boolean {
  const [before, after] = file('./bewohnerparkausweis.bpmn').split(FACHVERFAHREN_URL);
  return (
    bpmnXml.startsWith(before) &&
    bpmnXml.endsWith(after) &&
    /^http:\/\/[^"<>\s]+$/.test(bpmnXml.slice(before.length, bpmnXml.length - after.length))
  );
}

const formOf = (name: string) => {
  const schema = JSON.parse(file(name)) as { id: string } & Record<string, unknown>;
  return { formId: schema.id, schema };
};

export interface Demo {
  readonly tenantId: string;
  readonly payment: PaymentProviderSimulator;
  readonly fachverfahren: FachverfahrenSimulator;
  close(): Promise<void>;
}

/** Secrets of the simulated accounts: they exist only between this process and its own simulators. */
const PAYMENT_SECRET = 'demo-payment-secret-musterstadt';

export async function seedDemo(
  app: FastifyInstance,
  options: {
    /** where the simulators reach the platform (its listening address) */
    platformUrl: string;
    paymentPort?: number;
    fachverfahrenPort?: number;
  },
): Promise<Demo> {
  const token = async (user: object): Promise<string> => {
    const response = await app.inject({ method: 'POST', url: '/dev-login/token', payload: user });
    if (response.statusCode !== 200)
      throw new Error(
        `Expected the development login to issue a token for the demo, but it answered ${response.statusCode}.`,
      );
    return `Bearer ${(response.json() as { access_token: string }).access_token}`;
  };
  const call = async (method: 'PUT' | 'POST', url: string, authorization: string, payload: string | object) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization, ...(typeof payload === 'string' ? { 'content-type': 'text/csv' } : {}) },
      payload,
    });
    if (response.statusCode >= 300)
      throw new Error(
        `Expected ${method} ${url} to succeed for the demo, but: ${response.statusCode} ${response.body}`,
      );
  };

  const payment = await startPaymentProvider({
    ags: DEMO_TENANT.slice(0, 8),
    secret: PAYMENT_SECRET,
    originatorId: 'musterstadt',
    endpointId: 'bewohnerparken',
    apiKey: PAYMENT_SECRET,
    port: options.paymentPort,
  });
  let fachverfahren: FachverfahrenSimulator;
  try {
    // the Fachverfahren acknowledges a record by publishing its message with a service account's token
    fachverfahren = await startFachverfahren({
      platformUrl: options.platformUrl,
      token: () => token({ kind: 'staff', userId: 'kfz-fachverfahren', tenantId: DEMO_TENANT, roles: ['worker'] }),
      port: options.fachverfahrenPort,
    });
  } catch (error) {
    await payment.close();
    throw error;
  }
  const demo: Demo = {
    tenantId: DEMO_TENANT,
    payment,
    fachverfahren,
    close: async () => {
      await fachverfahren.close();
      await payment.close();
    },
  };
  try {
    // the demo process goes through the release workflow like every other: saved, reviewed, released
    const designer = await token(DEMO_USERS.designer);
    const admin = await token(DEMO_USERS.admin);
    const release = await releaseThroughReview(
      app,
      { author: designer, reviewer: await token(DEMO_USERS.reviewer) },
      {
        bpmnProcessId: DEMO_PROCESS,
        name: 'Bewohnerparkausweis',
        bpmnXml: demoProcessXml(`${fachverfahren.url}/records`),
        forms: [formOf('./bewohnerparkausweis-antrag.form'), formOf('./antrag-pruefen.form')],
      },
      isDemoProcess,
    );
    if (release.outcome === 'left-alone')
      app.log.warn(
        { bpmnProcessId: DEMO_PROCESS, state: release.state },
        'The demo process is being worked on in the designer; the seed leaves it as it is.',
      );
    await call('PUT', `/v2/services/${DEMO_SERVICE}`, designer, {
      leikaKey: '99050012104000',
      title: 'Bewohnerparkausweis',
      description:
        'Parkausweis für Bewohnerinnen und Bewohner mit Hauptwohnsitz im Parkgebiet. Sie brauchen die Zulassungsbescheinigung Teil I Ihres Fahrzeugs.',
      bpmnProcessId: DEMO_PROCESS,
      formId: 'bewohnerparkausweis-antrag',
      trustLevel: 'substanziell',
      feeHint: '30,70 € pro Jahr',
      published: true,
    });
    await call(
      'PUT',
      '/v2/authorities',
      admin,
      [
        'name;leikaKey;regionKey;channel;endpoint;destinationId;targetTenantId;secret',
        `Straßenverkehrsbehörde Musterstadt;99050012104000;${DEMO_TENANT};internal;;;${DEMO_TENANT};`,
      ].join('\n'),
    );
    await call('PUT', '/v2/connectors/payment', admin, {
      provider: 'pmpayment',
      url: payment.url,
      originatorId: DEMO_TENANT.slice(0, 8),
      secret: PAYMENT_SECRET,
    });
  } catch (error) {
    await demo.close();
    throw error;
  }
  return demo;
}

/**
 * `npm start`'s demo: in embedded mode with the development login, unless `DEMO=false`. The Fachverfahren
 * simulator takes the port after the API's when it is free, so the process's handoff address (and with it
 * the released version) stays the same from one start to the next.
 */
export async function startDemoIfEmbedded(
  app: FastifyInstance,
  config: { databaseUrl?: string; devLogin: boolean; port: number; host: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Demo | undefined> {
  const flag = env.DEMO?.trim() || undefined;
  if (flag !== undefined && flag !== 'true' && flag !== 'false')
    throw new Error(`Expected DEMO to be true or false, but it was '${flag}'.`);
  if (flag === 'false' || config.databaseUrl || !config.devLogin) return undefined;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const platformUrl = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  try {
    return await seedDemo(app, { platformUrl, fachverfahrenPort: config.port + 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return seedDemo(app, { platformUrl });
  }
}
