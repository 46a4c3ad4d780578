/**
 * A sample Playwright project that checks its logins with CoatCheck (`coatcheck/playwright`).
 * It logs in against CoatCheck's local lab (a real oidc-provider AS, an attacker AS and a
 * vulnerable platform on 127.0.0.1, started by global-setup.ts) in Debian's Chromium.
 *
 *     npx playwright test -c examples/playwright/playwright.config.ts
 *
 * Your own project needs only the import: `import { test, expect } from 'coatcheck/playwright'`.
 */
import { defineConfig } from '@playwright/test';
import { chromiumArgs } from '../../lab/chromium.mjs';

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  timeout: 30_000,
  workers: 1,
  reporter: [['list']],
  use: {
    ignoreHTTPSErrors: true,
    // Debian's Chromium, never a downloaded browser; *.example resolves to the lab on 127.0.0.1
    launchOptions: { executablePath: process.env.COATCHECK_CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs() },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
