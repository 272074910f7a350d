/**
 * Issue #6 end to end in Chromium, on the Quick start's demo municipality (seeded as `npm start` seeds it,
 * with the payment provider and Fachverfahren simulators on loopback and the platform's real workers): a
 * citizen applies for a residents' parking permit (Bewohnerparkausweis) with an attachment; a clerk finds
 * the task, claims it and asks for a missing document; the citizen answers in the mailbox with the
 * document; the clerk approves; the citizen follows the payment link to the provider's page and pays; the
 * sealed Bescheid appears in the citizen's view with a valid seal. Every page passes axe; screenshots of
 * portal, task list and task view go to reports/screenshots/.
 */
import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Browser, Page } from 'playwright-core';
import { seedDemo, type Demo } from '../../api/src/demo/seed.js';
import { loadWorkerConfig, SecretBox, startWorkers, type JobTransport } from '../../workers/src/index.js';
import { expectAccessible, launchBrowser, newPage, screenshot, startPlatform, type Platform } from './support.js';

/** A real one-page PDF, so the clerk's preview has something to show. */
async function pdf(text: string): Promise<Buffer> {
  const document = await PDFDocument.create();
  const page = document.addPage([595, 842]);
  page.drawText(text, { x: 60, y: 760, size: 18, font: await document.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await document.save());
}
const quiet = { info: () => {}, warn: () => {}, error: (o: object, m: string) => console.error(m, o) };

let platform: Platform;
let browser: Browser;
let demo: Demo;
let transport: JobTransport;

beforeAll(async () => {
  const secretsKey = randomBytes(32);
  platform = await startPlatform('browser_portal_tasklist', {
    deps: { secrets: new SecretBox(secretsKey) },
    engineOptions: { schedulerIntervalMs: 100, jobs: { pollIntervalMs: 100 } },
  });
  demo = await seedDemo(platform.app, { platformUrl: platform.url });
  transport = startWorkers(
    platform.engine,
    { ...loadWorkerConfig({}), secretsKey, publicUrl: platform.url },
    { runWorkers: true },
    quiet,
  );
  await platform.engine.start();
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await transport?.close();
  await demo?.close();
  await platform?.close();
});

/** Reloads until the locator shows (the workers and the Fachverfahren work asynchronously). */
async function reloadUntilVisible(page: Page, selector: ReturnType<Page['getByText']>, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await selector.count()) return;
    if (Date.now() > until) throw new Error(`Expected ${selector} to appear within ${timeoutMs} ms, but it did not.`);
    await page.waitForTimeout(500);
    await page.reload();
    await page.waitForLoadState('networkidle');
  }
}

it('should carry a Bewohnerparkausweis from the portal through the task list to the sealed Bescheid', async () => {
  const citizen = await newPage(browser);
  const clerk = await newPage(browser);
  const colleague = await newPage(browser);
  const c = citizen.page;
  const k = clerk.page;
  try {
    await journey(c, k, colleague.page);
  } catch (error) {
    // what each user saw when it failed, for the one who has to find out why
    await screenshot(c, 'failure-citizen').catch(() => undefined);
    await screenshot(k, 'failure-clerk').catch(() => undefined);
    const incidents = await platform.engine.searchIncidents({ bpmnProcessId: 'bewohnerparkausweis', limit: 10 });
    if (incidents.length) console.error('incidents of the case', incidents);
    throw error;
  }
  expect(citizen.errors).toEqual([]);
  expect(clerk.errors).toEqual([]);
  expect(colleague.errors).toEqual([]);
  await citizen.context.close();
  await clerk.context.close();
  await colleague.context.close();
}, 240_000);

