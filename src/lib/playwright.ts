/**
 * OAuth security checks inside your own Playwright tests (`import { test, expect } from
 * 'coatcheck/playwright'`). The fixture records every request of the test's browser context
 * through Playwright's own network events (redirect hops with their Location, headers, form and
 * JSON bodies, JSON responses) and the committed URLs of its frames (fragments, which no request
 * shows), runs CoatCheck's engine over them, and attaches the JSON report to the test result.
 *
 *     import { test, expect } from 'coatcheck/playwright';
 *     test('login is safe', async ({ page }) => {
 *       await page.goto('https://app.example/login');
 *       // … log in …
 *       await expect(page).toHaveNoOAuthFindings({ atLeast: 'medium', ignore: ['token-lifetime-long'] });
 *     });
 *
 * Playwright network events exist in every browser Playwright drives, so the same fixture works in
 * Chromium, Firefox and WebKit projects. `@playwright/test` is a peer dependency.
 */
import { expect as baseExpect, test as baseTest, type BrowserContext, type Frame, type Page, type Request, type Response } from '@playwright/test';
import { atLeast, type Header, type JsonFinding, type JsonReport, type Observation, type ResourceType, type Severity } from '../core';
import { createScanner, type ScanOptions } from './index';
export type { JsonFinding, JsonReport } from '../core';

const MAX_BODY = 1_000_000;

const TYPES: Record<string, ResourceType> = { xhr: 'xhr', fetch: 'xhr', script: 'script', image: 'image', stylesheet: 'stylesheet' };

function headerList(h: Record<string, string>): Header[] {
  // Playwright joins repeated headers with "\n" (set-cookie): split them back
  return Object.entries(h).flatMap(([name, value]) => value.split('\n').map((v) => ({ name, value: v })));
}

/** A Location as the browser follows it: resolved against the request, its fragment kept. */
function resolve(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

/** Records one browser context's traffic as the core's observations. */
export class OAuthRecorder {
  private readonly pending: Promise<Observation | undefined>[] = [];
  private readonly pages = new WeakMap<Page, number>();
  private nextPage = 0;
  private seq = 0;

  constructor(readonly context: BrowserContext) {
    for (const p of context.pages()) this.watchPage(p);
    context.on('page', (p) => this.watchPage(p));
    context.on('response', (r) => this.pending.push(this.fromResponse(r).catch(() => undefined)));
    context.on('requestfailed', (r) => this.pending.push(this.fromRequest(r, undefined).catch(() => undefined)));
  }

  private pageId(page: Page | undefined): string {
    if (!page) return 'context';
    let id = this.pages.get(page);
    if (id === undefined) this.pages.set(page, (id = this.nextPage++));
    return `page:${id}`;
  }

  private watchPage(page: Page): void {
    this.pageId(page);
    // a committed URL with a fragment (an implicit or fragment-mode response) is seen only here
    page.on('framenavigated', (frame: Frame) => {
      const url = frame.url();
      const hash = url.indexOf('#');
      if (hash < 0 || hash === url.length - 1 || !/^https?:/.test(url)) return;
      this.pending.push(
        Promise.resolve({
          id: `nav:${++this.seq}`,
          ref: { requestId: `nav:${this.seq}` },
          context: this.pageId(page),
          time: Date.now(),
          url,
          method: 'GET',
          type: frame === page.mainFrame() ? 'main_frame' : 'sub_frame',
          requestHeaders: [],
          responseHeaders: [],
          navigationOnly: true,
        } satisfies Observation),
      );
    });
  }

  private pageOf(request: Request): { page?: Page; main: boolean } {
    try {
      const frame = request.frame();
      const page = frame.page();
      return { page, main: frame === page.mainFrame() };
    } catch {
      return { main: false }; // a service worker's request
    }
  }

  private async fromRequest(request: Request, response: Response | undefined): Promise<Observation | undefined> {
    const { page, main } = this.pageOf(request);
    const rt = request.resourceType();
    const type: ResourceType = rt === 'document' ? (main ? 'main_frame' : 'sub_frame') : (TYPES[rt] ?? 'other');
    const started = request.timing().startTime;
    const requestHeaders = headerList(await request.allHeaders());
    const contentType = requestHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
    const body = request.postData();
    const form = body !== null && /application\/x-www-form-urlencoded/i.test(contentType) ? [...new URLSearchParams(body)] : undefined;
    const responseHeaders = response ? headerList(await response.allHeaders()) : [];
    const status = response?.status();
    const location = responseHeaders.find((h) => h.name.toLowerCase() === 'location')?.value;
    let responseBody: string | undefined;
    if (response && status !== undefined && (status < 300 || status >= 400) && type === 'xhr' && /json/i.test(responseHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '')) {
      responseBody = await response.text().catch(() => undefined);
      if (responseBody !== undefined && responseBody.length > MAX_BODY) responseBody = undefined;
    }
    const id = `pw:${++this.seq}`;
    return {
      id,
      ref: { requestId: id },
      context: this.pageId(page),
      time: started > 0 ? started : Date.now(),
      url: request.url(),
      method: request.method(),
      type,
      requestHeaders,
      ...(form ? { requestBody: { form, mimeType: contentType } } : body !== null && body.length <= MAX_BODY ? { requestBody: { text: body, mimeType: contentType } } : {}),
      ...(status !== undefined ? { status } : {}),
      responseHeaders,
      ...(location ? { location: resolve(location, request.url()) } : {}),
      ...(responseBody !== undefined ? { responseBody } : {}),
    };
  }

  private fromResponse(response: Response): Promise<Observation | undefined> {
    return this.fromRequest(response.request(), response);
  }

  /** Everything recorded so far, in time order (the engine reads a capture in time order). */
  async observations(): Promise<Observation[]> {
    const all = (await Promise.all(this.pending)).filter((o): o is Observation => o !== undefined);
    return all.map((o, i) => [o, i] as const).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]).map(([o]) => o);
  }

  /** The JSON report of what was recorded so far. */
  async report(opts: ScanOptions = {}): Promise<JsonReport> {
    const s = createScanner({ name: 'playwright', ...opts });
    for (const o of await this.observations()) s.pushObservation(o);
    return s.report();
  }
}

