/**
 * What the designer's browser tests share: signing in as a designer of a tenant (development login), canvas
 * gestures through bpmn-js's own services, the editor's tabs and properties-panel groups, and the release
 * steps as a person takes them (submit for review; approve as a second designer).
 */
import type { Browser, Page } from 'playwright-core';
import { newPage } from './support.js';

export const TENANT_A = '091620000000';
export const TENANT_B = '064120000000';

export interface Designer {
  readonly userId: string;
  readonly name: string;
  readonly tenantId?: string;
  /** also an administrator */
  readonly admin?: boolean;
}

export async function signIn(page: Page, url: string, designer: Designer): Promise<void> {
  await page.goto(`${url}/designer/`);
  await page.getByLabel('Benutzerkennung').fill(designer.userId);
  await page.getByLabel('Name', { exact: true }).fill(designer.name);
  if (designer.tenantId) await page.getByLabel('Mandant (ARS, 12 Ziffern)').fill(designer.tenantId);
  if (designer.admin) await page.getByLabel('Administration').check();
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByRole('heading', { level: 1, name: 'Prozesse' }).waitFor();
}

/** A designer in a browser context of their own (own session), signed in. */
export async function openAs(browser: Browser, url: string, designer: Designer) {
  const opened = await newPage(browser);
  await signIn(opened.page, url, designer);
  return opened;
}

/** Canvas gestures through bpmn-js's own services (dragging from the palette is brittle in a test). */
export function canvas<T>(page: Page, gesture: string, arg?: unknown): Promise<T> {
  return page.evaluate(
    ([body, value]) => {
      const { modeler } = (window as unknown as { designer: { modeler: { get(name: string): any } } }).designer;
      const get = (name: string) => modeler.get(name);
      return new Function('get', 'arg', body)(get, value);
    },
    [gesture, arg] as const,
  ) as Promise<T>;
}

/** Waits until the process's diagram is on the canvas (its import finishes after the page shows). */
export async function diagramLoaded(page: Page, elementId: string): Promise<void> {
  await page.waitForFunction((id) => {
    const designer = (window as unknown as { designer?: { modeler: { get(name: string): any } } }).designer;
    return Boolean(designer?.modeler.get('elementRegistry').get(id));
  }, elementId);
}

/** A tab of the process page, by its link; waits until it is the current one. */
export async function openTab(page: Page, name: string): Promise<void> {
  const link = page
    .getByRole('navigation', { name: 'Bereiche des Prozesses' })
    .getByRole('link', { name, exact: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    await link.click();
    if ((await link.getAttribute('aria-current')) === 'page') return;
    await page.waitForTimeout(200);
  }
  await page.locator(`a[aria-current="page"]`, { hasText: name }).waitFor();
}

export async function openGroup(page: Page, label: string): Promise<void> {
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
export async function feel(page: Page, label: string, value: string): Promise<void> {
  const entry = page.locator('.bio-properties-panel-entry', { hasText: label }).first();
  const editor = entry.locator('[contenteditable="true"]');
  const field = (await editor.count()) > 0 ? editor.first() : entry.locator('input, textarea').first();
  await field.fill(value);
  // the panel writes the value when the field loses focus
  await field.blur();
}

/** The release panel above the tabs. */
export const releasePanel = (page: Page) => page.getByRole('region', { name: /^Freigabe/ });

/** Submits the process for review from its page (saving first when it has changes). */
export async function submitForReview(page: Page, comment?: string): Promise<void> {
  const panel = releasePanel(page);
  if (comment) await panel.getByLabel('Kommentar').fill(comment);
  await panel.getByRole('button', { name: 'Zur Prüfung einreichen' }).click();
  await page.getByRole('status').filter({ hasText: 'Zur Prüfung eingereicht' }).waitFor();
  await panel.locator('.state', { hasText: 'In Prüfung' }).waitFor();
}

/** A second designer opens the process and approves it; resolves with the released version. */
export async function approve(page: Page, url: string, bpmnProcessId: string, comment?: string): Promise<number> {
  const target = `${url}/designer/#/process/${encodeURIComponent(bpmnProcessId)}`;
  // the same hash again would not load the process again
  if (page.url() === target) await page.reload();
  else await page.goto(target);
  const panel = releasePanel(page);
  await panel.locator('.state', { hasText: 'In Prüfung' }).waitFor();
  if (comment) await panel.getByLabel('Kommentar').fill(comment);
  await panel.getByRole('button', { name: 'Freigeben' }).click();
  const status = page.getByRole('status').filter({ hasText: /Freigegeben: Version \d+/ });
  await status.waitFor();
  await panel.locator('.state', { hasText: 'Freigegeben' }).waitFor();
  return Number(/Version (\d+)/.exec((await status.textContent()) ?? '')![1]);
}
