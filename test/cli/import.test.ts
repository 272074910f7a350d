/**
 * `prozessplattform import`: the real command (api/src/cli/prozessplattform.mjs, as `npx prozessplattform`
 * runs it) spawned against a started API — the DigiWF Camunda 7 models as a batch (one of them repeats a
 * process id and is refused with 409, so the exit code is 1), a dry run that keeps nothing, FIM code lists
 * and XDatenfelder sorted out of one directory, a signed process package of another tenant (and a tampered
 * one), usage errors, and the progress bar on a terminal.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { runImport } from '../../api/src/cli/import.command.js';
import { TENANT_A, TENANT_B, testApp, tokenFor, type TestApp } from '../api/support.js';

const repo = resolve(import.meta.dirname, '../..');
const shared = process.env.SHARED_DIR ?? join(repo, '..', 'shared');
const egov = join(shared, 'conformance/egov-bpmn');
const fim = join(shared, 'fim/xdatenfelder');
const cli = join(repo, 'api/src/cli/prozessplattform.mjs');

let api: TestApp;
let url: string;
let admin: string;

beforeAll(async () => {
  api = await testApp('cli_import');
  url = await api.app.listen({ host: '127.0.0.1', port: 0 });
  admin = await tokenFor(api.app, { userId: 'root', roles: ['admin'] });
});

afterAll(async () => {
  await api?.close();
});

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { cwd: repo, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const history = async () =>
  (await api.app.inject({ method: 'GET', url: '/v2/imports', headers: { authorization: admin } })).json().items as {
    kind: string;
    bpmnProcessId?: string;
  }[];

it('should preview a directory of Camunda 7 models in a dry run and keep nothing', async () => {
  // when
  const { code, stdout, stderr } = await run(
    'import',
    'camunda7',
    egov,
    '--url',
    url,
    '--dev-login',
    `designer@${TENANT_A}`,
    '--dry-run',
    '--json',
  );
  // then
  expect(stderr.trim().split('\n')).toEqual(
    Array.from({ length: 6 }, (_, index) => expect.stringMatching(new RegExp(`^\\[${index + 1}/6\\] .+\\.bpmn: ok$`))),
  );
  expect(code).toBe(0);
  const summary = JSON.parse(stdout);
  expect(summary).toMatchObject({ files: 6, ok: 6, failed: 0 });
  expect(summary.mapped + summary.reported).toBe(summary.total);
  expect(summary.shareMapped).toBeCloseTo(summary.mapped / summary.total);
  expect(summary.shareMapped).toBeGreaterThan(0);
  expect(await history()).toEqual([]);
});

it('should import the Camunda 7 models as drafts and fail the batch on the one that repeats a process id', async () => {
  // when
  const { code, stdout, stderr } = await run(
    'import',
    'camunda7',
    egov,
    '--url',
    url,
    '--dev-login',
    `designer@${TENANT_A}`,
  );
  // then
  expect(code).toBe(1);
  expect(stderr).toMatch(/^\[6\/6\] .+: (ok|failed)$/m);
  const lines = stdout.trim().split('\n');
  expect(lines.filter((line) => line.startsWith('✓'))).toHaveLength(5);
  expect(lines.filter((line) => line.startsWith('✗'))).toEqual([
    expect.stringMatching(
      /AnzeigeverfahrenAuswertungen1\.bpmn: 409 Expected a new process id, but 'AnzeigeverfahrenAuswertungen' exists\. \(body\.file\)$/,
    ),
  ]);
  expect(lines.find((line) => line.includes('Feature_ParkausweisAnlegen'))).toMatch(
    /mapped \([0-9.]+ %\), [0-9]+ reported → http:\/\/127\.0\.0\.1:[0-9]+\/designer\/#\/process\/FeatureCreateParkausweis$/,
  );
  expect(lines.at(-1)).toMatch(
    /^6 files, 5 ok, 1 failed; [0-9]+ of [0-9]+ constructs mapped \([0-9.]+ %\), [0-9]+ reported$/,
  );
  const kept = await history();
  expect(kept).toHaveLength(5);
  expect(kept.map((record) => record.bpmnProcessId).sort()).toEqual([
    'AenderungsAntragDVMoHo',
    'AntragDVMoHo',
    'AnzeigeverfahrenAuswertungen',
    'DigitalWFErleben',
    'FeatureCreateParkausweis',
  ]);
});

it('should take the code lists and then the XDatenfelder out of one FIM directory', async () => {
  // when
  const lists = await run('import', 'code-list', fim, '--url', url, '--dev-login', `admin@${TENANT_A}`);
  const fields = await run(
    'import',
    'xdatenfelder',
    fim,
    '--url',
    url,
    '--dev-login',
    `designer@${TENANT_A}`,
    '--json',
  );
  // then
  expect(lists.code).toBe(0);
  expect(lists.stdout).toMatch(/^4 files, 4 ok, 0 failed; no constructs counted$/m);
  const summary = JSON.parse(fields.stdout);
  // every XDatenfelder file, but no code list; the legacy 1.0 file is refused, so the batch fails
  expect(
    summary.results
      .map((result: { file: string }) => result.file)
      .every((file: string) => !file.includes('genericode')),
  ).toBe(true);
  expect(summary.failed).toBe(1);
  expect(summary.results.find((result: { ok: boolean }) => !result.ok)).toMatchObject({
    file: expect.stringContaining('xdf1'),
    status: 400,
    error: expect.stringContaining('XDatenfelder 1'),
  });
  expect(fields.code).toBe(1);
  const gerps = summary.results.find((result: { file: string }) => result.file.includes('GerPS_S00000094'));
  expect(gerps.report.mapped + gerps.report.reported).toBe(gerps.report.total);
});

it('should preview an XProzess export with the XDatenfelder of the same service', async () => {
  // when
  const { code, stdout } = await run(
    'import',
    'xprozess',
    join(shared, 'fim/xprozess/xprozess_Mutterschutz_Anzeige_Beschaeftigung.xml'),
    '--data-fields',
    join(fim, 'GerPS_S00000094V1.0_xdf2.xml'),
    '--url',
    url,
    '--dev-login',
    `designer@${TENANT_A}`,
    '--dry-run',
    '--json',
  );
  // then
  expect(code).toBe(0);
  const summary = JSON.parse(stdout);
  expect(summary).toMatchObject({ files: 1, ok: 1, failed: 0 });
  expect(summary.results[0].report.mapped + summary.results[0].report.reported).toBe(summary.results[0].report.total);
});

const PACKAGED_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="sperrmuell" name="Sperrmüllabholung" isExecutable="true">
    <bpmn:startEvent id="applied"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="applied" targetRef="plan" />
    <bpmn:userTask id="plan" name="Termin planen">
      <bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="abfall" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="plan" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
`;

it("should take over another tenant's signed process package and refuse a tampered one", async () => {
  // given: München releases a process with four eyes and exports its signed package to a file
  const [anna, ben] = await Promise.all(
    ['anna', 'ben'].map((userId) => tokenFor(api.app, { userId, roles: ['designer'] })),
  );
  const call = (method: 'GET' | 'POST' | 'PUT', path: string, token: string, payload?: object) =>
    api.app.inject({ method, url: path, headers: { authorization: token }, payload });
  await call('POST', '/v2/processes', anna, { bpmnProcessId: 'sperrmuell', name: 'Sperrmüllabholung' });
  const draft = (await call('GET', '/v2/processes/sperrmuell', anna)).json();
  const saved = await call('PUT', '/v2/processes/sperrmuell/draft', anna, {
    revision: draft.revision,
    name: draft.name,
    bpmnXml: PACKAGED_BPMN,
    forms: [],
  });
  await call('POST', '/v2/processes/sperrmuell/review-request', anna, { revision: saved.json().revision });
  expect((await call('POST', '/v2/processes/sperrmuell/review', ben, { decision: 'approve' })).statusCode).toBe(200);
  const pkg = (await call('GET', '/v2/processes/sperrmuell/package', anna)).json();
  const dir = mkdtempSync(join(tmpdir(), 'pp-cli-package-'));
  const signed = join(dir, 'sperrmuell.json');
  const tampered = join(dir, 'sperrmuell-veraendert.json');
  writeFileSync(signed, JSON.stringify(pkg));
  writeFileSync(tampered, JSON.stringify({ ...pkg, bpmnXml: pkg.bpmnXml.replace('Termin planen', 'Termin') }));

  // when: Frankfurt's designer imports both
  const { code, stdout } = await run(
    'import',
    'package',
    signed,
    tampered,
    '--url',
    url,
    '--dev-login',
    `designer@${TENANT_B}`,
  );

  // then: the signed one is a draft of Frankfurt with its upstream, the tampered one is refused
  expect(code).toBe(1);
  const lines = stdout.trim().split('\n');
  expect(lines.find((line) => line.includes('sperrmuell.json'))).toMatch(
    /^✓ .+ → http:\/\/127\.0\.0\.1:[0-9]+\/designer\/#\/process\/sperrmuell$/,
  );
  expect(lines.find((line) => line.includes('sperrmuell-veraendert.json'))).toMatch(
    /^✗ .+: 422 .*(body\.package\.signature)/,
  );
  expect(lines.at(-1)).toMatch(/^2 files, 1 ok, 1 failed/);
  const designerB = await tokenFor(api.app, { userId: 'carla', tenantId: TENANT_B, roles: ['designer'] });
  const takenOver = (await call('GET', '/v2/processes/sperrmuell', designerB)).json();
  expect(takenOver).toMatchObject({
    state: 'draft',
    upstream: { packageId: pkg.manifest.id, version: 1, verified: true },
  });
});

it('should refuse wrong usage with exit code 2', async () => {
  const unknownKind = await run('import', 'excel', egov, '--url', url, '--token', 'x');
  expect(unknownKind).toMatchObject({ code: 2, stderr: expect.stringContaining('Expected a kind') });
  const noToken = await run('import', 'camunda7', egov, '--url', url);
  expect(noToken).toMatchObject({ code: 2, stderr: expect.stringContaining('Expected --token') });
  const noPreview = await run('import', 'code-list', fim, '--url', url, '--token', 'x', '--dry-run');
  expect(noPreview).toMatchObject({ code: 2, stderr: expect.stringContaining('--dry-run') });
  const missing = await run('import', 'bpmn', join(egov, 'nirgends.bpmn'), '--url', url, '--token', 'x');
  expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('does not exist') });
  const badLogin = await run('import', 'bpmn', egov, '--url', url, '--dev-login', 'chef@1');
  expect(badLogin).toMatchObject({ code: 2, stderr: expect.stringContaining('--dev-login') });
  const unsigned = await run('import', 'bpmn', egov, '--url', url, '--token', 'x', '--accept-unsigned');
  expect(unsigned).toMatchObject({ code: 2, stderr: expect.stringContaining('--accept-unsigned') });
  // a package that is no JSON is refused before it is sent
  const notJson = await run('import', 'package', join(fim, 'flxbe_v2-data_simple.xml'), '--url', url, '--token', 'x');
  expect(notJson.code).toBe(1);
  expect(notJson.stdout).toMatch(/^✗ .+flxbe_v2-data_simple\.xml: Expected a process package in JSON, but /m);
  // a token the API does not accept: every file fails, with the status
  const refused = await run('import', 'camunda7', egov, '--url', url, '--token', 'not-a-token', '--dry-run');
  expect(refused.code).toBe(1);
  expect(refused.stdout).toMatch(/^✗ .+: 401 /m);
});

it('should draw a progress bar on a terminal', async () => {
  // given a terminal on stderr (and results on a pipe)
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 120 }) as unknown as NodeJS.WriteStream;
  const stdout = new PassThrough() as unknown as NodeJS.WriteStream;
  let drawn = '';
  (stderr as unknown as PassThrough).on('data', (chunk: Buffer) => (drawn += chunk.toString()));
  const token = (await tokenFor(api.app, { userId: 'lena', roles: ['designer'] })).replace(/^Bearer /, '');
  // when
  const summary = await runImport(
    { kind: 'camunda7', inputs: [egov], url, token, dryRun: true, json: false },
    { stdout, stderr },
  );
  // then
  expect(summary).toMatchObject({ files: 6, ok: 6 });
  expect(drawn).toMatch(/█+░* [1-6]\/6 files \| [1-6] ok, 0 failed \| \S+\.bpmn/);
  // and clears it at the end (the summary follows on stdout)
  expect(drawn.endsWith('\u001b[0J')).toBe(true);
});
