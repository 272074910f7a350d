/**
 * `prozessplattform import <kind> <file|dir…>`: sends files to an installation's imports API one after the
 * other (so it works against any installation it can reach) and reports each result and a summary.
 * A directory contributes every file of the kind below it; progress goes to stderr (a bar on a terminal,
 * one line per file otherwise), results and the summary to stdout.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import { designerUrl } from '../designer-links.js';

export type CliKind = 'xdatenfelder' | 'xprozess' | 'camunda7' | 'bpmn' | 'package' | 'code-list';

interface KindRule {
  readonly path: string;
  readonly extensions: readonly string[];
  /** in a directory, a file of this kind: the start of its content says so (FIM exports mix lists and schemas) */
  readonly sniff?: RegExp;
  readonly dryRun: boolean;
}

export const KINDS: Record<CliKind, KindRule> = {
  xdatenfelder: {
    path: '/v2/imports/xdatenfelder',
    extensions: ['.xml'],
    sniff: /urn:xoev-de:fim:standard:xdatenfelder_/,
    dryRun: true,
  },
  xprozess: { path: '/v2/imports/xprozess', extensions: ['.xml'], sniff: /xprozess/i, dryRun: true },
  camunda7: { path: '/v2/imports/camunda7', extensions: ['.bpmn'], dryRun: true },
  bpmn: { path: '/v2/imports/bpmn', extensions: ['.bpmn'], dryRun: true },
  package: { path: '/v2/processes/imports/package', extensions: ['.json'], dryRun: false },
  'code-list': {
    path: '/v2/code-lists',
    extensions: ['.xml'],
    sniff: /http:\/\/docs\.oasis-open\.org\/codelist\/ns\/genericode\/1\.0\//,
    dryRun: false,
  },
};

export interface ImportOptions {
  readonly kind: CliKind;
  readonly inputs: readonly string[];
  readonly url: string;
  readonly token: string;
  readonly dryRun: boolean;
  /** XProzess: the XDatenfelder file of the same service */
  readonly dataFields?: string;
  readonly json: boolean;
  /** package: take an unsigned package (administrators only; the API decides) */
  readonly acceptUnsigned?: boolean;
}

interface Report {
  readonly total: number;
  readonly mapped: number;
  readonly reported: number;
}

export interface FileResult {
  readonly file: string;
  readonly ok: boolean;
  readonly status: number;
  readonly report?: Report;
  readonly bpmnProcessId?: string;
  readonly designerUrl?: string;
  /** the problem's detail and the fields it names, for a refused file */
  readonly error?: string;
}

export interface Summary {
  readonly files: number;
  readonly ok: number;
  readonly failed: number;
  readonly total: number;
  readonly mapped: number;
  readonly reported: number;
  /** share of constructs mapped over the files imported, 0…1; null when nothing was counted */
  readonly shareMapped: number | null;
  readonly results: readonly FileResult[];
}

export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** The files to send: named files as given, directories searched for files of the kind. */
export function collectFiles(kind: CliKind, inputs: readonly string[]): string[] {
  const rule = KINDS[kind];
  const files: string[] = [];
  for (const input of inputs) {
    let stat;
    try {
      stat = statSync(input);
    } catch {
      throw new UsageError(`Expected a file or directory, but '${input}' does not exist.`);
    }
    if (!stat.isDirectory()) {
      files.push(input);
      continue;
    }
    const found = readdirSync(input, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && rule.extensions.some((ext) => entry.name.toLowerCase().endsWith(ext)))
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((file) => !rule.sniff || rule.sniff.test(readFileSync(file, 'utf8').slice(0, 4096)))
      .sort();
    files.push(...found);
  }
  if (files.length === 0)
    throw new UsageError(
      `Expected ${kind} files (${rule.extensions.join(', ')}), but found none in ${inputs.join(', ')}.`,
    );
  return files;
}

/** The request body: process packages are JSON (`{ package }`), everything else a multipart upload. */
function bodyOf(options: ImportOptions, file: string): { body: FormData | string; headers: Record<string, string> } {
  if (options.kind === 'package') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`Expected a process package in JSON, but ${(error as Error).message}`);
    }
    return {
      body: JSON.stringify({ package: parsed, ...(options.acceptUnsigned ? { acceptUnsigned: true } : {}) }),
      headers: { 'content-type': 'application/json' },
    };
  }
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)], { type: 'application/xml' }), basename(file));
  if (options.dataFields)
    form.append(
      'dataFields',
      new Blob([readFileSync(options.dataFields)], { type: 'application/xml' }),
      basename(options.dataFields),
    );
  return { body: form, headers: {} };
}

