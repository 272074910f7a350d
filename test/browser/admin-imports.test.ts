/**
 * Imports and code lists in the administration, in Chromium (issue #7): an administrator uploads the
 * genericode lists of a FIM export, previews and then imports its XDatenfelder (the code lists resolved),
 * imports a DigiWF Camunda 7 model and follows the report to the draft in the designer, imports the
 * Mutterschutz XProzess with its XDatenfelder (LeiKa key, start form), sees a legacy XDatenfelder 1 file
 * refused with the reason, opens a past report again from the history and deletes a code list. axe on every state; screenshots in reports/screenshots/admin-imports*.png and admin-code-lists.png.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, newPage, screenshot, startPlatform, type Platform } from './support.js';

const shared = process.env.SHARED_DIR ?? join(process.cwd(), '..', 'shared');
const fim = (name: string) => join(shared, 'fim/xdatenfelder', name);
const parkausweis = join(
  shared,
  'conformance/egov-bpmn/it-at-m+digiwf-core/digiwf-engine/digiwf-engine-service/src/main/resources/bausteine/kvr/parkausweis/feature/Feature_ParkausweisAnlegen.bpmn',
);
const xprozess = join(shared, 'fim/xprozess/xprozess_Mutterschutz_Anzeige_Beschaeftigung.xml');
const GENERICODE = [
  'GerPS_C00000020_genericode.xml',
  'GerPS_C00000021_genericode.xml',
  'GerPS_C60000006_genericode.xml',
  'GerPS_C60000020_genericode.xml',
];

let platform: Platform;
let browser: Browser;

beforeAll(async () => {
  platform = await startPlatform('browser_admin_imports');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name, exact: true }).click();

it('should let an administrator fill the code lists, import FIM data fields and a Camunda 7 model, and read the reports', async () => {
  const { page, errors } = await newPage(browser);
  await page.goto(`${platform.url}/admin/`);
  await page.getByLabel('Benutzerkennung').fill('schmidt');
  await page.getByLabel('Name', { exact: true }).fill('Sabine Schmidt');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByRole('heading', { name: 'Laufende Vorgänge je Prozess und Version' }).waitFor();

  // code lists: upload the four lists of the export at once
  await nav(page, 'Codelisten');
  await page.getByRole('heading', { name: 'Codelisten', level: 1 }).waitFor();
  await page.getByText('Keine Einträge.').waitFor();
  await page.getByLabel('genericode-Dateien').setInputFiles(GENERICODE.map(fim));
  await page.getByRole('button', { name: 'Hochladen' }).click();
  await page.getByRole('status').filter({ hasText: '4 Codelisten gespeichert.' }).waitFor();
  const lists = page.locator('table.code-lists tbody tr');
  await page.locator('table.code-lists tbody tr', { hasText: 'urn:de:fim:codeliste:' }).first().waitFor();
  await expect(lists.count()).resolves.toBe(4);
  await expectAccessible(page);
  await screenshot(page, 'admin-code-lists');

  // XDatenfelder: a preview keeps nothing, then the import with the code lists resolved
  await nav(page, 'Importe');
  await page.getByRole('heading', { name: 'Importe', level: 1 }).waitFor();
  await page.getByLabel('Art').selectOption('xdatenfelder');
  await page.getByLabel('Datei', { exact: true }).setInputFiles(fim('GerPS_S00000094V1.0_xdf2.xml'));
  await page.getByLabel('Nur Vorschau – nichts speichern').check();
  await page.getByRole('button', { name: 'Vorschau anzeigen' }).click();
  await page.getByRole('status').filter({ hasText: 'Nichts wurde gespeichert.' }).waitFor();
  await page.getByRole('heading', { name: 'Vorschau des Importberichts: GerPS_S00000094V1.0_xdf2.xml' }).waitFor();
  await expect(page.locator('table.import-history tbody tr').textContent()).resolves.toBe('Keine Einträge.');
  await page.getByLabel('Nur Vorschau – nichts speichern').uncheck();
  await page.getByRole('button', { name: 'Importieren' }).click();
  await page.getByRole('heading', { name: 'Importbericht: GerPS_S00000094V1.0_xdf2.xml' }).waitFor();
  const report = page.locator('section.import-report');
  const count = async (name: string) => Number(await report.locator(`dd[data-count="${name}"]`).textContent());
  expect((await count('mapped')) + (await count('reported'))).toBe(await count('total'));
  expect(await count('mapped')).toBeGreaterThan(0);
  // the code lists resolved: no reported construct is a code-list reference
  await expect(report.locator('table.import-items').textContent()).resolves.not.toContain('codelisteReferenz');
  await expect(report.locator('dd[data-count="share"]').textContent()).resolves.toMatch(/^[0-9,]+\s%$/);
  await page.locator('table.import-history tbody tr', { hasText: 'GerPS_S00000094V1.0_xdf2.xml' }).waitFor();
  await expectAccessible(page, 'xdatenfelder report');
  await screenshot(page, 'admin-imports-xdatenfelder');

  // a Camunda 7 model becomes a draft; the report names the elements and links the designer
  await page.getByLabel('Art').selectOption('camunda7');
  await page.getByLabel('Datei', { exact: true }).setInputFiles(parkausweis);
  await page.getByRole('button', { name: 'Importieren' }).click();
  await page.getByRole('heading', { name: 'Importbericht: Feature_ParkausweisAnlegen.bpmn' }).waitFor();
  const designer = page.getByRole('link', { name: '„Feature Parkausweis erstellen“ im Designer öffnen' });
  await expect(designer.getAttribute('href')).resolves.toBe('/designer/#/process/FeatureCreateParkausweis');
  const items = page.locator('section.import-report table.import-items tbody tr');
  await expect(items.count()).resolves.toBe(await count('reported'));
  await expect(items.first().locator('th code').textContent()).resolves.toMatch(/\S/);
  await expectAccessible(page, 'camunda7 report');
  await screenshot(page, 'admin-imports');

  // the Mutterschutz XProzess with the XDatenfelder of the same service: a draft with LeiKa key and start form
  await page.getByLabel('Art').selectOption('xprozess');
  await page.getByLabel('Datei', { exact: true }).setInputFiles(xprozess);
  await page.getByLabel('Datenfelder derselben Leistung (optional)').setInputFiles(fim('GerPS_S00000094V1.0_xdf2.xml'));
  await page.getByRole('button', { name: 'Importieren' }).click();
  await page
    .getByRole('heading', { name: 'Importbericht: xprozess_Mutterschutz_Anzeige_Beschaeftigung.xml' })
    .waitFor();
  await expect(report.locator('dl').textContent()).resolves.toContain('99006028261000');
  await expect(report.getByRole('link', { name: /im Designer öffnen$/ }).count()).resolves.toBe(1);
  expect((await count('mapped')) + (await count('reported'))).toBe(await count('total'));
  await expectAccessible(page, 'xprozess report');
  await screenshot(page, 'admin-imports-xprozess');

  // a legacy XDatenfelder 1 file is refused with its reason, and nothing is added to the history
  await page.getByLabel('Art').selectOption('xdatenfelder');
  await page.getByLabel('Datei', { exact: true }).setInputFiles(fim('S00000036_WaBeKa_xdf1.xml'));
  await page.getByRole('button', { name: 'Importieren' }).click();
  await page.getByRole('alert').filter({ hasText: 'XDatenfelder 1' }).waitFor();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('body.file');
  await expectAccessible(page, 'refused');
  await screenshot(page, 'admin-imports-refused');
  await expect(page.locator('table.import-history tbody tr').count()).resolves.toBe(3);

  // a past report opens again from the history
  await page.getByRole('button', { name: 'Bericht anzeigen: GerPS_S00000094V1.0_xdf2.xml' }).click();
  await page.getByRole('heading', { name: 'Importbericht: GerPS_S00000094V1.0_xdf2.xml' }).waitFor();
  await expect(page.locator('section.import-report dd[data-count="mapped"]').textContent()).resolves.toMatch(/^[1-9]/);
  await expectAccessible(page, 'history report');

  // the draft the designer link opens exists
  const login = await fetch(`${platform.url}/dev-login/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'staff', userId: 'lena', tenantId: '091620000000', roles: ['designer'] }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  const draft = await fetch(`${platform.url}/v2/processes/FeatureCreateParkausweis`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  expect(draft.status).toBe(200);
  await expect(draft.json()).resolves.toMatchObject({ state: 'draft', createdBy: 'staff:schmidt' });

  // delete a code list (confirmed)
  await nav(page, 'Codelisten');
  page.once('dialog', (dialog) => void dialog.accept());
  await page
    .getByRole('button', { name: /^Codeliste „.+“ löschen$/ })
    .first()
    .click();
  await page.getByRole('status').filter({ hasText: 'gelöscht' }).waitFor();
  // count does not wait: wait for the reloaded table
  await page.waitForFunction(() => document.querySelectorAll('table.code-lists tbody tr').length === 3);
  await expectAccessible(page, 'after delete');
  expect(errors).toEqual([]);
});
