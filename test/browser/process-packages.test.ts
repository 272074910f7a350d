/**
 * Reuse across municipalities in Chromium (issue #7): designer A1 of tenant A builds a process with a local
 * parameter (the fee), A2 approves it (four eyes), A1 publishes it to the shared catalogue and exports the
 * signed package. Designer B1 of tenant B takes it over from the catalogue (signature verified), is stopped
 * by the missing fee at its field, fills it, submits; B1 cannot approve, B2 does, and the released version
 * shows. B1 offers it as a service in the citizens' portal (a bad LeiKa key refused at its field first). A
 * tampered package file is refused. Then A publishes version 2 (a new parameter, a renamed task); B1 sees the
 * update with the visual and the parameter diff and updates, keeping the fee — the released version 1 keeps
 * serving the portal meanwhile.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  approve,
  canvas,
  diagramLoaded,
  openAs,
  openTab,
  releasePanel,
  submitForReview,
  TENANT_A,
  TENANT_B,
  type Designer,
} from './designer-support.js';
import { expectAccessible, launchBrowser, screenshot, startPlatform, type Platform } from './support.js';

let platform: Platform;
let browser: Browser;

beforeAll(async () => {
  platform = await startPlatform('browser_packages');
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

const failures: (() => Promise<void>)[] = [];
function onFailure(page: Page, name: string): void {
  failures.push(async () => {
    if (!page.isClosed()) await screenshot(page, name);
  });
}
afterEach(async () => {
  for (const capture of failures.splice(0)) await capture().catch(() => undefined);
});

const A1: Designer = { userId: 'anna', name: 'Anna Albers', tenantId: TENANT_A };
const A2: Designer = { userId: 'bernd', name: 'Bernd Brandt', tenantId: TENANT_A };
const B1: Designer = { userId: 'carla', name: 'Carla Conrad', tenantId: TENANT_B };
const B2: Designer = { userId: 'dirk', name: 'Dirk Dorn', tenantId: TENANT_B, admin: true };

const PROCESS = 'dog-tax';
const START_FORM = {
  id: 'hund-antrag',
  type: 'default',
  schemaVersion: 16,
  components: [
    { id: 'hundename', key: 'hundename', label: 'Name des Hundes', type: 'textfield', validate: { required: true } },
    { id: 'submit', key: 'submit', label: 'Absenden', type: 'button', action: 'submit' },
  ],
};

/** What a screen reader reads out as a control's description (its hint and error). */
const describedBy = (control: Locator) =>
  control.evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );

/** The editor's value field of a local parameter. */
const valueField = (page: Page, name: string) => page.locator(`[data-parameter="${name}"]`);

