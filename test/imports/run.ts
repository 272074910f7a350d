/**
 * `npm run imports:report`: imports every sample of `../shared/fim/xdatenfelder/` (with the genericode code
 * lists found beside them in the code-list store) and every XProzess export of `../shared/fim/xprozess/`,
 * converts every Camunda 7 model of `../shared/conformance/egov-bpmn/`, then writes `reports/imports.json`:
 * `{"xdatenfelder":[{file, fields, mapped, reported}], "xprozess":[{file, leikaKey, elements, mapped, reported}],
 * "camunda7":[{file, elements, converted, reported, compiles}]}` — every construct is mapped or reported (mapped + reported = total); a refused file
 * carries its error code and message instead of counts. `compiles` says whether the engine's compiler accepts
 * the converted model as it is (its problems are counted, not hidden). SHARED_DIR points at ../shared.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBpmn } from '../../engine/src/model/compile.js';
import { convertCamunda7 } from '../../api/src/imports/camunda7/index.js';
import {
  importXDatenfelder,
  InMemoryCodeListStore,
  summariseXDatenfelder,
} from '../../api/src/imports/xdatenfelder/index.js';
import { importXProzess } from '../../api/src/imports/xprozess/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shared = resolve(process.env.SHARED_DIR ?? join(repo, '..', 'shared'));

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const failure = (error: unknown) => ({
  error: (error as { code?: string }).code ?? 'ERROR',
  message: (error as Error).message,
});

export function xdatenfelderReport(dir = join(shared, 'fim/xdatenfelder')) {
  const files = filesUnder(dir, '.xml');
  const codeLists = new InMemoryCodeListStore();
  for (const file of files.filter((f) => f.endsWith('_genericode.xml')))
    codeLists.addGenericode(readFileSync(file, 'utf8'));
  return files
    .filter((file) => !file.endsWith('_genericode.xml'))
    .map((file) => {
      try {
        const imported = importXDatenfelder(readFileSync(file, 'utf8'), { codeLists });
        return { ...summariseXDatenfelder(basename(file), imported), version: imported.version };
      } catch (error) {
        return { file: basename(file), ...failure(error) };
      }
    });
}

/**
 * Every XProzess export of `../shared/fim/xprozess/` (the XML exports, not the decoded helper file), imported
 * on its own: which XDatenfelder export is its start form is the importing admin's choice, not the file's.
 */
export async function xprozessReport(dir = join(shared, 'fim/xprozess')) {
  const rows: (
    | { file: string; leikaKey: string; elements: number; mapped: number; reported: number }
    | { file: string; error: string; message: string }
  )[] = [];
  for (const file of filesUnder(dir, '.xml').filter((f) => !basename(f).startsWith('decoded_'))) {
    try {
      const imported = await importXProzess(readFileSync(file, 'utf8'));
      const { elements, mapped, reported } = imported.report;
      rows.push({ file: basename(file), leikaKey: imported.leikaKey, elements, mapped, reported });
    } catch (error) {
      rows.push({ file: basename(file), ...failure(error) });
    }
  }
  return rows;
}

export async function camunda7Report(dir = join(shared, 'conformance/egov-bpmn')) {
  const rows = [];
  for (const file of filesUnder(dir, '.bpmn')) {
    const name = relative(dir, file);
    try {
      const { xml, report } = await convertCamunda7(readFileSync(file, 'utf8'));
      const compiled = await compileBpmn(xml, { resourceName: basename(file) });
      rows.push({
        file: name,
        elements: report.elements,
        converted: report.converted,
        reported: report.reported,
        compiles: compiled.ok,
        ...(compiled.ok ? {} : { engineProblems: compiled.problems.length }),
      });
    } catch (error) {
      rows.push({ file: name, ...failure(error) });
    }
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const xdatenfelder = xdatenfelderReport();
  const xprozess = await xprozessReport();
  const camunda7 = await camunda7Report();
  const report = { xdatenfelder, xprozess, camunda7 };
  mkdirSync(join(repo, 'reports'), { recursive: true });
  writeFileSync(join(repo, 'reports/imports.json'), `${JSON.stringify(report, null, 2)}\n`);
  const sum = (rows: Record<string, unknown>[], key: string) =>
    rows.reduce((total, row) => total + (typeof row[key] === 'number' ? (row[key] as number) : 0), 0);
  console.log(
    `XDatenfelder: ${xdatenfelder.length} files, ${sum(xdatenfelder, 'mapped')} of ${sum(xdatenfelder, 'fields')} field constructs mapped, ${sum(xdatenfelder, 'reported')} reported, ${xdatenfelder.filter((r) => 'error' in r).length} refused`,
  );
  console.log(
    `XProzess: ${xprozess.length} files, ${sum(xprozess, 'mapped')} of ${sum(xprozess, 'elements')} elements mapped, ${sum(xprozess, 'reported')} reported, ${xprozess.filter((r) => 'error' in r).length} refused`,
  );
  console.log(
    `Camunda 7: ${camunda7.length} models, ${sum(camunda7, 'converted')} of ${sum(camunda7, 'elements')} constructs converted, ${sum(camunda7, 'reported')} reported, ${camunda7.filter((r) => 'compiles' in r && r.compiles).length} compile on the engine`,
  );
  // every file with the share of its constructs mapped (the "import report with the share mapped")
  const share = (done: number, total: number) => (total ? `${((done / total) * 100).toFixed(1)} %` : '–');
  const line = (row: Record<string, unknown>, total: string, done: string) =>
    'error' in row
      ? `  ${String(row.file)}: refused, ${String(row.error)}`
      : `  ${String(row.file)}: ${String(row[done])} of ${String(row[total])} (${share(row[done] as number, row[total] as number)}), ${String(row.reported)} reported`;
  console.log('\nPer file (mapped or converted of all constructs):');
  for (const row of xdatenfelder) console.log(line(row, 'fields', 'mapped'));
  for (const row of xprozess) console.log(line(row, 'elements', 'mapped'));
  for (const row of camunda7) console.log(line(row, 'elements', 'converted'));
  console.log('written reports/imports.json');
}