const recorders = new WeakMap<BrowserContext, OAuthRecorder>();

/** The recorder of a page's browser context (the `test` fixture made it). */
export function recorderFor(page: Page): OAuthRecorder {
  const r = recorders.get(page.context());
  if (!r) throw new Error("coatcheck: no recorder for this page's context: use `test` from 'coatcheck/playwright'");
  return r;
}

export interface OAuthFixtures {
  /** this test's recorder: `await coatcheck.report()` for the findings so far */
  coatcheck: OAuthRecorder;
}

/** Playwright's `test`, recording every test's OAuth traffic and attaching CoatCheck's report. */
export const test = baseTest.extend<OAuthFixtures>({
  coatcheck: [
    async ({ context }, use, testInfo) => {
      const rec = new OAuthRecorder(context);
      recorders.set(context, rec);
      await use(rec);
      const report = await rec.report();
      await testInfo.attach('coatcheck-report.json', { body: JSON.stringify(report, null, 2), contentType: 'application/json' });
    },
    { auto: true },
  ],
});

export interface NoFindingsOptions {
  /** fail on findings at or above this severity (default medium) */
  atLeast?: Severity;
  /** rule ids to accept */
  ignore?: readonly string[];
}

function describe(f: JsonFinding): string {
  const where = f.evidence[0]?.url ? ` at ${f.evidence[0].url}` : '';
  return `  - [${f.severity}] ${f.ruleId}: ${f.message}${where} (${f.references.join('; ')})`;
}

/** Playwright's `expect`, with `toHaveNoOAuthFindings`. */
export const expect = baseExpect.extend({
  async toHaveNoOAuthFindings(page: Page, opts: NoFindingsOptions = {}) {
    const min = opts.atLeast ?? 'medium';
    const report = await recorderFor(page).report();
    const ignore = new Set(opts.ignore ?? []);
    const bad = report.findings.filter((f) => atLeast(f.severity, min) && !ignore.has(f.ruleId));
    const pass = bad.length === 0;
    return {
      name: 'toHaveNoOAuthFindings',
      pass,
      message: () =>
        pass
          ? `expected OAuth findings at or above ${min}, found none`
          : `CoatCheck found ${bad.length} OAuth finding${bad.length === 1 ? '' : 's'} at or above ${min}:\n${bad.map(describe).join('\n')}`,
    };
  },
});

export type { ScanOptions } from './index';