async function journey(c: Page, k: Page, colleague: Page): Promise<void> {
  // the catalogue of the demo municipality
  await c.goto(`${platform.url}/portal/`);
  await c.getByRole('heading', { name: 'Bewohnerparkausweis' }).waitFor();
  await expect(c.getByText('Gebühr: 30,70 € pro Jahr').count()).resolves.toBe(1);
  await expect(c.getByText('Erforderliches Vertrauensniveau: substanziell').count()).resolves.toBe(1);
  await expectAccessible(c);
  await screenshot(c, 'portal-catalogue');
  await c.getByLabel('Sprache').selectOption('en');
  await c.getByRole('heading', { name: 'Services of your municipality' }).waitFor();
  await expect(c.getByRole('link', { name: 'Apply for Bewohnerparkausweis' }).count()).resolves.toBe(1);
  await expectAccessible(c, 'English');
  await c.getByLabel('Language').selectOption('de');

  // sign-in with the development login (trust level chosen by the tester)
  await c.getByRole('link', { name: 'Bewohnerparkausweis beantragen' }).click();
  await c.getByLabel('Benutzerkennung').waitFor();
  await expectAccessible(c, 'sign-in');
  await c.getByLabel('substanziell').check();
  await c.getByRole('button', { name: 'Anmelden' }).click();

  // the start form: client-side validation first
  await c.getByLabel('Kfz-Kennzeichen').waitFor();
  await c.getByRole('button', { name: 'Weiter zur Zusammenfassung' }).click();
  await c.getByRole('alert').filter({ hasText: 'Bitte prüfen Sie Ihre Angaben' }).waitFor();
  // form-js's own messages, in the page's language
  await expect(c.getByText('Bitte füllen Sie dieses Feld aus.').count()).resolves.toBeGreaterThan(5);
  await expect(c.getByText('Field is required.').count()).resolves.toBe(0);
  await expectAccessible(c, 'start form with errors');
  await screenshot(c, 'portal-form-errors');

  await c.getByLabel('Vorname').fill('Erika');
  await c.getByLabel('Nachname').fill('Mustermann');
  await c.getByLabel('E-Mail-Adresse').fill('erika@example.org');
  const birthday = c.getByLabel('Geburtsdatum');
  await birthday.fill('17.05.1984');
  await birthday.press('Enter');
  await c.getByLabel('Kfz-Kennzeichen').fill('M-EM 1984');
  // form-js draws its own drop-down list (keyboard: arrow keys and Enter on the focused field)
  await c.locator('.fjs-form-field-select .fjs-input-group').click();
  await c.locator('.fjs-dropdownlist-item', { hasText: 'Pkw' }).click();
  await c.getByLabel('Laufzeit in Jahren').fill('1');
  await c.locator('.form-view input[type=file]').setInputFiles({
    name: 'Zulassungsbescheinigung.pdf',
    mimeType: 'application/pdf',
    buffer: await pdf('Zulassungsbescheinigung Teil I – M-EM 1984'),
  });
  // form-js applies typed text after a short debounce; a person takes longer than that between two fields
  await c.waitForTimeout(600);
  const assurance = c.getByLabel('Ich versichere, dass meine Angaben richtig sind.');
  await assurance.click();
  await c.waitForTimeout(600);
  await expect(assurance.isChecked()).resolves.toBe(true);
  await c.getByRole('button', { name: 'Weiter zur Zusammenfassung' }).click();

  // the summary, then the receipt with the case number
  await c.getByRole('table', { name: 'Ihre Angaben' }).waitFor();
  await expect(c.getByRole('cell', { name: 'M-EM 1984' }).count()).resolves.toBe(1);
  await expect(c.getByRole('cell', { name: 'Zulassungsbescheinigung.pdf' }).count()).resolves.toBe(1);
  await expect(c.getByRole('cell', { name: '17.05.1984' }).count()).resolves.toBe(1);
  await expectAccessible(c, 'summary');
  await screenshot(c, 'portal-summary');
  // back to the form and forward again: entries and the chosen file are kept
  await c.getByRole('button', { name: 'Angaben ändern' }).click();
  await expect(c.getByLabel('Kfz-Kennzeichen').inputValue()).resolves.toBe('M-EM 1984');
  await c.getByRole('button', { name: 'Weiter zur Zusammenfassung' }).click();
  await c.getByRole('cell', { name: 'Zulassungsbescheinigung.pdf' }).waitFor();
  await c.getByRole('button', { name: 'Antrag absenden' }).click();
  await c.getByRole('heading', { name: 'Ihr Antrag ist eingegangen' }).waitFor();
  const caseNumber = (await c.locator('.case-number').textContent())!.trim();
  expect(caseNumber).toMatch(/^\d{4}-\d{6}$/);
  await expectAccessible(c, 'receipt');
  await screenshot(c, 'portal-receipt');

  // the clerk signs in and finds the task with case number and applicant
  await k.goto(`${platform.url}/tasks/`);
  await k.getByLabel('Benutzerkennung').waitFor();
  await expectAccessible(k, 'sign-in');
  await k.getByRole('button', { name: 'Anmelden' }).click();
  const row = k.getByRole('row').filter({ hasText: caseNumber });
  await row.waitFor();
  await expect(row.getByText('Erika Mustermann').count()).resolves.toBe(1);
  await expect(k.getByRole('button', { name: 'Aufgaben meiner Gruppen (1)' }).count()).resolves.toBe(1);
  await expectAccessible(k);
  await screenshot(k, 'tasklist');
  await k.getByRole('button', { name: `Übernehmen: Antrag prüfen ${caseNumber}` }).click();
  await k.getByRole('button', { name: 'Meine Aufgaben (1)' }).waitFor();

  // the task view: application data, attachment preview, diagram, timeline; the request for a document
  await k.getByRole('link', { name: `Antrag prüfen zu ${caseNumber} öffnen` }).click();
  await k.getByRole('heading', { name: `Antrag prüfen – ${caseNumber}` }).waitFor();
  await k.locator('.djs-container').waitFor();
  await k.getByRole('button', { name: 'Zulassungsbescheinigung.pdf anzeigen' }).click();
  await k.locator('iframe.preview').waitFor();
  await expect(k.getByRole('cell', { name: 'M-EM 1984' }).count()).resolves.toBe(1);
  await expect(k.locator('.timeline li').count()).resolves.toBeGreaterThan(1);
  await expectAccessible(k, 'task view');
  await screenshot(k, 'task-view');
  await k.getByLabel('Betreff').fill('Meldebescheinigung fehlt');
  await k.getByLabel('Nachricht').fill('Bitte reichen Sie eine Meldebescheinigung für Ihren Hauptwohnsitz nach.');
  await k.getByRole('button', { name: 'Nachforderung senden' }).click();
  await k.getByText('Die Nachforderung ist versandt').waitFor();

  // the citizen sees that the authority waits, and answers with the document
  await c.goto(`${platform.url}/portal/cases`);
  const application = c.getByRole('row').filter({ hasText: caseNumber });
  await application.getByText('Wartet auf Sie').waitFor();
  await expectAccessible(c);
  await screenshot(c, 'portal-applications');
  await application.getByRole('link', { name: 'Bewohnerparkausweis' }).click();
  await c.getByRole('heading', { name: 'Meldebescheinigung fehlt' }).waitFor();
  await c.getByLabel('Ihre Antwort').fill('Anbei die Meldebescheinigung.');
  await c.getByLabel('Dokumente nachreichen (PDF, PNG oder JPEG, optional)').setInputFiles({
    name: 'Meldebescheinigung.pdf',
    mimeType: 'application/pdf',
    buffer: await pdf('Meldebescheinigung – Erika Mustermann'),
  });
  await expectAccessible(c, 'mailbox reply');
  await c.getByRole('button', { name: 'Antwort senden' }).click();
  await c.getByText('Ihre Antwort ist eingegangen.').waitFor();
  await c.goto(`${platform.url}/portal/mailbox`);
  await c.getByRole('heading', { name: 'Re: Meldebescheinigung fehlt' }).waitFor();
  await expectAccessible(c);

  // the case is back with the clerk, who hands it over to a colleague; the colleague approves
  await k.goto(`${platform.url}/tasks/`);
  const again = k.getByRole('row').filter({ hasText: caseNumber });
  await reloadUntilVisible(k, again.getByRole('button', { name: /^Übernehmen/ }));
  await again.getByRole('button', { name: /^Übernehmen/ }).click();
  await k.getByRole('button', { name: 'Meine Aufgaben (1)' }).waitFor();
  await again.getByRole('link').click();
  await k.getByRole('button', { name: 'Meldebescheinigung.pdf anzeigen' }).click();
  await k.locator('iframe.preview').waitFor();
  await k.getByLabel('Benutzerkennung der Kollegin / des Kollegen').fill('schmidt');
  await k.getByRole('button', { name: 'Übergeben' }).click();
  await k.getByText('Übergeben an schmidt.').waitFor();
  await k.getByText('Übernehmen Sie die Aufgabe, um sie zu bearbeiten.').waitFor();

  await colleague.goto(`${platform.url}/tasks/`);
  await colleague.getByLabel('Benutzerkennung').fill('schmidt');
  await colleague.getByLabel('Name').fill('Sachbearbeiter Schmidt');
  await colleague.getByRole('button', { name: 'Anmelden' }).click();
  await colleague.getByRole('button', { name: 'Meine Aufgaben (1)' }).click();
  await colleague.getByRole('link', { name: `Antrag prüfen zu ${caseNumber} öffnen` }).click();
  await colleague.getByLabel('Bewilligen').check();
  await colleague.getByRole('button', { name: 'Abschließen' }).click();
  await colleague.getByText('Die Aufgabe ist abgeschlossen.').waitFor();
  await expectAccessible(colleague, 'task completed');

  // the fee: the citizen follows the payment link to the provider's page and pays
  await c.goto(`${platform.url}/portal/cases`);
  await c.getByRole('row').filter({ hasText: caseNumber }).getByRole('link').click();
  await reloadUntilVisible(c, c.getByRole('link', { name: 'Gebühr jetzt online bezahlen' }));
  await expect(c.getByText('Zu zahlen: 30,70 €').count()).resolves.toBe(1);
  await expectAccessible(c, 'payment due');
  await screenshot(c, 'portal-payment-due');
  await c.getByRole('link', { name: 'Gebühr jetzt online bezahlen' }).click();
  await c.getByRole('button', { name: 'Jetzt bezahlen' }).click();
  await c.getByText('Bezahlt.').waitFor();
  expect(demo.payment.find((payment) => payment.reference === caseNumber)).toMatchObject({
    status: 'PAID',
    amountCents: 3070,
  });

  // the sealed Bescheid appears with a valid seal, and the case reaches the Fachverfahren
  await c.goBack();
  await c.goBack();
  await reloadUntilVisible(c, c.getByText('Elektronisches Siegel gültig'));
  await c.getByRole('heading', { name: /Entschieden/ }).waitFor();
  await expect(c.getByRole('button', { name: `bescheid-${caseNumber}.pdf herunterladen` }).count()).resolves.toBe(1);
  await expectAccessible(c, 'decided');
  await screenshot(c, 'portal-bescheid');

  const caseKey = new URL(c.url()).pathname.split('/').pop()!;
  const until = Date.now() + 20_000;
  while ((await platform.engine.getInstance(caseKey))?.state !== 'COMPLETED') {
    if (Date.now() > until) throw new Error('Expected the case to complete after the handoff, but it did not.');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(demo.fachverfahren.received.size).toBe(1);

  // the clerk's case search finds the completed case
  await k.goto(`${platform.url}/tasks/cases`);
  await k.getByLabel('Antragsteller/in').fill('Mustermann');
  await k.getByRole('button', { name: 'Anwenden' }).click();
  await k.getByRole('row').filter({ hasText: caseNumber }).getByText('abgeschlossen').waitFor();
  await expectAccessible(k, 'case search');
  await screenshot(k, 'case-search');
  await k.getByRole('link', { name: caseNumber }).click();
  await k.locator('.djs-container').waitFor();
  await expectAccessible(k, 'case view');
}
