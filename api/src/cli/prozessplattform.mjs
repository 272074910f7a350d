#!/usr/bin/env node
// The `prozessplattform` command (package.json `bin`): runs the TypeScript of api/src/cli through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
