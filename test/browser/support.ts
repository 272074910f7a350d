/**
 * Browser test support: the platform (API, engine on a fresh PostgreSQL database, the built browser apps)
 * listening on a loopback port, a real headless Chromium (Debian's `chromium`, driven by playwright-core),
 * accessibility checks with axe-core whose results every visited page adds to `reports/a11y.json`, and
 * screenshots into `reports/screenshots/`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, type AppConfig, type AppDependencies } from '../../api/src/app.js';
import type { Engine, EngineOptions } from '../../engine/src/index.js';
import { testEngine, type TestEngine } from '../engine/services/support.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const reports = join(repo, 'reports');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Platform {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly engine: Engine;
  readonly t: TestEngine;
  close(): Promise<void>;
}

/**
 * Builds the browser apps when their sources changed (in a child process: Vite does not run inside jest's
 * module sandbox). Concurrent runs wait for each other (modeler/build.ts holds a lock).
 */
export function ensureWebBuild(): void {
  execFileSync(join(repo, 'node_modules/.bin/tsx'), [join(repo, 'modeler/build.ts'), '--if-stale'], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 5 * 60_000,
  });
}

/** The platform on a fresh database with the development login, on a free loopback port, real clock. */
export async function startPlatform(
  label: string,
  options: {
    config?: Partial<AppConfig>;
    deps?: Partial<Omit<AppDependencies, 'engine' | 'version'>>;
    engineOptions?: Partial<EngineOptions>;
  } = {},
): Promise<Platform> {
  ensureWebBuild();
  const t = await testEngine(label, { clock: () => Date.now(), ...options.engineOptions });
  const app = await build(
    {
      logLevel: (process.env.BROWSER_TEST_LOG as AppConfig['logLevel'] | undefined) ?? 'silent',
      devLogin: true,
      publicUrl: 'http://127.0.0.1',
      ...options.config,
    },
    { engine: t.engine, version: '0.1.0-test', ...options.deps },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    engine: t.engine,
    t,
    close: async () => {
      await app.close();
      await t.close();
    },
  };
}

/** Headless Chromium as this machine allows it (no sandbox as root, no background networking). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh context per user (own sessionStorage), German by default, failing on uncaught page errors. */
export async function newPage(
  browser: Browser,
  locale = 'de-DE',
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

export interface A11yResult {
  readonly url: string;
  readonly serious: number;
  readonly critical: number;
  readonly violations: readonly { id: string; impact: string | null; help: string; nodes: number }[];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const A11Y_REPORT = join(reports, 'a11y.json');

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now, outside the bpmn-js canvas
 * (`.djs-container`, which the issue exempts), records the result under the page's path in
 * reports/a11y.json and returns it. `label` tells apart states of one URL (e.g. a dialog open).
 */
export async function checkAccessibility(page: Page, label?: string): Promise<A11yResult> {
  // evaluated through the debugging protocol, so the page's script policy stays as strict as in production
  await page.evaluate(axeSource);
  const result = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<any> } }).axe;
    return axe.run(
      { exclude: [['.djs-container']] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
    );
  })) as { violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] };
  const path = new URL(page.url()).pathname + new URL(page.url()).hash;
  const entry: A11yResult = {
    url: label ? `${path} (${label})` : path,
    serious: result.violations.filter((v) => v.impact === 'serious').length,
    critical: result.violations.filter((v) => v.impact === 'critical').length,
    violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })),
  };
  mkdirSync(reports, { recursive: true });
  let report: { pages: A11yResult[] } = { pages: [] };
  try {
    report = JSON.parse(readFileSync(A11Y_REPORT, 'utf8')) as { pages: A11yResult[] };
  } catch {
    // first page of the run
  }
  report.pages = [...report.pages.filter((p) => p.url !== entry.url), entry].sort((a, b) => a.url.localeCompare(b.url));
  writeFileSync(A11Y_REPORT, `${JSON.stringify(report, null, 2)}\n`);
  return entry;
}

/** Fails the test with the rule ids when axe finds serious or critical violations. */
export async function expectAccessible(page: Page, label?: string): Promise<void> {
  const result = await checkAccessibility(page, label);
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0)
    throw new Error(
      `Expected no serious or critical accessibility violations on ${result.url}, but found: ${bad
        .map((v) => `${v.id} (${v.impact}, ${v.nodes}×): ${v.help}`)
        .join('; ')}`,
    );
}

/** A full-page screenshot into reports/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(reports, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
