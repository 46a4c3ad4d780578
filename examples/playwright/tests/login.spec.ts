/**
 * Three logins against the lab. The safe one passes; the two others are the attacks CoatCheck
 * exists for, so these tests FAIL, and their failure messages name the rules (the repository's own
 * test, test/e2e/playwright-example.e2e.test.ts, checks exactly that).
 */
import { expect, test } from 'coatcheck/playwright';

async function login(page: import('@playwright/test').Page, scenario: string) {
  const url = process.env[`LAB_${scenario.toUpperCase()}`];
  if (!url) throw new Error(`the lab is not running (no LAB_${scenario.toUpperCase()})`);
  await page.goto(url);
  await expect(page.locator('#result[data-outcome="connected"]')).toBeAttached();
}

test('connecting the honest tool is a safe OAuth flow', async ({ page }) => {
  await login(page, 'clean');
  await expect(page).toHaveNoOAuthFindings({ atLeast: 'medium' });
});

test('connecting a tool whose AS bounces to another tool (COAT)', async ({ page }) => {
  await login(page, 'coat');
  await expect(page).toHaveNoOAuthFindings({ atLeast: 'medium' });
});

test('the single-page app logs in with the implicit grant', async ({ page }) => {
  await login(page, 'implicit');
  await expect(page).toHaveNoOAuthFindings({ atLeast: 'medium' });
});

test('the fixture reports what it saw, and accepts rules to ignore', async ({ page, coatcheck }) => {
  await login(page, 'implicit');
  const report = await coatcheck.report();
  expect(report.findings.map((f) => f.ruleId)).toContain('implicit-grant');
  await expect(page).toHaveNoOAuthFindings({ atLeast: 'medium', ignore: report.findings.map((f) => f.ruleId) });
});
