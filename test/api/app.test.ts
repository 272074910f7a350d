import { build } from '../../api/src/app.js';
import { loadConfig } from '../../api/src/config.js';
import { createEngine, type Engine } from '../../engine/src/index.js';

describe('api app', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await createEngine({ dataDir: 'memory://' });
  });

  afterAll(async () => {
    await engine.close();
  });

  it('should report health with the embedded database', async () => {
    // given
    const app = await build({ logLevel: 'silent' }, { engine, version: '0.1.0' });

    // when
    const response = await app.inject({ method: 'GET', url: '/health' });

    // then
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: 'ok', mode: 'embedded', version: '0.1.0' });
    await app.close();
  });

  it('should answer unknown routes with problem+json', async () => {
    // given
    const app = await build({ logLevel: 'silent' }, { engine, version: '0.1.0' });

    // when
    const response = await app.inject({ method: 'GET', url: '/v2/nothing-here' });

    // then
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 404, instance: '/v2/nothing-here' });
    await app.close();
  });

  it('should hide the details of a 500 and map engine rejections to 4xx', async () => {
    // given
    const app = await build({ logLevel: 'silent' }, { engine, version: '0.1.0' });
    app.get('/boom', async () => {
      throw new Error('database password is hunter2');
    });
    app.get('/missing-job', async () => engine.completeJob({ jobKey: '123456789' }));

    // when
    const boom = await app.inject({ method: 'GET', url: '/boom' });
    const missing = await app.inject({ method: 'GET', url: '/missing-job' });

    // then
    expect(boom.statusCode).toBe(500);
    expect(boom.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(boom.body).not.toContain('hunter2');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status: 404, detail: expect.stringContaining('123456789') });
    await app.close();
  });
});

describe('configuration', () => {
  it('should default to the embedded database on localhost:3000', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      logLevel: 'info',
      engineStepLimit: 10000,
    });
    expect(loadConfig({}).databaseUrl).toBeUndefined();
  });

  it.each([
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'localhost:6379'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'chatty'],
    ['ENGINE_STEP_LIMIT', '-5'],
    ['SCHEDULER_INTERVAL_MS', '0'],
  ])('should refuse %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: expected .*but got '${value}'`));
  });

  it('should accept a full production configuration', () => {
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://app@db:5432/pp',
        REDIS_URL: 'redis://redis:6379',
        PORT: '8080',
        HOST: '0.0.0.0',
        LOG_LEVEL: 'warn',
        ENGINE_STEP_LIMIT: '5000',
        SCHEDULER_INTERVAL_MS: '250',
      }),
    ).toEqual({
      databaseUrl: 'postgres://app@db:5432/pp',
      redisUrl: 'redis://redis:6379',
      dataDir: './data',
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'warn',
      engineStepLimit: 5000,
      schedulerIntervalMs: 250,
    });
  });
});
