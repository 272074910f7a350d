import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { build } from '../../api/src/app.js';
import { CommandRejectedError, createEngine, type Engine, type Rejection } from '../../engine/src/index.js';

/** A service task without zeebe:taskDefinition: the compiler must name it. */
const bpmnWithoutTaskDefinition = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://example.org">
  <bpmn:process id="fee-notice" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge-fee" />
    <bpmn:serviceTask id="charge-fee" />
    <bpmn:sequenceFlow id="f2" sourceRef="charge-fee" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('problem+json errors', () => {
  let engine: Engine;
  let app: FastifyInstance;
  let logged: string;

  beforeAll(async () => {
    engine = await createEngine({ dataDir: 'memory://' });
  });

  afterAll(async () => {
    await engine.close();
  });

  beforeEach(async () => {
    logged = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logged += String(chunk);
        done();
      },
    });
    app = await build({ logLevel: 'silent' }, { engine, version: '0.1.0', logger: pino({ level: 'error' }, sink) });
  });

  afterEach(async () => {
    await app.close();
  });

  it('should answer unknown routes with a 404 problem', async () => {
    // when
    const response = await app.inject({ method: 'GET', url: '/v2/nothing-here?x=1' });

    // then
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'Expected a route for GET /v2/nothing-here, but there is none.',
      instance: '/v2/nothing-here?x=1',
    });
  });

  it('should hide the details of a 500 and log them', async () => {
    // given
    app.get('/boom', async () => {
      throw new Error('connection to db failed, password hunter2');
    });

    // when
    const response = await app.inject({ method: 'GET', url: '/boom' });

    // then
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
      instance: '/boom',
    });
    expect(response.body).not.toContain('hunter2');
    expect(logged).toContain('hunter2');
  });

  it('should keep a deliberate 5xx status but still hide its message', async () => {
    // given
    app.get('/unavailable', async () => {
      throw Object.assign(new Error('replica lag 40 s on db-2'), { statusCode: 503 });
    });

    // when
    const response = await app.inject({ method: 'GET', url: '/unavailable' });

    // then
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ title: 'Service Unavailable', status: 503 });
    expect(response.body).not.toContain('db-2');
  });

  it('should answer a malformed JSON body with a 400 problem', async () => {
    // given
    app.post('/echo', async (request) => request.body);

    // when
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });

    // then
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
  });

  it('should answer a body that fails its schema with the failing field', async () => {
    // given
    app.post(
      '/messages',
      { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
      async () => ({}),
    );

    // when
    const response = await app.inject({ method: 'POST', url: '/messages', payload: { correlationKey: 'A-1' } });

    // then
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      type: 'urn:prozessplattform:problem:invalid-request',
      status: 400,
      detail: 'body.name: Expected this property, but it is missing.',
      errors: [{ field: 'body.name', message: 'Expected this property, but it is missing.' }],
    });
  });

  it('should answer a rejected deployment with 400 and the problems naming the element', async () => {
    // given
    app.post('/deployments', async () =>
      engine.deploy({ resources: [{ name: 'fee-notice.bpmn', content: bpmnWithoutTaskDefinition }] }),
    );

    // when
    const response = await app.inject({ method: 'POST', url: '/deployments' });

    // then
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({ type: 'urn:prozessplattform:problem:deployment-rejected', status: 400 });
    expect(problem.problems).toContainEqual(expect.objectContaining({ elementId: 'charge-fee' }));
  });

  it('should map engine rejections from real commands', async () => {
    // given
    app.post('/jobs/complete', async () => engine.completeJob({ jobKey: '123456789' }));
    app.post('/instances', async () => engine.createInstance({}));
    app.post('/messages/publish', async () =>
      engine.publishMessage({ name: 'documents-submitted', messageId: 'm-1', timeToLiveMs: 60_000 }),
    );

    // when
    const missingJob = await app.inject({ method: 'POST', url: '/jobs/complete' });
    const noProcess = await app.inject({ method: 'POST', url: '/instances' });
    const first = await app.inject({ method: 'POST', url: '/messages/publish' });
    const duplicate = await app.inject({ method: 'POST', url: '/messages/publish' });

    // then
    expect(missingJob.statusCode).toBe(404);
    expect(missingJob.json()).toMatchObject({
      type: 'urn:prozessplattform:problem:not-found',
      detail: expect.stringContaining('123456789'),
    });
    expect(noProcess.statusCode).toBe(400);
    expect(noProcess.json()).toMatchObject({ type: 'urn:prozessplattform:problem:invalid-argument' });
    expect(first.statusCode).toBe(200);
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json()).toMatchObject({
      type: 'urn:prozessplattform:problem:already-exists',
      detail: expect.stringContaining("'m-1'"),
    });
  });

  it.each([
    ['NOT_FOUND', 404],
    ['INVALID_STATE', 409],
    ['INVALID_ARGUMENT', 400],
    ['ALREADY_EXISTS', 409],
  ] as const)('should map the rejection %s to %i with its reason', async (type, status) => {
    // given
    const rejection: Rejection = { type, reason: `Expected something, but ${type}.` };
    app.get('/rejected', async () => {
      throw new CommandRejectedError(rejection);
    });

    // when
    const response = await app.inject({ method: 'GET', url: '/rejected' });

    // then
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status, detail: rejection.reason });
  });

  it('should treat an unknown rejection type as a bug', async () => {
    // given
    app.get('/drift', async () => {
      throw Object.assign(new Error('x'), { code: 'COMMAND_REJECTED', rejection: { type: 'TOO_LATE', reason: 'r' } });
    });

    // when
    const response = await app.inject({ method: 'GET', url: '/drift' });

    // then
    expect(response.statusCode).toBe(500);
  });
});
