/**
 * The `prozessplattform` command line (`npx prozessplattform …` in this repository): today `import`, which
 * talks to an installation's REST API. Where to and as whom: `--url` (or PROZESSPLATTFORM_URL) and
 * `--token` (or PROZESSPLATTFORM_TOKEN), or `--dev-login <role>@<tenant>` against an installation with the
 * development login. Exit codes: 0 all imported, 1 some file refused, 2 wrong usage or no connection.
 */
import { parseArgs } from 'node:util';
import { KINDS, runImport, UsageError, type CliKind } from './import.command.js';

const USAGE = `Usage: prozessplattform import <kind> <file|directory…> [options]

Kinds: ${Object.keys(KINDS).join(', ')}

Options:
  --url <url>               the installation (default: PROZESSPLATTFORM_URL or http://127.0.0.1:3000)
  --token <token>           a staff bearer token (default: PROZESSPLATTFORM_TOKEN)
  --dev-login <role>@<tenant>  sign in through the development login, e.g. designer@091620000000
  --dry-run                 import and report, keep nothing
  --data-fields <file>      xprozess: the XDatenfelder file of the same service
  --accept-unsigned         package: take an unsigned package (administrators only)
  --json                    print the summary as JSON
  -h, --help                this text
`;

const DEV_LOGIN = /^(designer|admin|clerk|worker)@([0-9]{12})$/;

async function devLogin(url: string, login: string): Promise<string> {
  const match = DEV_LOGIN.exec(login);
  if (!match) throw new UsageError(`Expected --dev-login <role>@<12-digit tenant>, but got '${login}'.`);
  let response: Response;
  try {
    response = await fetch(new URL('/dev-login/token', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'staff', userId: 'cli', tenantId: match[2], roles: [match[1]] }),
    });
  } catch (error) {
    throw new UsageError(`Expected ${url} to answer, but ${(error as Error).message}.`);
  }
  if (!response.ok)
    throw new UsageError(`Expected a token from the development login of ${url}, but it answered ${response.status}.`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'dev-login': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'data-fields': { type: 'string' },
        json: { type: 'boolean', default: false },
        'accept-unsigned': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, kind, ...inputs] = positionals;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    if (command !== 'import') throw new UsageError(`Expected the command import, but got '${command ?? ''}'.`);
    if (!kind || !(kind in KINDS))
      throw new UsageError(`Expected a kind (${Object.keys(KINDS).join(', ')}), but got '${kind ?? ''}'.`);
    if (inputs.length === 0) throw new UsageError('Expected at least one file or directory, but got none.');
    const url = values.url ?? process.env.PROZESSPLATTFORM_URL ?? 'http://127.0.0.1:3000';
    if (!/^https?:\/\/[^\s]+$/.test(url))
      throw new UsageError(`Expected --url to be an http(s) URL, but got '${url}'.`);
    if (values.token && values['dev-login']) throw new UsageError('Expected --token or --dev-login, but got both.');
    const token = values['dev-login']
      ? await devLogin(url, values['dev-login'])
      : (values.token ?? process.env.PROZESSPLATTFORM_TOKEN);
    if (!token) throw new UsageError('Expected --token, PROZESSPLATTFORM_TOKEN or --dev-login, but got none.');
    const summary = await runImport({
      kind: kind as CliKind,
      inputs,
      url,
      token,
      dryRun: values['dry-run'],
      ...(values['data-fields'] ? { dataFields: values['data-fields'] } : {}),
      json: values.json,
      acceptUnsigned: values['accept-unsigned'],
    });
    return summary.failed > 0 ? 1 : 0;
  } catch (error) {
    if ((error as { code?: string }).code !== 'USAGE') throw error;
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
}
