/**
 * Entry point of `npm start`: validates the configuration, opens the engine (embedded PGlite unless
 * DATABASE_URL is set), serves the API and shuts down cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { createEngine } from '../../engine/src/index.js';
import { build } from './app.js';
import { loadConfig, type Config } from './config.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const engine = await createEngine({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  stepLimit: config.engineStepLimit,
  schedulerIntervalMs: config.schedulerIntervalMs,
});
const app = await build(config, { engine, version });
await engine.start();
await app.listen({ port: config.port, host: config.host });
app.log.info(
  `Prozessplattform ${version} (${engine.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'}) listening on http://${config.host}:${config.port}`,
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  app.log.info(`${signal} received, shutting down`);
  await app.close();
  await engine.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
