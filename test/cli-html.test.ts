/** `coatcheck scan --format html`: one self-contained page with the findings, their fixes and the flow diagrams. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { scanCommand, SCAN_HELP } from '../src/companion/scan';
import { fixSection, markdownToHtml, HTML_CSP, toHtml } from '../src/core/report/html';
import { har, q, rnd } from './cli-har';

const dir = mkdtempSync(join(tmpdir(), 'coatcheck-html-'));
const COAT_HAR = new URL('../examples/coat-attack.har', import.meta.url).pathname;

async function scan(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await scanCommand(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), stderrIsTTY: false });
  return { code, out, err };
}

/** every src/href attribute value of the page, as a browser parses it */
function links(html: string): string[] {
  return [...parsed(html).doc.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => /^(src|href|xlink:href|action|srcset|poster|data)$/i.test(a.name)).map((a) => a.value ?? ''));
}

/** the page as a browser parses it: no element that runs or loads anything, no event handler attribute */
function parsed(html: string) {
  const w = new Window();
  w.document.write(html);
  const doc = w.document;
  const all = [...doc.querySelectorAll('*')];
  return {
    doc,
    active: all.filter((el) => /^(script|img|iframe|object|embed|link|foreignobject|image|use)$/i.test(el.tagName)).map((el) => el.tagName),
    handlers: all.flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName}@${a.name}`)),
  };
}

const SVG_DATA = 'data:image/svg+xml;charset=utf-8,';
const EVIL = `"><script>alert(1)</script><img src=https://evil.example/x onerror=alert(2)><svg onload=alert(3)>`;
const evilHar = () => {
  const P = 'https://platform.example';
  const S = rnd(24);
  const a1 = `https://attacker-as.example/authorize?${q({ response_type: 'code', client_id: EVIL, redirect_uri: `${P}/cb/attacker?x=${EVIL}`, state: S })}`;
  const a2 = `https://honest-as.example/authorize?${q({ response_type: 'code', client_id: 'honest', redirect_uri: `${P}/cb/honest`, state: S })}`;
  return har([{ url: `${P}/connect`, location: a1 }, { url: a1, location: a2 }, { url: a2, requestHeaders: { Referer: 'https://attacker-as.example/' } }]);
};

describe('scan --format html', () => {
  it('writes one self-contained page for examples/coat-attack.har: summary, every finding with evidence, references, fix and doc link, the diagram', async () => {
    const out = join(dir, 'coat.html');
    const json = await scan(['--format', 'json', COAT_HAR]);
    const findings = (JSON.parse(json.out) as { findings: { ruleId: string; severity: string }[] }).findings;
    expect(findings.length).toBeGreaterThan(0);
    const r = await scan(['--format', 'html', '--output', out, COAT_HAR]);
    expect(r.code).toBe(1); // the exit code follows the findings, as for the other formats
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP.replace(/'/g, '&#39;')}">`);
    expect(html).not.toMatch(/<script/i);
    const page = parsed(html);
    expect(page.active).toEqual([]);
    expect(page.handlers).toEqual([]);
    // every finding, with its rule id and severity, once per finding
    const articles = [...html.matchAll(/<article class="finding[^"]*" id="finding-\d+" data-rule-id="([^"]+)" data-severity="([^"]+)"/g)].map((m) => `${m[1]}/${m[2]}`);
    expect(articles.sort()).toEqual(findings.map((f) => `${f.ruleId}/${f.severity}`).sort());
    // the fix text of the rule page and its documentation link
    expect(html).toContain('Bind the connection context to the state');
    expect(html).toContain('draft-wuertele-oauth-security-topics-update-02 §2.2');
    expect(html).toContain('draft-ietf-oauth-security-topics-update-03 §2.2 (Cross-toolkit OAuth Account Takeover)');
    // the diagram: the AS-to-AS redirect carries the COAT finding and a severity word
    const arrow = /<g class="cc-arrow kind-as-redirect[^"]*"[^>]*data-severity="critical" data-rules="([^"]*)"/.exec(html);
    expect(arrow?.[1].split(' ')).toContain('coat-context-switch');
    expect(html).toContain('CRITICAL coat-context-switch');
    expect(html).toMatch(/<polyline class="cc-thread"[^>]*data-param="[^"]*\bstate\b/);
    // the only links that leave the page are the rule pages shipped with the package
    for (const l of links(html)) expect(l.startsWith('#') || l.startsWith(SVG_DATA) || /^file:\/\/.*\/docs\/rules\/[a-z0-9-]+\.md$/.test(l), l).toBe(true);
    expect(links(html).some((l) => l.endsWith('/docs/rules/coat-context-switch.md'))).toBe(true);
    // the flow with findings can be saved as a standalone SVG: the very drawing shown inline
    const save = page.doc.querySelector('.flow a[download]')!;
    expect(save.getAttribute('download')).toMatch(/^coatcheck-flow-[A-Za-z0-9_-]+\.svg$/);
    const file = decodeURIComponent(save.getAttribute('href')!.slice(SVG_DATA.length));
    expect(file).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(html).toContain(`<div class="diagram">${file}</div>`);
    // the raw state of the capture never appears (redacted by default)
    const rawState = /state=([A-Za-z0-9_-]{20,})/.exec(readFileSync(COAT_HAR, 'utf8'))![1];
    expect(html).not.toContain(rawState);
  });

  it('hostile strings in URLs and parameter values are text, never markup', async () => {
    const p = join(dir, 'evil.har');
    writeFileSync(p, evilHar());
    const r = await scan(['--format', 'html', p]);
    const html = r.out;
    expect(html).toContain('coat-context-switch');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<svg onload/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const page = parsed(html);
    expect(page.active).toEqual([]);
    expect(page.handlers).toEqual([]);
    // shown as text, in the finding and in the diagram
    expect(page.doc.querySelector('.diagram')?.textContent).toContain('<script>alert(1)</script>');
    for (const l of links(html)) expect(l.startsWith('#') || l.startsWith(SVG_DATA) || /^file:\/\/.*\/docs\/rules\/[a-z0-9-]+\.md$/.test(l), l).toBe(true);
    // in the saved SVG file too, the hostile strings are text
    const file = decodeURIComponent(page.doc.querySelector('.flow a[download]')!.getAttribute('href')!.slice(SVG_DATA.length));
    const svg = parsed(file);
    expect(svg.active).toEqual([]);
    expect(svg.handlers).toEqual([]);
    expect(file).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('a server-side client\'s token request: drawn with the callback code\'s fingerprint and its response, no raw secret', async () => {
    const P = 'https://platform.example';
    const AS = 'https://as.example';
    const S = rnd(24);
    const code = rnd(24);
    const access = rnd(32);
    const a = `${AS}/authorize?${q({ response_type: 'code', client_id: 'platform', redirect_uri: `${P}/cb`, state: S })}`;
    const cb = `${P}/cb?${q({ code, state: S, iss: AS })}`;
    const p = join(dir, 'token.har');
    writeFileSync(
      p,
      har([
        { url: `${P}/login`, location: a },
        { url: a, location: cb },
        { url: cb },
        { url: `${AS}/token`, form: { grant_type: 'authorization_code', code, redirect_uri: `${P}/cb`, client_id: 'platform', client_secret: rnd(16) }, resourceType: 'fetch', responseJson: { access_token: access, token_type: 'Bearer', expires_in: 3600 } },
      ]),
    );
    const r = await scan(['--format', 'html', p]);
    const arrows = [...r.out.matchAll(/<g class="cc-arrow[^"]*"[^>]*data-kind="([^"]+)"[^>]*>(.*?)<\/g>/g)].map((m) => ({ kind: m[1], text: m[2].replace(/<[^>]+>/g, ' ') }));
    expect(arrows.map((a) => a.kind)).toEqual(['authorization-request', 'callback', 'token-request', 'token-response']);
    const codes = arrows.flatMap((a) => /code = (\S+)/.exec(a.text)?.[1] ?? []);
    expect(codes).toHaveLength(2);
    expect(codes[0]).toBe(codes[1]);
    expect(codes[0]).toMatch(/…#[0-9a-f]{8}$/);
    expect(arrows[3].text).toContain('token_type = Bearer');
    expect(arrows[3].text).toMatch(/access_token = \S+…#[0-9a-f]{8}/);
    for (const secret of [code, access, S]) expect(r.out).not.toContain(secret);
  });

  it('JSON and SARIF are unchanged by the new format; the help names it', async () => {
    const a = await scan(['--format', 'sarif', COAT_HAR]);
    expect(a.out).not.toContain('<svg');
    expect(JSON.parse(a.out).runs[0].results.length).toBeGreaterThan(0);
    expect(SCAN_HELP).toContain('html');
    const bad = await scan(['--format', 'pdf', COAT_HAR]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('text, json, sarif or html');
  });
});

describe('rule page markdown', () => {
  it('reads the How to fix section and renders the markdown subset with its text escaped', () => {
    const md = '# x\n\n## How to fix\nUse `state` <b>and</b> **check**:\n- one\n- two\n\n```\n<code>\n```\n## Not reported\nnope';
    const fix = fixSection(md)!;
    expect(fix).not.toContain('nope');
    const html = markdownToHtml(fix);
    expect(html).toContain('<code>state</code> &lt;b&gt;and&lt;/b&gt; <strong>check</strong>');
    expect(html).toContain('<ul><li>one</li><li>two</li></ul>');
    expect(html).toContain('<pre>&lt;code&gt;</pre>');
    expect(fixSection('# no fix here')).toBeUndefined();
  });
});

describe('toHtml', () => {
  it('a finding whose verdict rests on the provider table says so, and its text fields are escaped', () => {
    const html = toHtml(
      {
        tool: { name: 'coatcheck', version: '0' },
        inputs: [{ path: 'x.har', entries: 1 }],
        flows: [],
        redact: true,
        findings: [
          { ruleId: 'mixup-iss-missing', severity: 'high', confidence: 'strong', title: 'No iss', message: '<b>m</b>', references: ['RFC 9207'], flowId: null, evidence: [{ url: 'https://a.example/?<x>', note: '"n"' }], context: 'har:0:p', time: 0, providerTable: { provider: 'GitHub<i>', checked: '2026-04-09' } },
        ],
      },
      { diagrams: [], docsBase: 'file:///pkg/docs/rules/', fixes: { 'mixup-iss-missing': 'Reject `iss`-less responses.' } },
    );
    expect(html).toContain("basis: from CoatCheck's provider table (GitHub&lt;i&gt;), checked 2026-04-09");
    expect(html).toContain('&lt;b&gt;m&lt;/b&gt;');
    expect(html).toContain('https://a.example/?&lt;x&gt;');
    expect(html).toContain('Reject <code>iss</code>-less responses.');
    expect(html).toContain('href="file:///pkg/docs/rules/mixup-iss-missing.md"');
    expect(html).toContain('<p>No OAuth flow in the capture.</p>');
  });
});
