#!/usr/bin/env node
// In a checkout (src/ present, tsx installed) run the TypeScript source, so `npx accountpulse`
// works right after `npm ci` and never runs a stale build; in the container (dist/ only) run
// the compiled CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli.ts');
let useSource = existsSync(source);
if (useSource) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    useSource = false;
  }
}
await import(pathToFileURL(useSource ? source : join(root, 'dist', 'cli.js')).href);