it('should release, publish, take over, fill, release with four eyes and update a process package', async () => {
  const a1 = await openAs(browser, platform.url, A1);
  onFailure(a1.page, 'packages-failure-a1');
  const page = a1.page;

  // A1: a process with a user task, modelled on the canvas
  await page.getByLabel('Name des Prozesses').fill('Hundesteuer');
  await page.getByLabel('Technische Kennung').fill(PROCESS);
  await page.getByRole('button', { name: 'Anlegen' }).click();
  await page.locator('.djs-container').waitFor();
  await diagramLoaded(page, 'StartEvent_1');
  await canvas(
    page,
    `const modeling = get('modeling'), moddle = get('moddle'), factory = get('elementFactory');
     const start = get('elementRegistry').get('StartEvent_1');
     modeling.updateProperties(start, {
       extensionElements: moddle.create('bpmn:ExtensionElements', {
         values: [moddle.create('zeebe:FormDefinition', { formId: 'hund-antrag' })],
       }),
     });
     const task = get('autoPlace').append(start, factory.createShape({ type: 'bpmn:UserTask' }));
     modeling.updateProperties(task, {
       id: 'check',
       name: 'Anmeldung prüfen',
       extensionElements: moddle.create('bpmn:ExtensionElements', {
         values: [moddle.create('zeebe:UserTask'), moddle.create('zeebe:AssignmentDefinition', { candidateGroups: 'steueramt' })],
       }),
     });
     const end = get('autoPlace').append(task, factory.createShape({ type: 'bpmn:EndEvent' }));
     modeling.updateLabel(end, 'Steuer festgesetzt');`,
  );
  await expect(page.locator('.lint p[aria-live]').textContent()).resolves.toMatch(/^0 Fehler/);
  await openTab(page, 'Formulare');
  await page.getByLabel('Formulardatei laden (.form)').setInputFiles({
    name: 'hund-antrag.form',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(START_FORM)),
  });
  await page.getByRole('button', { name: 'Formular hund-antrag bearbeiten' }).waitFor();

  // A1 declares the fee as a local parameter and fills its own value
  await openTab(page, 'Parameter');
  await page.getByLabel('Name des neuen Parameters').fill('gebuehr');
  await page.getByRole('button', { name: 'Parameter hinzufügen' }).click();
  const declaration = page.getByRole('group', { name: 'Parameter gebuehr' });
  await declaration.getByLabel('Bezeichnung (Deutsch)').fill('Jahresgebühr');
  await declaration.getByLabel('Bezeichnung (Englisch)').fill('Annual fee');
  await declaration.getByLabel('Beschreibung').fill('Steuer je Hund und Jahr');
  await declaration.getByLabel('Typ').selectOption('money');
  await valueField(page, 'gebuehr').getByText('Pflichtwert fehlt noch.').waitFor();
  await valueField(page, 'gebuehr').getByRole('textbox').fill('120,00');
  await expect(valueField(page, 'gebuehr').getByText('Pflichtwert fehlt noch.').count()).resolves.toBe(0);
  await page.getByRole('status').filter({ hasText: 'Alle Pflichtwerte sind ausgefüllt.' }).waitFor();
  await expectAccessible(page, 'parameters declared');
  await screenshot(page, 'packages-parameters-origin');
  await page.getByRole('button', { name: 'Entwurf speichern' }).click();
  await page.getByRole('status').filter({ hasText: 'Entwurf gespeichert' }).waitFor();

  // A1 submits, A2 approves: version 1 released in tenant A
  await submitForReview(page, 'Hundesteuer nach Satzung 2026.');
  const a2 = await openAs(browser, platform.url, A2);
  onFailure(a2.page, 'packages-failure-a2');
  expect(await approve(a2.page, platform.url, PROCESS)).toBe(1);

  // A1 publishes it to the catalogue and exports the signed package
  await page.reload();
  await releasePanel(page).getByText('Version 1 ist freigegeben').waitFor();
  await openTab(page, 'Paket');
  await page.getByLabel('Änderungen in dieser Version').fill('Erste Fassung.');
  await page.getByRole('button', { name: 'Im Katalog veröffentlichen' }).click();
  await page.getByRole('status').filter({ hasText: 'Im Katalog veröffentlicht' }).waitFor();
  await expectAccessible(page, 'package published');
  await screenshot(page, 'packages-published');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Paket exportieren' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${PROCESS}-1.json`);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
    format: string;
    manifest: { version: number; originTenantId: string };
    bpmnXml: string;
    parameters: { name: string; type: string }[];
    signature: unknown;
  };
  expect(exported.format).toBe('prozessplattform.process-package/1');
  expect(exported.manifest).toMatchObject({ version: 1, originTenantId: TENANT_A });
  expect(exported.parameters).toEqual([expect.objectContaining({ name: 'gebuehr', type: 'money' })]);
  expect(exported.signature).toBeTruthy();

  // B1: the catalogue shows A's package; taken over with the verified origin
  const b1 = await openAs(browser, platform.url, B1);
  onFailure(b1.page, 'packages-failure-b1');
  const b = b1.page;
  await b.getByRole('link', { name: 'Katalog' }).click();
  const catalogue = b.getByRole('table', { name: 'Veröffentlichte Prozesspakete' });
  const row = catalogue.getByRole('row', { name: /Hundesteuer/ });
  await row.waitFor();
  await expect(row.textContent()).resolves.toMatch(new RegExp(`${TENANT_A}.*1 \\(.*Erste Fassung\\.`));
  // the unsigned-package option is for administrators only
  await expect(b.getByLabel('Unsigniertes Paket akzeptieren').count()).resolves.toBe(0);
  await expectAccessible(b, 'catalogue');
  await screenshot(b, 'packages-catalogue');

  // a tampered package file is refused with the signature result, nothing taken over
  const tampered = { ...exported, bpmnXml: exported.bpmnXml.replace('Anmeldung prüfen', 'Anmeldung durchwinken') };
  await b.getByLabel('Paketdatei (.json)').setInputFiles({
    name: 'tampered.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(tampered)),
  });
  await b.getByRole('button', { name: 'Signatur prüfen und übernehmen' }).click();
  await b.getByRole('alert').filter({ hasText: 'Signatur ungültig' }).waitFor();
  await expectAccessible(b, 'tampered package refused');
  await screenshot(b, 'packages-tampered');

  await row.getByRole('button', { name: 'Hundesteuer übernehmen …' }).click();
  await b.getByRole('heading', { name: 'Hundesteuer übernehmen' }).waitFor();
  await b.getByRole('button', { name: 'In meinen Mandanten übernehmen' }).click();
  const outcome = b.getByRole('status').filter({ hasText: 'Übernommen als Entwurf' });
  await outcome.waitFor();
  await expect(outcome.textContent()).resolves.toContain(`Signatur gültig`);
  await expect(outcome.textContent()).resolves.toContain(`Herkunft Mandant ${TENANT_A}`);
  await expectAccessible(b, 'taken over');
  await screenshot(b, 'packages-taken-over');

  // B1 submits without the fee: refused at the field
  await outcome.getByRole('link', { name: /öffnen und Parameter ausfüllen/ }).click();
  await b.getByRole('heading', { level: 2, name: 'Lokale Parameter' }).waitFor();
  await b.locator('.djs-container').waitFor({ state: 'attached' });
  await valueField(b, 'gebuehr').getByText('Pflichtwert fehlt noch.').waitFor();
  await expect(b.getByRole('group', { name: 'Parameter gebuehr' }).count()).resolves.toBe(0);
  // before its first release in B there is nothing a service could start
  await openTab(b, 'Leistung');
  await b.getByText('Dieser Prozess ist noch nicht freigegeben.', { exact: false }).waitFor();
  await expect(b.getByRole('button', { name: 'Leistung speichern' }).isDisabled()).resolves.toBe(true);
  await expectAccessible(b, 'service before the first release');
  await openTab(b, 'Parameter');
  await releasePanel(b).getByRole('button', { name: 'Zur Prüfung einreichen' }).click();
  await valueField(b, 'gebuehr').locator('.error').waitFor();
  await expect(valueField(b, 'gebuehr').getByRole('textbox').getAttribute('aria-invalid')).resolves.toBe('true');
  await expect(releasePanel(b).locator('.state').textContent()).resolves.toBe('Entwurf');
  await expectAccessible(b, 'missing parameter');
  await screenshot(b, 'packages-missing-parameter');

  // B1 fills its fee and submits; it cannot approve its own submission
  await valueField(b, 'gebuehr').getByRole('textbox').fill('95,50');
  await submitForReview(b, 'Gebühr nach unserer Satzung.');
  await releasePanel(b).getByText('Vier-Augen-Prinzip: Sie haben diesen Stand eingereicht.').waitFor();
  await releasePanel(b).getByRole('button', { name: 'Freigeben' }).click();
  await b.getByRole('alert').filter({ hasText: 'Nicht freigegeben: nach dem Vier-Augen-Prinzip' }).waitFor();
  await expectAccessible(b, 'four eyes');
  await screenshot(b, 'packages-four-eyes');

  // B2 approves: the released version shows, with the origin
  const b2 = await openAs(browser, platform.url, B2);
  onFailure(b2.page, 'packages-failure-b2');
  expect(await approve(b2.page, platform.url, PROCESS, 'Satzung geprüft.')).toBe(1);
  await releasePanel(b2.page).getByText('Version 1 ist freigegeben und nimmt Anträge an.').waitFor();
  await b2.page.getByRole('link', { name: 'Katalog' }).click();
  await b2.page.getByRole('table', { name: 'Veröffentlichte Prozesspakete' }).waitFor();
  await expect(b2.page.getByLabel('Unsigniertes Paket akzeptieren').count()).resolves.toBe(1);

  // B1 offers it as a service: not offered yet, a bad LeiKa key is refused at its field, then it is in the portal
  await b.reload();
  await releasePanel(b).locator('.state', { hasText: 'Freigegeben' }).waitFor();
  await openTab(b, 'Leistung');
  const service = b.getByRole('region', { name: 'Leistung', exact: true });
  await service.getByRole('heading', { level: 2, name: 'Leistung im Antragsportal' }).waitFor();
  await service.getByText('Nicht im Portal sichtbar').waitFor();
  await service.getByText('Für diesen Prozess ist noch keine Leistung angelegt.').waitFor();
  await expect(service.getByLabel('Kennung der Leistung').inputValue()).resolves.toBe(PROCESS);
  await expect(service.getByLabel('Titel').inputValue()).resolves.toBe('Hundesteuer');
  await expect(service.getByLabel('Startformular').inputValue()).resolves.toBe('hund-antrag');
  await expectAccessible(b, 'service not offered yet');
  await service.getByLabel('LeiKa-Schlüssel').fill('9900600201');
  await service.getByLabel('Titel').fill('Hundesteuer anmelden');
  await service.getByLabel('Beschreibung').fill('Anmeldung eines Hundes zur Hundesteuer.');
  await service.getByLabel('Vertrauensniveau').selectOption('niedrig');
  await service.getByLabel('Hinweis zur Gebühr').fill('95,50 € je Hund und Jahr');
  await service.getByLabel('Im Portal veröffentlichen').check();
  await service.getByRole('button', { name: 'Leistung speichern' }).click();
  const leikaKey = service.getByLabel('LeiKa-Schlüssel');
  await service.locator('.field-invalid', { has: b.getByLabel('LeiKa-Schlüssel') }).waitFor();
  await expect(leikaKey.getAttribute('aria-invalid')).resolves.toBe('true');
  await expect(describedBy(leikaKey)).resolves.toMatch(/14 Ziffern.* genau 14 Ziffern/);
  await expectAccessible(b, 'service refused at its field');
  await leikaKey.fill('99006002012000');
  await service.getByRole('button', { name: 'Leistung speichern' }).click();
  await service
    .getByRole('status')
    .filter({ hasText: `Leistung ${PROCESS} gespeichert: Im Portal sichtbar.` })
    .waitFor();
  await service.locator('.availability.success', { hasText: 'Im Portal sichtbar' }).waitFor();
  await expect(leikaKey.getAttribute('aria-invalid')).resolves.toBe(null);
  await expect(service.getByLabel('Kennung der Leistung').getAttribute('readonly')).resolves.not.toBe(null);
  const portalLink = service.getByRole('link', { name: /„Hundesteuer anmelden“ im Antragsportal ansehen/ });
  await expect(portalLink.getAttribute('href')).resolves.toBe(`/portal/apply/${PROCESS}?ars=${TENANT_B}`);
  await expectAccessible(b, 'service offered');
  await screenshot(b, 'packages-service-offered');
  const offered = await fetch(`${platform.url}/v2/public/tenants/${TENANT_B}/services`);
  expect(((await offered.json()) as { items: unknown[] }).items).toEqual([
    expect.objectContaining({ serviceId: PROCESS, leikaKey: '99006002012000', title: 'Hundesteuer anmelden' }),
  ]);

  // A1: version 2 — a new optional parameter, a renamed task — released and published
  await openTab(page, 'Diagramm');
  await canvas(page, `get('modeling').updateLabel(get('elementRegistry').get('check'), 'Anmeldung fachlich prüfen');`);
  await openTab(page, 'Parameter');
  await page.getByLabel('Name des neuen Parameters').fill('frist');
  await page.getByRole('button', { name: 'Parameter hinzufügen' }).click();
  const frist = page.getByRole('group', { name: 'Parameter frist' });
  await frist.getByLabel('Bezeichnung (Deutsch)').fill('Zahlungsfrist in Tagen');
  await frist.getByLabel('Bezeichnung (Englisch)').fill('Payment period in days');
  await frist.getByLabel('Typ').selectOption('integer');
  await frist.getByLabel('Pflichtangabe').uncheck();
  await frist.getByLabel('Vorgabewert').fill('14');
  await submitForReview(page);
  expect(await approve(a2.page, platform.url, PROCESS)).toBe(2);
  await page.reload();
  await openTab(page, 'Paket');
  await page.getByLabel('Änderungen in dieser Version').fill('Zahlungsfrist ergänzt.');
  await page.getByRole('button', { name: 'Im Katalog veröffentlichen' }).click();
  await page.getByRole('status').filter({ hasText: 'Version 2' }).waitFor();

  // B1 sees the update in the process list, and on the process: changelog, parameter diff with its kept
  // value, visual diff
  await b.getByRole('link', { name: 'Prozesse', exact: true }).click();
  const listed = b.getByRole('table', { name: /Prozesse des Mandanten/ }).getByRole('row', { name: /Hundesteuer/ });
  await listed.getByRole('link', { name: 'Aktualisierung verfügbar: Version 2' }).waitFor();
  await expectAccessible(b, 'process list with update');
  await listed
    .getByRole('link', { name: /Hundesteuer/ })
    .first()
    .click();
  const banner = b.locator('.update-available').filter({ hasText: 'Aktualisierung verfügbar.' });
  await banner.waitFor();
  await banner.getByRole('link', { name: 'Änderungen ansehen' }).click();
  await b.getByRole('heading', { name: 'Herkunft und Aktualisierung' }).waitFor();
  await b.getByText('Zahlungsfrist ergänzt.').waitFor();
  const parameterDiff = b.getByRole('table', { name: /Parameter vorher und nachher/ });
  await expect(parameterDiff.getByRole('row', { name: /gebuehr/ }).textContent()).resolves.toMatch(
    /unverändert.*95,50 €/,
  );
  await expect(parameterDiff.getByRole('row', { name: /frist/ }).textContent()).resolves.toContain('neu');
  await b.locator('.diff-viewers .diff-changed').first().waitFor();
  await b.getByRole('status').filter({ hasText: '0 hinzugefügt, 0 entfernt, 1 geändert' }).waitFor();
  await expect(
    b.getByRole('table', { name: 'Geänderte Eigenschaften' }).getByRole('row', { name: /check/ }).textContent(),
  ).resolves.toBe('checknameAnmeldung prüfenAnmeldung fachlich prüfen');
  await expectAccessible(b, 'update available');
  await screenshot(b, 'packages-upstream-diff');

  // B1 updates: its fee is kept, the process is a draft that goes through review again
  await b.getByRole('button', { name: 'Auf Version 2 aktualisieren' }).click();
  await b.getByRole('status').filter({ hasText: 'Auf Version 2 aktualisiert' }).waitFor();
  await expect(releasePanel(b).locator('.state').textContent()).resolves.toBe('Entwurf');
  await openTab(b, 'Parameter');
  await expect(valueField(b, 'gebuehr').getByRole('textbox').inputValue()).resolves.toBe('95,50');
  await valueField(b, 'frist').waitFor();
  // the draft changed since the release: version 1 keeps serving the portal
  await openTab(b, 'Leistung');
  await service.locator('.availability.success', { hasText: 'Im Portal sichtbar' }).waitFor();
  await service
    .getByText('Bis zur nächsten Freigabe nimmt weiter die freigegebene Version 1 die Anträge an.')
    .waitFor();
  await submitForReview(b);
  expect(await approve(b2.page, platform.url, PROCESS)).toBe(2);
  await expectAccessible(b2.page, 'update released');
  await screenshot(b2.page, 'packages-update-released');

  expect([...a1.errors, ...a2.errors, ...b1.errors, ...b2.errors]).toEqual([]);
  for (const opened of [a1, a2, b1, b2]) await opened.context.close();
}, 600_000);
