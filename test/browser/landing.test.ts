/**
 * The browser apps are served by the API server: the landing page in German and English, accessible,
 * with the build's security policy; client-side routes of an app get its page; the sign-in configuration.
 */
import type { Browser } from 'playwright-core';
import { expectAccessible, launchBrowser, newPage, screenshot, startPlatform, type Platform } from './support.js';

let platform: Platform;
let browser: Browser;

beforeAll(async () => {
  platform = await startPlatform('browser_landing');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

it('should show the landing page in German, switch to English, and pass axe', async () => {
  // given
  const { context, page, errors } = await newPage(browser);
  // when
  const response = await page.goto(`${platform.url}/`);
  // then
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.locator('h1').textContent()).resolves.toBe('Prozessplattform');
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
  await expect(page.getByRole('link', { name: 'Antragsportal für Bürgerinnen und Bürger' }).count()).resolves.toBe(1);
  await expectAccessible(page);
  await screenshot(page, 'landing');

  await page.getByLabel('Sprache').selectOption('en');
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
  await expect(page.getByRole('link', { name: 'Application portal for citizens' }).count()).resolves.toBe(1);
  expect(errors).toEqual([]);
  await context.close();
});

it('should answer the sign-in configuration and keep problem+json for unknown API routes', async () => {
  const config = await fetch(`${platform.url}/ui/config.json`);
  expect(await config.json()).toEqual({ devLogin: true });
  const unknown = await fetch(`${platform.url}/v2/nothing-here`);
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('content-type')).toContain('application/problem+json');
  const asset = await fetch(`${platform.url}/assets/does-not-exist.js`);
  expect(asset.status).toBe(404);
});
