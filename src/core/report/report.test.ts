import { describe, expect, it } from 'vitest';
import type { Flow } from '../flows/flow';
import type { Rule } from '../rules/types';
import type { Finding } from './finding';
import { jsonError, orderFlows, toJsonReport, type ReportModel } from './json';
import { artifactUri, sarifLevel, toSarif } from './sarif';
import { ref } from './standards';
import { summary, toText } from './text';

function flow(id: string, entry: number, redirectUri = 'https://app.example/cb'): Flow {
  return {
    id,
    context: 'har:0:p',
    t0: entry,
    tLast: entry,
    as: { origin: 'https://as.example', issuer: 'https://as.example', source: 'origin', endpoint: 'https://as.example/authorize' },
    clientId: 'c1',
    redirectUri,
    paramsKnown: true,
    children: [],
    requests: [],
    responses: [],
    steps: [{ ref: { input: 0, entry }, obsId: `0:${entry}`, time: entry, kind: 'authorization-request', url: 'https://as.example/authorize?…' }],
  };
}

function finding(ruleId: string, severity: Finding['severity'], flowId: string | null, entry = 1): Finding {
  return {
    ruleId,
    severity,
    confidence: 'strong',
    title: `${ruleId} title`,
    message: `${ruleId} message`,
    references: ['RFC 9700 §2.1'],
    flowId,
    evidence: [{ input: 0, entry, url: 'https://as.example/authorize?state=ab…#12345678', param: 'state', value: 'ab…#12345678' }],
    context: 'har:0:p',
    time: entry,
  };
}

const rule = (id: string, severity: Finding['severity']): Rule => ({
  meta: { id, title: `${id} title`, severity, confidence: 'strong', references: ['RFC 9700'], description: `${id} description`, tier: 1, on: 'any', vantage: ['HAR'] },
  check: () => undefined,
});

const model = (over: Partial<ReportModel> = {}): ReportModel => ({
  tool: { name: 'coatcheck', version: '9.9.9' },
  inputs: [{ path: 'cap.har', entries: 10 }],
  findings: [finding('low-one', 'low', 'f2', 3), finding('crit-one', 'critical', 'f1', 1), finding('loose', 'medium', null, 5)],
  flows: [flow('f2', 4, 'https://app.example/cb?state=secretsecretsecret'), flow('f1', 1)],
  redact: true,
  ...over,
});

describe('JSON report', () => {
  it('orders findings worst first and flows by first step, and redacts secrets in redirect URIs', () => {
    const j = toJsonReport(model());
    expect(j.version).toBe(1);
    expect(j.tool).toEqual({ name: 'coatcheck', version: '9.9.9' });
    expect(j.findings.map((f) => f.ruleId)).toEqual(['crit-one', 'loose', 'low-one']);
    expect(j.flows.map((f) => f.id)).toEqual(['f1', 'f2']);
    expect(j.flows[1].redirectUri).not.toContain('secretsecretsecret');
    expect(toJsonReport(model({ redact: false })).flows[1].redirectUri).toContain('secretsecretsecret');
    expect(j.flows[0].steps).toEqual([{ input: 0, entry: 1, kind: 'authorization-request' }]);
    expect(Object.keys(j.findings[0])).toEqual(['ruleId', 'severity', 'confidence', 'title', 'message', 'references', 'flowId', 'evidence']);
  });
  it('error object', () => {
    expect(jsonError('x.har: bad')).toEqual({ error: { message: 'x.har: bad' } });
  });
  it('orderFlows is stable for flows without steps', () => {
    const a = { ...flow('a', 0), steps: [] };
    const b = { ...flow('b', 0), steps: [] };
    expect(orderFlows([b, a]).map((f) => f.id)).toEqual(['a', 'b']);
  });
});

