/**
 * The process designer in Chromium (issue #5): a designer signs in, creates a process with a start form,
 * a user task and an e-payment step from the element templates, sees the lint errors on the diagram and
 * in the list, fixes them in the properties panel, deploys, runs a test instance in the sandbox, deploys
 * version 2 and compares the versions. Canvas gestures go through the modeler's own services; lint, the
 * properties panel, saving, deploying, the test run and the diff go through the page as a person uses it.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, newPage, screenshot, startPlatform, type Platform } from './support.js';

const fixture = (name: string) => new URL(`../modeler/fixtures/${name}`, import.meta.url);

let platform: Platform;
let browser: Browser;

beforeAll(async () => {
  platform = await startPlatform('browser_designer');
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${platform.url}/designer/`);
  await page.getByLabel('Benutzerkennung').fill('lena');
  await page.getByLabel('Name', { exact: true }).fill('Lena Lehmann');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByRole('heading', { level: 1, name: 'Prozesse' }).waitFor();
}

/** Canvas gestures through bpmn-js's own services (dragging from the palette is brittle in a test). */
function canvas<T>(page: Page, gesture: string, arg?: unknown): Promise<T> {
  return page.evaluate(
    ([body, value]) => {
      const { modeler } = (window as unknown as { designer: { modeler: { get(name: string): any } } }).designer;
      const get = (name: string) => modeler.get(name);
      return new Function('get', 'arg', body)(get, value);
    },
    [gesture, arg] as const,
  ) as Promise<T>;
}

/** A screenshot of the page left open by a failed test (jest names the step, this shows the page). */
function onFailure(page: Page, name: string): void {
  failures.push(async () => {
    if (!page.isClosed()) await screenshot(page, name);
  });
}
const failures: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const capture of failures.splice(0)) await capture().catch(() => undefined);
});

const lintItems = (page: Page) => page.locator('.lint-list li');

