/**
 * The administration in Chromium (issue #5): an administrator signs in, sees the running cases of a
 * deployed process with counts on its diagram, sees an incident (a job failed with no retries left),
 * retries it and sees it gone, sees the jobs per queue in the table and on the BullMQ dashboard, edits an
 * organisational unit, sees the staff members, and uploads a CSV of authorities with one bad line and sees
 * the error at that line. axe on every page of the app; screenshots in reports/screenshots/admin-*.png.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import {
  checkAccessibility,
  expectAccessible,
  launchBrowser,
  newPage,
  screenshot,
  startPlatform,
  type Platform,
} from './support.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TENANT = '091620000000';
const FEE = 'admin-test:fee:1';
const PROCESS = readFileSync(new URL('./fixtures/admin-antrag.bpmn', import.meta.url), 'utf8');
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

let platform: Platform;
let browser: Browser;
let transport: JobTransport;
let redis: Redis;
const prefix = `pp-admin-e2e-${randomUUID().slice(0, 8)}`;

const waitFor = async (check: () => Promise<boolean>, what: string) => {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Expected ${what}, but it did not happen within 10 s.`);
};

beforeAll(async () => {
  platform = await startPlatform('browser_admin', { deps: { queueDashboard: { redisUrl: REDIS_URL, prefix } } });
  redis = new Redis(REDIS_URL);
  // the API's part of the job transport: jobs go to BullMQ; nobody works this queue, the test does
  const fee = { type: FEE, inputSchema: {}, process: async () => ({}) } as unknown as JobType<never>;
  transport = startJobTransport(platform.engine, [fee], { redisUrl: REDIS_URL, prefix, runWorkers: false }, quiet);
  const { engine } = platform;
  await engine.deploy({ tenantId: TENANT, resources: [{ name: 'bewohnerparken.bpmn', content: PROCESS }] });
  for (let i = 0; i < 3; i++) await engine.createInstance({ tenantId: TENANT, bpmnProcessId: 'anwohnerparken' });
  const jobs = await engine.activateJobs({ type: FEE, worker: 'test', maxJobsToActivate: 3, timeoutMs: 60_000 });
  await engine.completeJob({ jobKey: jobs[0].jobKey });
  await engine.completeJob({ jobKey: jobs[1].jobKey });
  await engine.failJob({ jobKey: jobs[2].jobKey, retries: 0, errorMessage: 'Gebührenrechner antwortet nicht (503)' });
  await waitFor(async () => (await redis.keys(`${prefix}:admin-test.fee.1:job-*`)).length >= 3, 'three queued jobs');
  // a clerk who used the platform, for the list of staff members
  const token = await fetch(`${platform.url}/dev-login/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'staff',
      userId: 'mueller',
      name: 'Maria Müller',
      tenantId: TENANT,
      roles: ['clerk'],
      groups: ['buergeramt'],
    }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  await fetch(`${platform.url}/v2/user-tasks/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await transport?.close();
  await platform?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis?.disconnect();
});

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name }).click();

it('should let an administrator watch cases, retry an incident, see queues, edit units and upload authorities', async () => {
  const { context, page, errors } = await newPage(browser);

  // sign in
  await page.goto(`${platform.url}/admin/`);
  await page.getByRole('heading', { name: 'Anmelden zur Administration' }).waitFor();
  await expectAccessible(page, 'login');
  await page.getByLabel('Benutzerkennung').fill('schmidt');
  await page.getByLabel('Name', { exact: true }).fill('Sabine Schmidt');
  await page.getByRole('button', { name: 'Anmelden' }).click();

  // running cases per process version
  await page.getByRole('heading', { name: 'Laufende Vorgänge je Prozess und Version' }).waitFor();
  const row = page.locator('tr', { hasText: 'Bewohnerparkausweis' });
  // allTextContents and count do not wait: wait for what the data brings first
  await row.waitFor();
  await expect(row.locator('td.number').allTextContents()).resolves.toEqual(['3', '1']);
  await expectAccessible(page);
  await screenshot(page, 'admin-cases');

  // the heatmap on the diagram
  await page.getByRole('link', { name: 'Verteilung anzeigen: Bewohnerparkausweis, Version 1' }).click();
  await page.locator('.diagram-canvas[data-imported="true"]').waitFor();
  await page.getByRole('heading', { name: 'Bewohnerparkausweis, Version 1' }).waitFor();
  await page.locator('.pp-badge-incident').waitFor();
  await expect(page.locator('.pp-badge-active').allTextContents()).resolves.toEqual(['2']);
  await expect(page.locator('.pp-badge-incident').allTextContents()).resolves.toEqual(['1']);
  await expect(page.locator('.djs-element.pp-marker-incident').count()).resolves.toBe(1);
  await expect(page.locator('li[data-element-id="antrag_pruefen"]').textContent()).resolves.toContain(
    'Antrag prüfen (antrag_pruefen): 2 aktiv',
  );
  await expect(page.locator('li[data-element-id="gebuehr_berechnen"]').textContent()).resolves.toContain(
    '1 mit Störung',
  );
  await expect(page.getByRole('figure', { name: 'Prozessdiagramm: Bewohnerparkausweis' }).count()).resolves.toBe(1);
  await expectAccessible(page);
  await screenshot(page, 'admin-heatmap');

  // the incident: retry it
  await nav(page, 'Störungen');
  await page.getByRole('heading', { name: 'Offene Störungen' }).waitFor();
  const incident = page.locator('tr', { hasText: 'Gebührenrechner antwortet nicht (503)' });
  await expect(incident.textContent()).resolves.toContain('JOB_NO_RETRIES');
  await expect(incident.textContent()).resolves.toContain('gebuehr_berechnen');
  await expect(incident.textContent()).resolves.toMatch(/\d{4}-\d{6} anwohnerparken/);
  await expectAccessible(page);
  await screenshot(page, 'admin-incidents');
  await incident.getByRole('button', { name: /^Erneut versuchen: gebuehr_berechnen/ }).click();
  await page.getByRole('status').filter({ hasText: 'Störung an gebuehr_berechnen behoben' }).waitFor();
  await page.getByText('Keine offenen Störungen.').waitFor();
  const open = await platform.engine.searchIncidents({ tenantIds: [TENANT], state: 'ACTIVE' });
  expect(open).toHaveLength(0);
  const retried = await platform.engine.activateJobs({
    type: FEE,
    worker: 'test',
    maxJobsToActivate: 5,
    timeoutMs: 1,
  });
  expect(retried).toHaveLength(1);
  expect(retried[0].retries).toBe(1);
  await expectAccessible(page, 'after retry');

  // jobs per queue: the table from PostgreSQL, then the BullMQ dashboard
  await nav(page, 'Warteschlangen');
  await page.getByRole('heading', { name: 'Aufträge je Warteschlange' }).waitFor();
  const jobRow = page.locator('tr', { hasText: 'admin-test.fee.1' });
  await jobRow.waitFor();
  await expect(jobRow.locator('td.number').textContent()).resolves.toBe('1');
  await expectAccessible(page);
  await screenshot(page, 'admin-jobs');
  await page.getByRole('button', { name: 'Warteschlangen-Dashboard öffnen' }).click();
  await page.waitForURL(/\/ops\/queues\//);
  await page.getByText('admin-test.fee.1').first().waitFor({ timeout: 15_000 });
  const cookies = await context.cookies(`${platform.url}/ops/queues/`);
  expect(cookies.find((cookie) => cookie.name === 'pp_queue_ticket')).toMatchObject({
    httpOnly: true,
    sameSite: 'Strict',
    path: '/ops/queues',
  });
  // the board is bull-board's own UI: its axe result is recorded, not held to ours
  await checkAccessibility(page, 'bull-board');
  await screenshot(page, 'admin-queue-dashboard');

  // organisational units: create two, then edit one
  await page.goto(`${platform.url}/admin/#/units`);
  await page.getByRole('heading', { name: 'Organisationseinheiten', level: 1 }).waitFor();
  await page.getByLabel('Kennung (Gruppe)').fill('ordnungsamt');
  await page.getByLabel('Anzeigename').fill('Ordnungsamt');
  await page.getByLabel('Funktionspostfach (E-Mail)').fill('kein-postfach');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.locator('.field-invalid').filter({ hasText: 'Funktionspostfach' }).waitFor();
  await expectAccessible(page, 'field error');
  await page.getByLabel('Funktionspostfach (E-Mail)').fill('ordnungsamt@muenchen.example');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByRole('status').filter({ hasText: 'Organisationseinheit ordnungsamt gespeichert.' }).waitFor();
  await page.getByLabel('Kennung (Gruppe)').fill('buergeramt');
  await page.getByLabel('Anzeigename').fill('Bürgeramt');
  await page.getByLabel('Übergeordnete Einheit').selectOption('ordnungsamt');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.locator('tr[data-unit-id="buergeramt"]').waitFor();
  await page.getByRole('button', { name: 'Bürgeramt bearbeiten' }).click();
  await page.getByRole('heading', { name: 'Organisationseinheit buergeramt bearbeiten' }).waitFor();
  await page.getByLabel('Anzeigename').fill('Bürgeramt Mitte');
  await page.getByRole('button', { name: 'Speichern' }).click();
  // the same message as after creating it, so wait for the row itself
  const unit = page.locator('tr[data-unit-id="buergeramt"]', { hasText: 'Bürgeramt Mitte' });
  await unit.waitFor();
  await page.getByRole('status').filter({ hasText: 'Organisationseinheit buergeramt gespeichert.' }).waitFor();
  await expect(unit.textContent()).resolves.toContain('Bürgeramt Mitte');
  await expect(unit.textContent()).resolves.toContain('Ordnungsamt');
  await expectAccessible(page);
  await screenshot(page, 'admin-units');

  // staff members seen
  await nav(page, 'Mitarbeitende');
  await page.locator('tr[data-user-id="mueller"]').waitFor();
  await expect(page.locator('tr[data-user-id="mueller"]').textContent()).resolves.toContain('Maria Müller');
  await expect(page.locator('tr[data-user-id="schmidt"]').textContent()).resolves.toContain('Administration');
  await expectAccessible(page);
  await screenshot(page, 'admin-staff');

  // directory of authorities: a file with one bad line changes nothing and shows the error at its line
  await nav(page, 'Behördenverzeichnis');
  await page.getByRole('heading', { name: 'Behördenverzeichnis' }).waitFor();
  await expectAccessible(page, 'empty');
  const header = 'name;leikaKey;regionKey;channel;endpoint;destinationId;targetTenantId;secret';
  const good = 'Stadt Frankfurt;;064120000000;internal;;;064120000000;';
  const bad = 'Kfz-Zulassungsstelle;99050012104000;09162;fax;;;;';
  await page.getByLabel('CSV-Datei').setInputFiles({
    name: 'behoerden.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from([header, good, bad].join('\n')),
  });
  await page.getByRole('button', { name: 'Hochladen und ersetzen' }).click();
  await page.getByRole('alert').filter({ hasText: 'Die Datei wurde nicht übernommen: 1 Fehler' }).waitFor();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('Zeile 3, channel');
  const badLine = page.locator('tr[data-line="3"]');
  await expect(badLine.getAttribute('class')).resolves.toBe('line-invalid');
  await expect(badLine.textContent()).resolves.toContain(
    "must be one of fit-connect, webhook, internal, but was 'fax'",
  );
  await expect(page.locator('tr[data-line="2"]').getAttribute('class')).resolves.toBeNull();
  await expectAccessible(page, 'upload error');
  await screenshot(page, 'admin-authorities-error');

  // the corrected file replaces the directory, and the download gives it back as CSV
  await page.getByLabel('CSV-Datei').setInputFiles({
    name: 'behoerden.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from([header, good].join('\n')),
  });
  await page.getByRole('button', { name: 'Hochladen und ersetzen' }).click();
  await page.getByRole('status').filter({ hasText: 'Verzeichnis ersetzt: 1 Einträge.' }).waitFor();
  await page.getByRole('rowheader', { name: 'Stadt Frankfurt' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Als CSV herunterladen' }).click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(
    csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/),
  ).toEqual([header, good]);
  await expectAccessible(page);
  await screenshot(page, 'admin-authorities');

  expect(errors).toEqual([]);
  await context.close();
}, 120_000);

it('should show jobs per type and state from PostgreSQL in embedded mode, in English too', async () => {
  // given: a platform without Redis, one job waiting and one failed for good
  const embedded = await startPlatform('browser_admin_embedded');
  try {
    const { engine } = embedded;
    await engine.deploy({ tenantId: TENANT, resources: [{ name: 'bewohnerparken.bpmn', content: PROCESS }] });
    for (let i = 0; i < 2; i++) await engine.createInstance({ tenantId: TENANT, bpmnProcessId: 'anwohnerparken' });
    const [job] = await engine.activateJobs({ type: FEE, worker: 'test', maxJobsToActivate: 1, timeoutMs: 60_000 });
    await engine.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'kaputt' });
    const { context, page, errors } = await newPage(browser);
    await page.goto(`${embedded.url}/admin/#/jobs`);
    await page.getByLabel('Benutzerkennung').fill('schmidt');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    // when
    await page.getByRole('heading', { name: 'Aufträge je Warteschlange' }).waitFor();
    // then
    await page.getByText('Eingebetteter Betrieb').waitFor();
    const counts = async () =>
      page
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent?.trim())));
    await expect(counts()).resolves.toEqual([
      ['admin-test:fee:1', 'admin-test.fee.1', 'wartet auf Bearbeitung', '1'],
      ['admin-test:fee:1', 'admin-test.fee.1', 'fehlgeschlagen (Störung)', '1'],
    ]);
    await expect(page.getByRole('button', { name: 'Warteschlangen-Dashboard öffnen' }).count()).resolves.toBe(0);
    await expectAccessible(page, 'embedded');
    await screenshot(page, 'admin-jobs-embedded');
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('heading', { name: 'Jobs per queue' }).waitFor();
    await expect(counts()).resolves.toEqual([
      ['admin-test:fee:1', 'admin-test.fee.1', 'waiting for a worker', '1'],
      ['admin-test:fee:1', 'admin-test.fee.1', 'failed (incident)', '1'],
    ]);
    await expectAccessible(page, 'embedded, English');
    expect(errors).toEqual([]);
    await context.close();
  } finally {
    await embedded.close();
  }
}, 60_000);