async function send(options: ImportOptions, file: string): Promise<FileResult> {
  const rule = KINDS[options.kind];
  let request;
  try {
    request = bodyOf(options, file);
  } catch (error) {
    return { file, ok: false, status: 0, error: (error as Error).message };
  }
  const url = new URL(rule.path, options.url);
  if (options.dryRun) url.searchParams.set('dryRun', 'true');
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, ...request.headers },
      body: request.body,
    });
  } catch (error) {
    return { file, ok: false, status: 0, error: `Expected ${options.url} to answer, but ${(error as Error).message}` };
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const fields = ((body.errors as { field: string }[] | undefined) ?? []).map((error) => error.field);
    const detail = String(body.detail ?? body.title ?? response.statusText);
    return {
      file,
      ok: false,
      status: response.status,
      error: fields.length ? `${detail} (${fields.join(', ')})` : detail,
    };
  }
  const report = body.report as Report | undefined;
  return {
    file,
    ok: true,
    status: response.status,
    ...(report ? { report: { total: report.total, mapped: report.mapped, reported: report.reported } } : {}),
    ...(typeof body.bpmnProcessId === 'string' ? { bpmnProcessId: body.bpmnProcessId } : {}),
    // the imports answer with the designer's link; a taken-over package answers with the process itself
    ...(typeof body.bpmnProcessId === 'string'
      ? {
          designerUrl: new URL(
            typeof body.designerUrl === 'string' ? body.designerUrl : designerUrl(body.bpmnProcessId),
            options.url,
          ).href,
        }
      : {}),
  };
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

export function describe(result: FileResult, name: string): string {
  if (!result.ok) return `✗ ${name}: ${result.status ? `${result.status} ` : ''}${result.error}`;
  const counts = result.report
    ? `${result.report.mapped} of ${result.report.total} mapped${result.report.total ? ` (${percent(result.report.mapped / result.report.total)})` : ''}, ${result.report.reported} reported`
    : 'imported';
  return `✓ ${name}: ${counts}${result.designerUrl ? ` → ${result.designerUrl}` : ''}`;
}

export function summarise(results: readonly FileResult[]): Summary {
  const ok = results.filter((result) => result.ok);
  const sum = (key: keyof Report) => ok.reduce((total, result) => total + (result.report?.[key] ?? 0), 0);
  const total = sum('total');
  return {
    files: results.length,
    ok: ok.length,
    failed: results.length - ok.length,
    total,
    mapped: sum('mapped'),
    reported: sum('reported'),
    shareMapped: total > 0 ? sum('mapped') / total : null,
    results,
  };
}

/** Runs the import; resolves to the summary (the caller turns failures into the exit code). */
export async function runImport(
  options: ImportOptions,
  io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process,
): Promise<Summary> {
  if (options.dryRun && !KINDS[options.kind].dryRun)
    throw new UsageError(`Expected --dry-run only for kinds that preview, but ${options.kind} does not.`);
  if (options.acceptUnsigned && options.kind !== 'package')
    throw new UsageError(`Expected --accept-unsigned only with package, but the kind is ${options.kind}.`);
  if (options.dataFields && options.kind !== 'xprozess')
    throw new UsageError(`Expected --data-fields only with xprozess, but the kind is ${options.kind}.`);
  const files = collectFiles(options.kind, options.inputs);
  const base = options.inputs.length === 1 && statSync(options.inputs[0]).isDirectory() ? options.inputs[0] : undefined;
  const nameOf = (file: string) => (base ? relative(base, file) : file);
  const terminal = Boolean(io.stderr.isTTY);
  const bars = terminal
    ? new MultiBar(
        {
          stream: io.stderr,
          format: ' {bar} {value}/{total} files | {ok} ok, {failed} failed | {file}',
          hideCursor: true,
          clearOnComplete: true,
        },
        Presets.shades_classic,
      )
    : undefined;
  const bar = bars?.create(files.length, 0, { ok: 0, failed: 0, file: '' });
  // on one terminal, results are written through the bar so that it stays below them
  const print = (line: string) => (bars && io.stdout.isTTY ? bars.log(`${line}\n`) : io.stdout.write(`${line}\n`));
  const results: FileResult[] = [];
  for (const [index, file] of files.entries()) {
    bar?.update(index, { file: basename(file) });
    const result = await send(options, file);
    results.push(result);
    const line = describe(result, nameOf(file));
    if (!options.json) print(line);
    if (bar)
      bar.update(index + 1, { ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length });
    else io.stderr.write(`[${index + 1}/${files.length}] ${nameOf(file)}: ${result.ok ? 'ok' : 'failed'}\n`);
  }
  bars?.stop();
  const summary = summarise(results);
  if (options.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else
    io.stdout.write(
      `${summary.files} files, ${summary.ok} ok, ${summary.failed} failed${options.dryRun ? ' (dry run: nothing kept)' : ''}; ${
        summary.shareMapped === null
          ? 'no constructs counted'
          : `${summary.mapped} of ${summary.total} constructs mapped (${percent(summary.shareMapped)}), ${summary.reported} reported`
      }\n`,
    );
  return summary;
}