it('should model, check, fix, deploy, test-run and compare a process', async () => {
  const { context, page, errors } = await newPage(browser);
  onFailure(page, 'designer-failure-flow');
  await signIn(page);
  await expectAccessible(page);
  await screenshot(page, 'designer-list-empty');

  // create the process
  await page.getByLabel('Name des Prozesses').fill('Bewohnerparkausweis');
  await page.getByLabel('Technische Kennung').fill('parking-permit');
  await page.getByRole('button', { name: 'Anlegen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Bewohnerparkausweis' }).waitFor();
  await page.locator('.djs-container').waitFor();
  await page.locator('.bio-properties-panel').waitFor();
  // our worker steps are offered in the palette
  const paymentEntry = page.locator('.djs-palette .entry[data-action="template.de.prozessplattform.payment"]');
  await paymentEntry.waitFor();
  expect(await paymentEntry.getAttribute('aria-label')).toBe('E-Payment');
  expect(await page.locator('.djs-palette .entry[data-action^="template."]').count()).toBe(5);

  // a user task after the start event (a canvas gesture through bpmn-js's services)
  await canvas(
    page,
    `const start = get('elementRegistry').get('StartEvent_1');
     const task = get('autoPlace').append(start, get('elementFactory').createShape({ type: 'bpmn:UserTask' }));
     get('modeling').updateProperties(task, { id: 'check', name: 'Antrag prüfen' });`,
  );
  // the e-payment step picked from the palette and dropped on the canvas, as a person does
  await paymentEntry.click();
  const box = (await page.locator('.djs-container').boundingBox())!;
  const check = await canvas<{ x: number; y: number }>(
    page,
    `const check = get('elementRegistry').getGraphics('check').getBoundingClientRect();
     return { x: check.right + 120, y: check.top + check.height / 2 };`,
  );
  expect(check.x).toBeLessThan(box.x + box.width);
  await page.mouse.move(check.x - 10, check.y);
  await page.mouse.move(check.x, check.y);
  await page.mouse.click(check.x, check.y);
  // connected and named, and an end event after it (canvas gestures)
  await canvas(
    page,
    `const registry = get('elementRegistry'), modeling = get('modeling');
     const fee = registry.filter((e) => e.businessObject.modelerTemplate === 'de.prozessplattform.payment')[0];
     modeling.updateProperties(fee, { id: 'fee', name: 'Gebühr anfordern' });
     modeling.connect(registry.get('check'), fee);
     const end = get('autoPlace').append(fee, get('elementFactory').createShape({ type: 'bpmn:EndEvent' }));
     modeling.updateLabel(end, 'Ausweis erteilt');`,
  );
  // the lint list names both of our rules' errors, and the diagram shows them
  await lintItems(page).filter({ hasText: 'weder eine Kandidatengruppe noch' }).waitFor();
  await lintItems(page).filter({ hasText: 'Der Bezahlschritt hat keine Frist' }).waitFor();
  await page.locator('.djs-container .bjsl-overlay').first().waitFor();
  await expectAccessible(page, 'lint errors');
  await screenshot(page, 'designer-lint-errors');

  // fix the user task in the properties panel: a candidate group
  await page.getByRole('button', { name: 'Element check zeigen' }).first().click();
  await openGroup(page, 'Assignment');
  await page.getByLabel('Candidate groups').fill('buergeramt');
  await lintItems(page).filter({ hasText: 'weder eine Kandidatengruppe noch' }).waitFor({ state: 'detached' });

  // fill the template's plain fields of the payment step
  await page.getByRole('button', { name: 'Element fee zeigen' }).first().click();
  await openGroup(page, 'Gebühr (Fee)');
  await feel(page, 'Betrag in Cent', '3000');
  await feel(page, 'Verwendungszweck', 'Bewohnerparken');
  await openGroup(page, 'Buchung (Booking)');
  await feel(page, 'Buchungsdaten', '[{amountCents: 3000, budgetLine: "1.1.2.01", objectNumber: "4711"}]');
  await expectAccessible(page, 'payment template');
  await screenshot(page, 'designer-payment-template');

  // fix the payment step: a timer boundary event (a canvas gesture), its duration in the panel
  await canvas(
    page,
    `const registry = get('elementRegistry'), modeling = get('modeling'), factory = get('elementFactory');
     const fee = registry.get('fee');
     const timer = modeling.createShape(
       factory.createShape({ type: 'bpmn:BoundaryEvent', eventDefinitionType: 'bpmn:TimerEventDefinition' }),
       { x: fee.x + fee.width / 2, y: fee.y + fee.height }, fee, { attach: true });
     modeling.updateProperties(timer, { id: 'unpaid', name: '14 Tage' });
     const end = get('autoPlace').append(timer, factory.createShape({ type: 'bpmn:EndEvent' }));
     modeling.updateLabel(end, 'Nicht bezahlt');`,
  );
  await lintItems(page).filter({ hasText: 'Der Bezahlschritt hat keine Frist' }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Element unpaid zeigen' }).first().click();
  await openGroup(page, 'Timer');
  await page.locator('[data-entry-id="timerEventDefinitionType"] select').selectOption('timeDuration');
  await page.getByLabel('Value', { exact: true }).fill('P14D');

  // the start form: loaded from a .form file, previewed with sample data, linked in the panel
  await openTab(page, 'Formulare');
  await page.getByLabel('Formulardatei laden (.form)').setInputFiles(fixture('parking-application.form').pathname);
  await page.getByRole('button', { name: 'Formular parking-application bearbeiten' }).waitFor();
  await page.locator('.form-editor .fjs-editor-container').waitFor();
  await page.getByLabel('Beispieldaten (JSON)').fill('{"kennzeichen": "M-EM 1984"}');
  await page.getByRole('button', { name: 'Vorschau aktualisieren' }).click();
  await expect(page.locator('.form-preview input').first().inputValue()).resolves.toBe('M-EM 1984');
  await expectAccessible(page, 'forms');
  await screenshot(page, 'designer-forms');
  await openTab(page, 'Diagramm');
  await canvas(page, `get('selection').select(get('elementRegistry').get('StartEvent_1'));`);
  await openGroup(page, 'Form');
  await page.locator('[data-entry-id="formType"] select').selectOption('camunda-form-linked');
  await page.getByLabel('Form ID', { exact: true }).fill('parking-application');
  await page.getByLabel('Form ID', { exact: true }).blur();

  // no errors left: save and deploy version 1
  await expect(page.locator('.lint p[aria-live]').textContent()).resolves.toMatch(/^0 Fehler/);
  await page.getByRole('button', { name: 'Bereitstellen' }).click();
  await page.getByRole('status').filter({ hasText: 'Version 1 bereitgestellt.' }).waitFor();
  await expectAccessible(page, 'deployed');
  await screenshot(page, 'designer-editor');

  // a test run in the sandbox: it waits at the user task, which no clerk sees
  await openTab(page, 'Testlauf');
  await page.getByLabel('Beispieldaten für den Start (JSON)').fill('{"kennzeichen": "M-EM 1984"}');
  await page.getByRole('button', { name: 'Testlauf starten' }).click();
  await page.getByRole('heading', { name: /Testvorgang \d+ .*: läuft/ }).waitFor();
  await expect(page.locator('.test-result tr.row-active th').textContent()).resolves.toBe('check');
  await page.locator('.test-result .run-active').first().waitFor();
  await expectAccessible(page, 'test run');
  await screenshot(page, 'designer-test-run');
  const clerkTasks = await platform.engine.searchUserTasks({ tenantIds: ['091620000000'] });
  expect(clerkTasks).toEqual([]);

  // version 2: another candidate group and a new name, deployed
  await openTab(page, 'Diagramm');
  await page
    .getByRole('button', { name: 'Element check zeigen' })
    .first()
    .click()
    .catch(() => undefined);
  await canvas(page, `get('selection').select(get('elementRegistry').get('check'));`);
  await openGroup(page, 'Assignment');
  await page.getByLabel('Candidate groups').fill('ordnungsamt');
  await page.getByRole('button', { name: 'Bereitstellen' }).click();
  await page.getByRole('status').filter({ hasText: 'Version 2 bereitgestellt.' }).waitFor();

  // the diff of versions 1 and 2
  await openTab(page, 'Versionen');
  await page.getByRole('table', { name: 'Bereitgestellte Versionen' }).waitFor();
  await page.getByLabel('Ältere Version').selectOption('1');
  await page.getByLabel('Neuere Version').selectOption('2');
  await page.getByRole('button', { name: 'Vergleichen' }).click();
  const zeebe = page.getByRole('table', { name: 'Geänderte Ausführungswerte' });
  await zeebe.waitFor();
  await expect(zeebe.locator('tbody tr').filter({ hasText: 'candidateGroups' }).textContent()).resolves.toContain(
    'buergeramtordnungsamt',
  );
  await page.locator('.diff-viewers .diff-changed').first().waitFor();
  await page.getByRole('status').filter({ hasText: '0 hinzugefügt, 0 entfernt, 1 geändert' }).waitFor();
  await expectAccessible(page, 'diff');
  await screenshot(page, 'designer-diff');

  // the list shows the process as released with two versions, by its author
  await page.getByRole('link', { name: 'Prozesse', exact: true }).first().click();
  const row = page.getByRole('row', { name: /Bewohnerparkausweis/ });
  await expect(row.textContent()).resolves.toMatch(/parking-permit2Freigegeben.*lena/);
  await expectAccessible(page, 'list');
  await screenshot(page, 'designer-list');
  await page.getByLabel('Sprache').selectOption('en');
  await page.getByRole('heading', { level: 1, name: 'Processes' }).waitFor();
  await expect(row.textContent()).resolves.toContain('Released');
  expect(errors).toEqual([]);
  await context.close();
}, 300_000);

it('should show exactly the lint problems of an imported file that the server reports for it', async () => {
  // given: a Camunda Modeler file with a user task nobody is offered
  const { context, page, errors } = await newPage(browser);
  onFailure(page, 'designer-failure-import');
  await signIn(page);
  const xml = readFileSync(fixture('parking-permit.bpmn'), 'utf8')
    .replace(/parking-permit"/g, 'imported-permit"')
    .replace('<zeebe:assignmentDefinition candidateGroups="buergeramt" />', '');
  const file = { name: 'imported.bpmn', mimeType: 'application/xml', buffer: Buffer.from(xml) };
  // when
  await page.getByLabel('BPMN-Datei (.bpmn, z. B. aus dem Camunda Modeler)').setInputFiles(file);
  await page.locator('.djs-container').waitFor();
  await lintItems(page).first().waitFor();
  // then: the browser's list and the server's lint name the same elements and rules
  const shown = await lintItems(page).evaluateAll((items) =>
    items.map((item) => `${item.querySelector('code')?.textContent}|${item.getAttribute('data-rule')}`).sort(),
  );
  const token = await page.evaluate(() => sessionStorage.getItem('prozessplattform.token.staff'));
  const answer = await fetch(`${platform.url}/v2/processes/lint`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ bpmnXml: xml }),
  });
  const server = ((await answer.json()) as { problems: { elementId: string; rule: string }[] }).problems
    .map((problem) => `${problem.elementId}|${problem.rule}`)
    .sort();
  expect(shown).toEqual(server);
  expect(shown).toContain('check|prozessplattform/user-task-assignment');
  // it exports as a .bpmn file that still is the imported process
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'BPMN exportieren' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('imported-permit.bpmn');
  const exported = readFileSync((await download.path())!, 'utf8');
  expect(exported).toContain('<bpmn:process id="imported-permit"');
  expect(exported).toContain('modeler:executionPlatform="Camunda Cloud"');
  // and deploying it is refused with the same element named
  await page.getByRole('button', { name: 'Bereitstellen' }).click();
  await page.getByRole('alert').filter({ hasText: 'check' }).waitFor();
  await expectAccessible(page, 'deployment refused');
  expect(errors).toEqual([]);
  await context.close();
}, 120_000);

