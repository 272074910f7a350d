/**
 * A remote signing service simulator (an HSM or trust service provider behind an HTTP API): hash in → CMS
 * signature out, with its own seal certificate — valid, or expired on request to test the refusal.
 */
import { createHash } from 'node:crypto';
import { signDigest } from '../workers/src/seal/cms.js';
import { generateSealKey, sealKeyOf } from '../workers/src/seal/signer.js';
import { EffectLedger, startSimulator, type Simulator } from './simulator.js';

export interface SigningServiceSimulator extends Simulator {
  readonly signatures: EffectLedger<{ tenantId: string; digest: string }>;
}

export async function startSigningService(options: {
  token: string;
  expired?: boolean;
  port?: number;
}): Promise<SigningServiceSimulator> {
  const stored = await generateSealKey(
    { commonName: 'Siegel Signaturdienst (Simulator)', organization: 'Prozessplattform Test-TSP' },
    options.expired ? { notBefore: new Date(Date.now() - 400 * 86_400_000), days: 365 } : {},
  );
  const signatures = new EffectLedger<{ tenantId: string; digest: string }>();
  const simulator = await startSimulator(
    'signing service',
    (app) => {
      app.post('/sign', async (request, reply) => {
        if (request.headers.authorization !== `Bearer ${options.token}`)
          return reply.status(401).send({ error: 'invalid token' });
        const body = request.body as {
          tenantId?: string;
          digest?: string;
          digestAlgorithm?: string;
          signingTime?: string;
        };
        const digest = Buffer.from(body.digest ?? '', 'base64');
        if (body.digestAlgorithm !== 'SHA-256' || digest.length !== 32 || !body.tenantId)
          return reply.status(400).send({ error: 'expected tenantId and a base64 SHA-256 digest' });
        const signingTime = body.signingTime ? new Date(body.signingTime) : new Date();
        let key;
        try {
          key = await sealKeyOf(stored, signingTime);
        } catch (error) {
          return reply.status(422).send({ error: (error as Error).message });
        }
        const id = createHash('sha256')
          .update(`${body.tenantId}:${digest.toString('hex')}`)
          .digest('hex');
        if (!signatures.seen(id)) signatures.record(id, { tenantId: body.tenantId, digest: digest.toString('hex') });
        const cms = await signDigest(new Uint8Array(digest), key, signingTime);
        return { cms: Buffer.from(cms).toString('base64') };
      });
    },
    signatures as EffectLedger<unknown>,
    { port: options.port },
  );
  return { ...simulator, signatures };
}
