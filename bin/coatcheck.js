#!/usr/bin/env node
// The `coatcheck` command: a shim over the built CLI (dist/cli/coatcheck.js).
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/coatcheck.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('coatcheck: the CLI is not built (dist/cli/coatcheck.js is missing); run npm run build\n');
  process.exit(2);
}
const { run } = await import(built.href);
await run();
