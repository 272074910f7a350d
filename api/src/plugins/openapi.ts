/**
 * The OpenAPI 3.1 document, generated from the routes and the schemas of `schemas/`, at `/openapi.json`,
 * and Swagger UI at `/docs`.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';

const openapiPlugin: FastifyPluginAsync<{ version: string; publicUrl: string }> = async (
  app,
  { version, publicUrl },
) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Prozessplattform API',
        description:
          'Antrags- und Prozessplattform für Kommunen. Camunda 8 REST API v2 conventions under /v2; errors are RFC 9457 problem details.',
        version,
        license: { name: 'EUPL-1.2', url: 'https://eupl.eu/1.2/de/' },
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
    // components are named by the schemas' $id instead of def-0, def-1, …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

export const openapi = fp(openapiPlugin, { name: 'openapi', dependencies: ['schemas'] });
