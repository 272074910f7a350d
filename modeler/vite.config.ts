/**
 * One Vite build for all browser apps: every folder of `modeler/` with an `index.html` (designer, admin,
 * tasks, portal, …) becomes an entry, plus the landing page `index.html`. The API server serves the output
 * (`modeler/dist`) under the same paths, so the apps call `/v2` on their own origin.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));

export const appNames = (): string[] =>
  readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !['dist', 'src', 'node_modules'].includes(entry.name))
    .filter((entry) => existsSync(join(root, entry.name, 'index.html')))
    .map((entry) => entry.name)
    .sort();

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
    // one Preact for the apps and the bpmn-io libraries: @bpmn-io/form-js-editor pins its own copy, whose
    // components would otherwise run against the hooks of another (form-js editor renders nothing)
    dedupe: ['preact'],
  },
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    // bpmn-js, its properties panel and form-js are large by nature; one chunk per app is expected
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: Object.fromEntries([
        ['index', resolve(root, 'index.html')],
        ...appNames().map((name) => [name, resolve(root, name, 'index.html')]),
      ]),
    },
  },
});
