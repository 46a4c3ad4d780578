/** Build the extensions once if they are missing (npm test builds them before this suite runs). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export default function setup(): void {
  const missing = ['chrome', 'firefox'].filter((b) => !existsSync(`dist/${b}/manifest.json`));
  if (missing.length === 0) return;
  const r = spawnSync('node', ['scripts/build.mjs', ...missing], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`build of ${missing.join(', ')} failed`);
}
