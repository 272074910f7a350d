/**
 * Builds the browser apps with Vite into `modeler/dist` — always (`npm run build:web`) or only when a
 * source file, the Vite configuration or the installed packages changed since the last build
 * (`--if-stale`, used by `npm start` and the browser tests, so a fresh clone needs no extra step).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const modeler = dirname(fileURLToPath(import.meta.url));
const dist = join(modeler, 'dist');
const stampFile = join(dist, '.build-stamp');

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['dist', 'node_modules', '.build-lock'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** What the build depends on: the newest change under modeler/ and the installed packages. */
function sourceStamp(): string {
  const lock = join(modeler, '../package-lock.json');
  return `${newestChange(modeler)}:${existsSync(lock) ? statSync(lock).mtimeMs : 0}`;
}

const lockDir = join(modeler, '.build-lock');
const LOCK_STALE_MS = 5 * 60_000;

/** One build at a time (a test run and `npm start` may both find the build stale). */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > LOCK_STALE_MS)
        rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

export function buildWebApps(options: { ifStale?: boolean } = {}): Promise<'built' | 'fresh'> {
  return withBuildLock(async () => {
    const stamp = sourceStamp();
    if (options.ifStale && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return 'fresh';
    await build({ configFile: join(modeler, 'vite.config.ts'), logLevel: 'warn' });
    writeFileSync(stampFile, stamp);
    return 'built';
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale) console.log('Checking the browser apps (modeler/dist) …');
  const started = Date.now();
  const result = await buildWebApps({ ifStale });
  console.log(
    result === 'fresh'
      ? 'Browser apps are up to date.'
      : `Browser apps built in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
}