describe('SARIF', () => {
  it('maps severities to levels', () => {
    expect(['critical', 'high', 'medium', 'low', 'info'].map((s) => sarifLevel(s as Finding['severity']))).toEqual(['error', 'error', 'warning', 'note', 'note']);
  });
  it('turns paths into URI references', () => {
    expect(artifactUri('-')).toBe('stdin');
    expect(artifactUri('caps/my capture.har')).toBe('caps/my%20capture.har');
    expect(artifactUri('/tmp/a#b.har')).toBe('file:///tmp/a%23b.har');
    expect(artifactUri('C:\\caps\\x.har')).toBe('file:///C:/caps/x.har');
  });
  it('lists the catalogue, adds descriptors for unknown rules and points results at entries', () => {
    const s = toSarif(model(), { rules: [rule('crit-one', 'critical'), rule('low-one', 'low')], docsBase: 'https://docs.example/rules/' }) as {
      runs: { tool: { driver: { rules: { id: string; helpUri: string; defaultConfiguration: { level: string } }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: { fullyQualifiedName: string }[] }[] }[] }[];
    };
    const run = s.runs[0];
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['crit-one', 'low-one', 'loose']);
    expect(run.tool.driver.rules[0]).toMatchObject({ helpUri: 'https://docs.example/rules/crit-one.md', defaultConfiguration: { level: 'error' } });
    expect(run.results.map((r) => [r.ruleId, r.level, r.ruleIndex])).toEqual([
      ['crit-one', 'error', 0],
      ['loose', 'warning', 2],
      ['low-one', 'note', 1],
    ]);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('cap.har');
    expect(run.results[2].locations[0].logicalLocations[0].fullyQualifiedName).toBe('log.entries[3]');
  });
  it('carries each reference resolved to its document, revision, section and verified flag (rule descriptors)', () => {
    const r = { ...rule('coat', 'critical'), meta: { ...rule('coat', 'critical').meta, references: [ref('OAUTH-SECURITY-UPDATE', '2.2'), ref('RFC9700', '4.4'), 'Someone, A Blog Post'] } };
    const s = toSarif(model({ findings: [] }), { rules: [r], docsBase: 'https://docs.example/rules/' }) as {
      runs: { tool: { driver: { rules: { help: { text: string; markdown: string }; properties: { standards: Record<string, unknown>[] } }[] } } }[];
    };
    const d = s.runs[0].tool.driver.rules[0];
    expect(d.properties.standards).toEqual([
      expect.objectContaining({ document: 'draft-ietf-oauth-security-topics-update-03', revision: '-03', section: '2.2', sectionTitle: 'Cross-toolkit OAuth Account Takeover', verified: false, url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-security-topics-update-03#section-2.2' }),
      expect.objectContaining({ document: 'RFC 9700', revision: 'RFC 9700', section: '4.4', sectionTitle: 'Mix-Up Attacks', verified: true, checked: '2026-12-04' }),
      { reference: 'Someone, A Blog Post', verified: false },
    ]);
    expect(d.help.text).toContain('draft-ietf-oauth-security-topics-update-03 §2.2 (Cross-toolkit OAuth Account Takeover)');
    expect(d.help.markdown).toContain('[RFC 9700 §4.4](https://www.rfc-editor.org/rfc/rfc9700#section-4.4)');
    expect(d.help.markdown).toMatch(/Takeover\)\]\([^)]*\) \(unverified\)/);
  });
});

describe('text report', () => {
  it('groups by flow, worst flow first, then the findings not tied to a flow', () => {
    const t = toText(model(), { color: false });
    const i1 = t.indexOf('Flow f1');
    const i2 = t.indexOf('Flow f2');
    const loose = t.indexOf('Not tied to a flow');
    expect(i1).toBeGreaterThanOrEqual(0);
    expect(i1).toBeLessThan(i2);
    expect(i2).toBeLessThan(loose);
    expect(t).toContain('CRITICAL crit-one');
    expect(t).toContain('cap.har entry 1');
    expect(t).not.toContain('secretsecretsecret');
    expect(t).not.toContain('\u001b[');
    expect(t.trimEnd().split('\n').pop()).toBe('3 findings (1 critical, 1 medium, 1 low) · 2 OAuth flows · 10 entries in 1 file');
  });
  it('shows redacted values in URLs as prefix…#hash, not percent-encoded', () => {
    const f = { ...finding('x', 'high', null), evidence: [{ input: 0, entry: 2, url: 'https://cb.example/?code=ab%E2%80%A6%2312345678&state=s' }] };
    expect(toText(model({ findings: [f] }), { color: false })).toContain('https://cb.example/?code=ab…#12345678&state=s');
  });
  it('colours when asked', () => {
    expect(toText(model(), { color: true })).toContain('\u001b[1;97;41mCRITICAL\u001b[0m');
  });
  it('summary without findings', () => {
    expect(summary(model({ findings: [], flows: [] }))).toBe('No findings · 0 OAuth flows · 10 entries in 1 file');
  });
});
