/**
 * Loads every JSON Schema of `schemas/` into Fastify (`addSchema`), so routes refer to them by `$id`
 * (`{ $ref: 'process-instance.search-request#' }`) and the OpenAPI document lists them as components.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';

const SCHEMA_DIR = new URL('../../../schemas/', import.meta.url);

export function loadSchemas(): { $id: string }[] {
  return readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith('.schema.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(new URL(name, SCHEMA_DIR), 'utf8')) as { $id: string });
}

export const schemas = fp(
  (async (app) => {
    for (const schema of loadSchemas()) app.addSchema(schema);
  }) satisfies FastifyPluginAsync,
  { name: 'schemas' },
);