/** A tab of the process page, by its link; waits until it is the current one. */
async function openTab(page: Page, name: string): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Bereiche des Prozesses' }).getByRole('link', { name });
  for (let attempt = 0; attempt < 3; attempt++) {
    await link.click();
    if ((await link.getAttribute('aria-current')) === 'page') return;
    await page.waitForTimeout(200);
  }
  await page.locator(`a[aria-current="page"]`, { hasText: name }).waitFor();
}

async function openGroup(page: Page, label: string): Promise<void> {
  const group = page
    .locator('.bio-properties-panel-group')
    .filter({ has: page.locator('.bio-properties-panel-group-header-title', { hasText: label }) })
    .first();
  await group.waitFor();
  const entries = group.locator('.bio-properties-panel-group-entries');
  if (!(await entries.getAttribute('class'))?.includes('open'))
    await group.locator('.bio-properties-panel-group-header').click();
  await group.locator('.bio-properties-panel-group-entries.open').waitFor();
}

/** A FEEL field of the properties panel (a CodeMirror editor) by its label. */
async function feel(page: Page, label: string, value: string): Promise<void> {
  const entry = page.locator('.bio-properties-panel-entry', { hasText: label }).first();
  const editor = entry.locator('[contenteditable="true"]');
  const field = (await editor.count()) > 0 ? editor.first() : entry.locator('input, textarea').first();
  await field.fill(value);
  // the panel writes the value when the field loses focus
  await field.blur();
}
