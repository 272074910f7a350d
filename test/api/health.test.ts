import { build } from '../../api/src/app.js';
import { createEngine } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';

const config = { logLevel: 'silent' } as const;

describe('GET /health', () => {
  it('should report ok with the embedded database', async () => {
    // given
    const engine = await createEngine({ dataDir: 'memory://' });
    const app = await build(config, { engine, version: '0.1.0' });

    // when
    const response = await app.inject({ method: 'GET', url: '/health' });

    // then
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ status: 'ok', database: 'ok', mode: 'embedded', version: '0.1.0' });
    await app.close();
    await engine.close();
  });

  it('should report ok on PostgreSQL', async () => {
    // given
    const databaseUrl = await createFreshDatabase('api_health');
    const engine = await createEngine({ databaseUrl });
    const app = await build(config, { engine, version: '0.1.0' });

    try {
      // when
      const response = await app.inject({ method: 'GET', url: '/health' });

      // then
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok', database: 'ok', mode: 'postgres', version: '0.1.0' });
    } finally {
      await app.close();
      await engine.close();
      await dropDatabase(databaseUrl);
    }
  });

  it('should answer 503 when the database does not answer', async () => {
    // given an engine whose database is closed
    const engine = await createEngine({ dataDir: 'memory://' });
    const app = await build(config, { engine, version: '0.1.0' });
    await engine.close();

    // when
    const response = await app.inject({ method: 'GET', url: '/health' });

    // then
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'degraded', database: 'error', mode: 'embedded', version: '0.1.0' });
    await app.close();
  });
});
