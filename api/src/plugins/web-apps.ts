/**
 * Serves the browser apps built from `modeler/` (Vite output in `modeler/dist`): the landing page at `/`,
 * each app under `/<app>/` with its client-side routes falling back to the app's `index.html`, hashed
 * assets cached for a year. `/ui/config.json` tells the apps how people sign in here. Without a build the
 * app paths answer 503 with the command that builds them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ApiProblem } from '../errors.js';
import type { OidcIssuer } from '../config.js';

export const WEB_APPS_DIST = resolve(fileURLToPath(new URL('../../../modeler/dist', import.meta.url)));

export interface WebAppsOptions {
  readonly devLogin: boolean;
  readonly staffIssuer?: OidcIssuer;
  readonly citizenIssuer?: OidcIssuer;
  /** where the build lies (tests may point elsewhere) */
  readonly dist?: string;
}

/** The public client of each issuer is its audience (one client id per kind of user, see the README). */
const client = (issuer?: OidcIssuer) => (issuer ? { issuer: issuer.issuer, clientId: issuer.audience } : undefined);

export const webApps: FastifyPluginAsync<WebAppsOptions> = async (app, options) => {
  const dist = options.dist ?? WEB_APPS_DIST;
  const uiConfig = {
    devLogin: options.devLogin,
    ...(options.staffIssuer ? { staff: client(options.staffIssuer) } : {}),
    ...(options.citizenIssuer ? { citizen: client(options.citizenIssuer) } : {}),
  };
  app.get('/ui/config.json', { schema: { hide: true } }, async () => uiConfig);

  // the apps talk to their own origin and, for sign-in, to the configured issuers
  const issuerOrigins = [options.staffIssuer, options.citizenIssuer].flatMap((issuer) =>
    issuer ? [new URL(issuer.issuer).origin] : [],
  );
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    // bpmn-js and form-js set element styles at run time
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${issuerOrigins.join(' ')}`.trim(),
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');

  if (!existsSync(join(dist, 'index.html'))) {
    const missing = async () => {
      throw new ApiProblem(
        503,
        'web-apps-not-built',
        'Browser apps not built',
        'Expected the browser apps to be built, but modeler/dist is missing: run `npm run build:web`.',
      );
    };
    app.get('/', { schema: { hide: true } }, missing);
    return;
  }

  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    wildcard: false,
    index: false,
    // Vite names assets by content hash; pages must be fetched fresh to pick up a new build
    cacheControl: false,
    setHeaders: (reply: FastifyReply, path: string) => {
      reply.header(
        'cache-control',
        path.startsWith(join(dist, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const page = (file: string) => async (_request: unknown, reply: FastifyReply) =>
    reply.header('content-security-policy', policy).type('text/html; charset=utf-8').sendFile(file);

  app.get('/', { schema: { hide: true } }, page('index.html'));
  app.get('/assets/*', { schema: { hide: true } }, async (request, reply) =>
    reply.sendFile(`assets/${(request.params as { '*': string })['*']}`),
  );
  const apps = readdirSync(dist, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dist, entry.name, 'index.html')))
    .map((entry) => entry.name);
  for (const name of apps) {
    app.get(`/${name}`, { schema: { hide: true } }, async (_request, reply) => reply.redirect(`/${name}/`));
    // every client-side route of the app gets the app's page
    app.get(`/${name}/*`, { schema: { hide: true } }, page(`${name}/index.html`));
  }
};
