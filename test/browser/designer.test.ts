/**
 * The process designer in Chromium (issues #5 and #7): a designer signs in, creates a process with a start
 * form, a user task and an e-payment step from the element templates, sees the lint errors on the diagram
 * and in the list, fixes them in the properties panel, submits it for review, cannot approve it herself
 * (four eyes), a second designer approves it; she runs a test instance in the sandbox, changes it, and the
 * second designer releases version 2; the versions are compared. Canvas gestures go through the modeler's
 * own services; lint, the properties panel, saving, the review, the test run and the diff go through the
 * page as a person uses it.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import {
  approve,
  canvas,
  diagramLoaded,
  feel,
  openAs,
  openGroup,
  openTab,
  releasePanel,
  signIn as signInAs,
  submitForReview,
} from './designer-support.js';
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

const lena = { userId: 'lena', name: 'Lena Lehmann' };
const jonas = { userId: 'jonas', name: 'Jonas Jäger' };
const signIn = (page: Page) => signInAs(page, platform.url, lena);

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

it('should model, check, fix, release with four eyes, test-run, compare and withdraw a process', async () => {
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
  await diagramLoaded(page, 'StartEvent_1');
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

  // no errors left: submitted for review (saved first)
  await expect(page.locator('.lint p[aria-live]').textContent()).resolves.toMatch(/^0 Fehler/);
  await expect(releasePanel(page).locator('.state').textContent()).resolves.toBe('Entwurf');
  await submitForReview(page, 'Bitte prüfen: Gebühr 30 Euro.');
  // four eyes: the submitter is told, and the server refuses if she tries anyway
  await releasePanel(page).getByText('Vier-Augen-Prinzip: Sie haben diesen Stand eingereicht.').waitFor();
  await releasePanel(page).getByRole('button', { name: 'Freigeben' }).click();
  await page.getByRole('alert').filter({ hasText: 'Nicht freigegeben: nach dem Vier-Augen-Prinzip' }).waitFor();
  await expectAccessible(page, 'in review, four eyes');
  await screenshot(page, 'designer-four-eyes');
  // a second designer of the tenant approves: version 1 is released
  const reviewer = await openAs(browser, platform.url, jonas);
  onFailure(reviewer.page, 'designer-failure-review');
  expect(await approve(reviewer.page, platform.url, 'parking-permit', 'Geprüft.')).toBe(1);
  await expectAccessible(reviewer.page, 'released');
  await screenshot(reviewer.page, 'designer-released');
  await page.reload();
  await releasePanel(page).getByText('Version 1 ist freigegeben und nimmt Anträge an.').waitFor();
  await screenshot(page, 'designer-editor');

  // the review history: submitted and approved, with who and the comments
  await openTab(page, 'Prüfung');
  const history = page.getByRole('list', { name: 'Verlauf der Prüfung' });
  await history.locator('li').nth(1).waitFor();
  await expect(history.textContent()).resolves.toMatch(
    /Zur Prüfung eingereicht · lena .*Bitte prüfen: Gebühr 30 Euro\..*Freigegeben · jonas .*Geprüft\./,
  );
  // a comment pinned to the user task selects it on the diagram
  await page.getByLabel('Ihr Kommentar').fill('Frist im Bescheid nennen.');
  await page.getByLabel('Bezogen auf das Element (optional)').selectOption('check');
  await page.getByRole('button', { name: 'Kommentar speichern' }).click();
  await history.getByText('Frist im Bescheid nennen.').waitFor();
  await expectAccessible(page, 'review comments');
  await screenshot(page, 'designer-review');
  await history.getByRole('button', { name: 'Element Antrag prüfen zeigen' }).click();
  await page.locator('a[aria-current="page"]', { hasText: 'Diagramm' }).waitFor();
  await expect(canvas<string[]>(page, `return get('selection').get().map((element) => element.id);`)).resolves.toEqual([
    'check',
  ]);

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

  // version 2: another candidate group, submitted by lena, rejected once and then released by jonas
  await openTab(page, 'Diagramm');
  await page
    .getByRole('button', { name: 'Element check zeigen' })
    .first()
    .click()
    .catch(() => undefined);
  await canvas(page, `get('selection').select(get('elementRegistry').get('check'));`);
  await openGroup(page, 'Assignment');
  await page.getByLabel('Candidate groups').fill('ordnungsamt');
  await page.getByLabel('Candidate groups').blur();
  await submitForReview(page);
  await reviewer.page.reload();
  const review = releasePanel(reviewer.page);
  await review.locator('.state', { hasText: 'In Prüfung' }).waitFor();
  await review.getByRole('button', { name: 'Zurückweisen' }).click();
  await review.getByText('Bitte begründen Sie die Zurückweisung').waitFor();
  await expect(review.getByLabel('Kommentar').getAttribute('aria-invalid')).resolves.toBe('true');
  await review.getByLabel('Kommentar').fill('Bitte die Gruppe mit dem Ordnungsamt abstimmen.');
  await review.getByRole('button', { name: 'Zurückweisen' }).click();
  await reviewer.page.getByRole('status').filter({ hasText: 'Zurückgewiesen. Status: Entwurf.' }).waitFor();
  await page.reload();
  await releasePanel(page).locator('.state', { hasText: 'Entwurf' }).waitFor();
  await submitForReview(page, 'Mit dem Ordnungsamt abgestimmt.');
  expect(await approve(reviewer.page, platform.url, 'parking-permit')).toBe(2);
  await reviewer.context.close();
  await page.reload();
  await releasePanel(page).getByText('Version 2 ist freigegeben').waitFor();

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

  // withdrawn, with a reason: no new applications
  await page.reload();
  await releasePanel(page).getByRole('button', { name: 'Zurückziehen' }).click();
  await releasePanel(page).getByText('Bitte begründen Sie, warum der Prozess zurückgezogen wird.').waitFor();
  await releasePanel(page).getByLabel('Kommentar').fill('Satzung wird überarbeitet.');
  await releasePanel(page).getByRole('button', { name: 'Zurückziehen' }).click();
  await page.getByRole('status').filter({ hasText: 'Zurückgezogen. Status: Zurückgezogen.' }).waitFor();
  await expectAccessible(page, 'withdrawn');

  // the list shows the process as withdrawn with two versions
  await page.getByRole('link', { name: 'Prozesse', exact: true }).first().click();
  const row = page.getByRole('row', { name: /Bewohnerparkausweis/ });
  await expect(row.textContent()).resolves.toMatch(/parking-permit2Zurückgezogen/);
  await expectAccessible(page, 'list');
  await screenshot(page, 'designer-list');
  await page.getByLabel('Sprache').selectOption('en');
  await page.getByRole('heading', { level: 1, name: 'Processes' }).waitFor();
  await expect(row.textContent()).resolves.toContain('Withdrawn');
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
  // and submitting it for review is refused with the same element named; it stays a draft
  await releasePanel(page).getByRole('button', { name: 'Zur Prüfung einreichen' }).click();
  await page.getByRole('alert').filter({ hasText: 'check' }).waitFor();
  await expect(releasePanel(page).locator('.state').textContent()).resolves.toBe('Entwurf');
  await expectAccessible(page, 'review request refused');
  expect(errors).toEqual([]);
  await context.close();
}, 120_000);
