// @vitest-environment happy-dom
/**
 * The DevTools panel's Preact components and the popup's FindingCard, rendered into a real DOM
 * (happy-dom) from real captures: what a person sees, not only what the model computes.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { render, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { act } from 'preact/test-utils';
import { CompactEncrypt, generateKeyPair, UnsecuredJWT } from 'jose';
import { Capture } from '../src/devtools/model/capture';
import { buildTimeline } from '../src/devtools/model/timeline';
import { collectTokens, tryDecode, warningsFor, type TokenItem } from '../src/devtools/model/tokens';
import { knownDocsFrom, verifyWithIssuer } from '../src/devtools/model/verify';
import { FindingItem, TimelineView, TokenCard, type RevealState } from '../src/devtools/panel/components';
import { FindingCard } from '../src/ui/FindingCard';
import { redactValue } from '../src/core/util/secret';
import type { Finding } from '../src/core/report/finding';
import { APP, AS, CLIENT, entry, spaFlow, VERIFIER } from './devtools-fixture';
import { analysed, mountContainer } from './dom-mount';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const mounted = mountContainer();
let container: HTMLElement;
beforeEach(() => {
  container = mounted();
});

/** Holds the reveal state the way the panel's App does, and hands it to its child. */
function WithReveal({ all = false, children }: { all?: boolean; children: (reveal: RevealState) => ComponentChildren }) {
  const [keys, setKeys] = useState<Set<string>>(new Set());
  const reveal: RevealState = {
    all,
    keys,
    toggle: (k) =>
      setKeys((prev) => {
        const n = new Set(prev);
        if (n.has(k)) n.delete(k);
        else n.add(k);
        return n;
      }),
  };
  return <>{children(reveal)}</>;
}

const revealNone: RevealState = { all: false, keys: new Set(), toggle: () => {} };

function q<T extends Element = HTMLElement>(sel: string, root: ParentNode = container): T {
  const el = root.querySelector<T>(sel as never);
  if (!el) throw new Error(`no element ${sel}`);
  return el as T;
}

function claimCell(name: string, root: ParentNode = container): HTMLElement {
  return q(`tr[data-claim="${name}"] td`, root);
}

function click(el: Element) {
  act(() => {
    (el as HTMLElement).click();
  });
}

function buttonByText(text: string, root: ParentNode = container): HTMLButtonElement {
  const b = Array.from(root.querySelectorAll('button')).find((x) => x.textContent?.trim() === text);
  if (!b) throw new Error(`no button "${text}"`);
  return b as HTMLButtonElement;
}

/** The SPA flow's ID token as the Tokens tab gets it, with `now` one minute after iat. */
async function idTokenItem(opts: { aud?: unknown; azp?: string } = {}) {
  const { har, idt } = await spaFlow(opts);
  const c = analysed(har);
  const t = collectTokens(c).find((x) => x.name === 'id_token')!;
  expect(t.raw).toBe(idt);
  const iat = (t.report!.payload as { iat: number }).iat;
  const now = (iat + 60) * 1000;
  const warnings = warningsFor(t, { metadata: [...c.engine.store.metadata.values()], now });
  return { t, now, warnings, capture: c };
}

function renderCard(t: TokenItem, now: number, warnings: ReturnType<typeof warningsFor>, reveal: RevealState = revealNone, title = 'ID token') {
  act(() => render(<TokenCard id={t.id} title={title} raw={t.raw} report={t.report!} warnings={warnings} reveal={reveal} now={now} />, container));
  return q('[data-testid="token-card"]');
}

describe('TokenCard: a real signed ID token', () => {
  it('shows the header, the claims, human times and the remaining lifetime', async () => {
    const { t, now, warnings } = await idTokenItem();
    const card = renderCard(t, now, warnings);
    expect(card.getAttribute('aria-label')).toBe('ID token');
    expect(q('h3', card).textContent).toBe('ID token');
    const pills = Array.from(card.querySelectorAll('header .pill')).map((p) => p.textContent);
    expect(pills).toEqual(['JWS', 'alg RS256', 'kid k1', 'typ JWT', '4 min left of 5 min']);
    const lifetime = q('[data-testid="lifetime"]', card);
    expect(lifetime.textContent).toBe('4 min left of 5 min');
    expect(lifetime.classList.contains('bad')).toBe(false);

    // header table (first column) and claims table (second column)
    const [headerCol, claimsCol] = Array.from(card.querySelectorAll('.cols > div'));
    expect(q('h4', headerCol).textContent).toBe('Header');
    expect(Array.from(headerCol.querySelectorAll('tr')).map((r) => r.getAttribute('data-claim'))).toEqual(['alg', 'kid', 'typ']);
    expect(claimCell('alg', headerCol).textContent).toBe('RS256');
    expect(q('h4', claimsCol).textContent).toBe('Claims');
    const claimNames = Array.from(claimsCol.querySelectorAll('tr')).map((r) => r.getAttribute('data-claim'));
    expect(claimNames).toEqual(expect.arrayContaining(['sub', 'nonce', 'aud', 'iss', 'iat', 'exp']));
    expect(claimCell('sub', claimsCol).textContent).toBe('alice');
    expect(claimCell('iss', claimsCol).textContent).toBe(AS);
    expect(claimCell('aud', claimsCol).textContent).toBe(CLIENT);

    // NumericDate claims: the number, then an ISO date with a relative reading
    const payload = t.report!.payload as { iat: number; exp: number };
    const exp = claimCell('exp', claimsCol);
    expect(q('code', exp).textContent).toBe(String(payload.exp));
    expect(q('.human', exp).textContent).toBe(`${new Date(payload.exp * 1000).toISOString().replace('.000Z', 'Z')} (in 4 min)`);
    expect(q('.human', claimCell('iat', claimsCol)).textContent).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(1 min ago\)$/);
    // non-time claims get no human line
    expect(claimCell('sub', claimsCol).querySelector('.human')).toBeNull();

    // no warnings for a clean token whose aud is the flow's client_id
    expect(card.querySelectorAll('[data-testid="warning"]')).toHaveLength(0);
    // without onVerify there is no verify button
    expect(card.querySelector('[data-testid="verify-btn"]')).toBeNull();
  });

  it('marks an expired token and says how long ago it expired', async () => {
    const { t, now } = await idTokenItem();
    renderCard(t, now + 10 * 60_000, []);
    const lifetime = q('[data-testid="lifetime"]');
    expect(lifetime.textContent).toBe('expired 6 min ago (lifetime 5 min)');
    expect(lifetime.classList.contains('bad')).toBe(true);
    expect(q('.human', claimCell('exp')).textContent).toMatch(/\(6 min ago\)$/);
  });

  it('warns loudly, first and as an alert, when aud is another client', async () => {
    const { t, now, warnings } = await idTokenItem({ aud: 'someone-else' });
    const card = renderCard(t, now, warnings);
    const ws = Array.from(card.querySelectorAll<HTMLElement>('[data-testid="warning"]'));
    expect(ws.length).toBeGreaterThan(0);
    const w = ws[0];
    expect(w.getAttribute('data-rule')).toBe('id-token-aud-mismatch');
    expect(w.getAttribute('role')).toBe('alert');
    expect(w.classList.contains('sev-border-high')).toBe(true);
    expect(q('.sev', w).textContent).toBe('high');
    // the rule's own title and wording (its meta.messages), not the panel's
    expect(q('strong', w).textContent).toBe('ID token audience does not match the client');
    expect(q('p', w).textContent).toContain(`aud "someone-else" does not contain the client_id "${CLIENT}": it was issued to another client`);
    // the warnings sit above the header/claims columns
    const order = Array.from(card.children).map((e) => e.className || e.tagName.toLowerCase());
    expect(order.indexOf('warnings')).toBeGreaterThan(-1);
    expect(order.indexOf('warnings')).toBeLessThan(order.indexOf('cols'));
    // shown once, not twice
    expect(card.querySelectorAll('[data-rule="id-token-aud-mismatch"]')).toHaveLength(1);
  });

  it('warns when azp is another client', async () => {
    const { t, now, warnings } = await idTokenItem({ aud: [CLIENT, 'other-client'], azp: 'other-client' });
    const card = renderCard(t, now, warnings);
    const w = q('[data-testid="warning"][data-rule="id-token-aud-mismatch"]', card);
    expect(w.getAttribute('role')).toBe('alert');
    expect(q('p', w).textContent).toContain(`azp "other-client" differs from the client_id "${CLIENT}"`);
  });

  it('has no audience warning when aud and azp are the client_id', async () => {
    const { t, now, warnings } = await idTokenItem({ aud: CLIENT, azp: CLIENT });
    const card = renderCard(t, now, warnings);
    expect(card.querySelector('[data-rule="id-token-aud-mismatch"]')).toBeNull();
    expect(card.querySelector('[role="alert"]')).toBeNull();
    expect(card.textContent).not.toContain('issued to another client');
  });

  it('shows the verify button and its result line', async () => {
    const { t, now, capture } = await idTokenItem();
    const onVerify = vi.fn();
    // a real verification against the JWKS the capture holds (no network)
    const result = await verifyWithIssuer(t.raw, AS, knownDocsFrom(capture.steps), async () => {
      throw new Error('no network');
    });
    act(() => render(<TokenCard id={t.id} title="ID token" raw={t.raw} report={t.report!} warnings={[]} reveal={revealNone} now={now} onVerify={onVerify} verify={result} />, container));
    const btn = q<HTMLButtonElement>('[data-testid="verify-btn"]');
    click(btn);
    expect(onVerify).toHaveBeenCalledTimes(1);
    const line = q('[data-testid="verify-result"]');
    expect(line.getAttribute('data-verified')).toBe('true');
    expect(line.textContent).toBe(`Signature verified (RS256, kid k1) with the JWKS at ${AS}/jwks (seen in this capture)`);
    act(() => render(<TokenCard id={t.id} title="ID token" raw={t.raw} report={t.report!} warnings={[]} reveal={revealNone} now={now} onVerify={onVerify} verify="pending" />, container));
    expect(q<HTMLButtonElement>('[data-testid="verify-btn"]').disabled).toBe(true);
    expect(q('[data-testid="verify-btn"]').textContent).toBe('Verifying…');
  });
});

describe('TokenCard: JWE and alg none', () => {
  it('shows a JWE protected header and what key would decrypt it, and no claims', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const jwe = await new CompactEncrypt(new TextEncoder().encode('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln'))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'enc-1', cty: 'JWT' })
      .encrypt(publicKey);
    const report = tryDecode(jwe)!;
    expect(report.kind).toBe('JWE');
    act(() => render(<TokenCard id="t9" title="ID token" raw={jwe} report={report} warnings={[]} reveal={revealNone} now={Date.now()} />, container));
    const card = q('[data-testid="token-card"]');
    const pills = Array.from(card.querySelectorAll('header .pill')).map((p) => p.textContent);
    expect(pills).toEqual(['JWE', 'alg RSA-OAEP-256', 'kid enc-1']);
    expect(Array.from(card.querySelectorAll('h4')).map((h) => h.textContent)).toEqual(['Protected header']);
    expect(Array.from(card.querySelectorAll('tr')).map((r) => r.getAttribute('data-claim'))).toEqual(['alg', 'enc', 'kid', 'cty']);
    expect(claimCell('enc', card).textContent).toBe('A256GCM');
    const hint = q('[data-testid="jwe-key-hint"]', card);
    expect(hint.textContent).toContain(`Decrypting needs the recipient's RSA private key with kid "enc-1"; content encryption A256GCM.`);
    expect(hint.textContent).toContain('It wraps a nested JWT (cty JWT).');
    // no claims, no lifetime and no verify button for a JWE
    expect(card.querySelector('.cols')).toBeNull();
    expect(card.querySelector('[data-testid="lifetime"]')).toBeNull();
    expect(card.querySelector('[data-testid="verify-btn"]')).toBeNull();
  });

  it('flags alg none in the header pill and as a critical front-channel warning', async () => {
    const raw = new UnsecuredJWT({ sub: 'mallory', aud: CLIENT, nonce: 'n-0S6_WzA2Mj' }).setIssuer(AS).setIssuedAt().setExpirationTime('5m').encode();
    const report = tryDecode(raw)!;
    const t: TokenItem = { id: 'tn', name: 'id_token', use: 'id_token', obsId: '', url: `${APP}/cb`, time: Date.now(), raw, report, clientId: CLIENT, frontChannel: true };
    const warnings = warningsFor(t, { metadata: [] });
    const card = renderCard(t, Date.now(), warnings);
    expect(Array.from(card.querySelectorAll('header .pill')).map((p) => p.textContent)).toContain('alg none');
    const w = q('[data-testid="warning"][data-rule="jwt-alg-none"]', card);
    expect(w.getAttribute('role')).toBe('alert');
    expect(q('.sev', w).textContent).toBe('critical');
    expect(q('p', w).textContent).toContain('alg "none"');
    expect(card.querySelectorAll('[data-testid="warning"]')[0]).toBe(w);
  });
});

describe('redaction', () => {
  it('keeps the raw token and secret claims redacted until Reveal, then shows and hides them again', async () => {
    const { t, now, warnings } = await idTokenItem();
    act(() => render(<WithReveal>{(reveal) => <TokenCard id={t.id} title="ID token" raw={t.raw} report={t.report!} warnings={warnings} reveal={reveal} now={now} />}</WithReveal>, container));
    const nonce = 'n-0S6_WzA2Mj';
    // neither the raw token nor the nonce is anywhere in the DOM (text or attributes)
    expect(container.innerHTML).not.toContain(t.raw);
    expect(container.innerHTML).not.toContain(t.raw.split('.')[2]);
    expect(container.innerHTML).not.toContain(nonce);
    const rawSecret = q('.token > p .secret');
    const rawVal = q('[data-testid="secret-value"]', rawSecret);
    expect(rawVal.textContent).toBe(redactValue(t.raw));
    expect(rawVal.textContent).toMatch(/^eyJh…#[0-9a-f]{8}$/);
    expect(rawVal.classList.contains('redacted')).toBe(true);
    const nonceVal = q('[data-testid="secret-value"]', claimCell('nonce'));
    expect(nonceVal.textContent).toBe(redactValue(nonce));
    expect(nonceVal.classList.contains('redacted')).toBe(true);
    // public claims are in the clear
    expect(claimCell('sub').textContent).toBe('alice');

    const reveal = buttonByText('Reveal', rawSecret);
    expect(reveal.getAttribute('aria-pressed')).toBe('false');
    click(reveal);
    expect(q('[data-testid="secret-value"]', rawSecret).textContent).toBe(t.raw);
    expect(q('[data-testid="secret-value"]', rawSecret).classList.contains('redacted')).toBe(false);
    const hide = buttonByText('Hide', rawSecret);
    expect(hide.getAttribute('aria-pressed')).toBe('true');
    // revealing one value reveals only that one
    expect(container.innerHTML).not.toContain(nonce);
    click(buttonByText('Reveal', claimCell('nonce')));
    expect(q('[data-testid="secret-value"]', claimCell('nonce')).textContent).toBe(nonce);

    click(hide);
    expect(container.innerHTML).not.toContain(t.raw);
    expect(q('[data-testid="secret-value"]', rawSecret).textContent).toBe(redactValue(t.raw));
    expect(q('[data-testid="secret-value"]', claimCell('nonce')).textContent).toBe(nonce);
  });

  it('shows every value, with no Reveal buttons, when "Reveal values" is on', async () => {
    const { t, now } = await idTokenItem();
    act(() => render(<WithReveal all>{(reveal) => <TokenCard id={t.id} title="ID token" raw={t.raw} report={t.report!} warnings={[]} reveal={reveal} now={now} />}</WithReveal>, container));
    expect(container.textContent).toContain(t.raw);
    expect(q('[data-testid="secret-value"]', claimCell('nonce')).textContent).toBe('n-0S6_WzA2Mj');
    expect(Array.from(container.querySelectorAll('button')).map((b) => b.textContent)).not.toContain('Reveal');
    expect(container.querySelector('.redacted')).toBeNull();
  });

  it('Copy copies the real value, not the redacted one', async () => {
    const { t, now } = await idTokenItem();
    const writes: string[] = [];
    const spy = vi.spyOn(navigator.clipboard, 'writeText').mockImplementation(async (s: string) => {
      writes.push(s);
    });
    try {
      renderCard(t, now, []);
      const rawSecret = q('.token > p .secret');
      await act(async () => {
        buttonByText('Copy', rawSecret).click();
      });
      expect(writes).toEqual([t.raw]);
      // the label turns to "Copied" once the clipboard write resolved
      await vi.waitFor(() => expect(buttonByText('Copied', rawSecret)).toBeTruthy());
      expect(container.innerHTML).not.toContain(t.raw);
    } finally {
      spy.mockRestore();
    }
  });

  it('redacts secret parameters in an expanded timeline step until revealed', async () => {
    const { har, code } = await spaFlow();
    const c = analysed(har);
    const tl = buildTimeline({ flows: c.flows(), findings: c.findings, capture: c });
    act(() => render(<WithReveal>{(reveal) => <TimelineView timeline={tl} reveal={reveal} />}</WithReveal>, container));
    const tokenStep = q('[data-testid="flow"] [data-kind="token-request"]');
    click(q('.step-row', tokenStep));
    const row = (name: string) => Array.from(tokenStep.querySelectorAll('table.params tbody tr')).find((r) => r.querySelector('th')?.textContent === name)!;
    expect(row('grant_type').querySelector('td')!.textContent).toBe('authorization_code');
    expect(row('code_verifier')).toBeDefined();
    expect(container.innerHTML).not.toContain(VERIFIER);
    expect(container.innerHTML).not.toContain(code);
    expect(q('[data-testid="secret-value"]', row('code_verifier')).textContent).toBe(redactValue(VERIFIER));
    click(buttonByText('Reveal', row('code_verifier')));
    expect(q('[data-testid="secret-value"]', row('code_verifier')).textContent).toBe(VERIFIER);
    expect(container.innerHTML).not.toContain(code);
  });
});

describe('TimelineView', () => {
  it('lists the flow steps in order with their data-kind, and the metadata/JWKS beside the flow', async () => {
    const { har } = await spaFlow();
    const c = analysed(har);
    const tl = buildTimeline({ flows: c.flows(), findings: c.findings, capture: c });
    act(() => render(<TimelineView timeline={tl} reveal={revealNone} />, container));
    const flows = Array.from(container.querySelectorAll<HTMLElement>('[data-testid="flow"]'));
    expect(flows).toHaveLength(2);
    const [flow, other] = flows;
    expect(flow.getAttribute('aria-label')).toBe(tl.groups[0].title);
    expect(q('h3', flow).textContent).toMatch(/^Flow .* · as\.example · spa-client$/);
    const kinds = (g: HTMLElement) => Array.from(g.querySelectorAll(':scope > ol.steps > [data-testid="timeline-step"]')).map((s) => s.getAttribute('data-kind'));
    expect(kinds(flow)).toEqual(['authorization-request', 'authorization-response', 'token-request']);
    expect(kinds(other)).toEqual(['metadata', 'jwks']);
    const labels = Array.from(flow.querySelectorAll('.step-row .label')).map((l) => l.textContent);
    expect(labels).toEqual(['Authorization request', 'Callback (authorization response)', 'Token request (authorization_code)']);
    // time column in order, as HH:MM:SS.mmm
    const times = Array.from(flow.querySelectorAll('.step-row .time')).map((x) => x.textContent!);
    for (const x of times) expect(x).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    expect([...times].sort()).toEqual(times);
    // facts of the flow
    const facts = Object.fromEntries(Array.from(flow.querySelectorAll('dl.facts > div')).map((d) => [d.querySelector('dt')!.textContent, d.querySelector('dd')!.textContent]));
    expect(facts.client_id).toBe(CLIENT);
    expect(facts.PKCE).toBe('S256');
    // rows are collapsed until clicked
    expect(flow.querySelector('.step-detail')).toBeNull();
    expect(container.textContent).not.toContain('No OAuth traffic yet');
  });

  it('attaches a finding to its step: marker on the row, the finding in the expanded step only', async () => {
    const { har } = await spaFlow();
    const c = analysed(har);
    const flows = c.flows();
    const finding: Finding = { ruleId: 'token-step-rule', severity: 'high', confidence: 'strong', title: 'Something at the token endpoint', message: 'explained', references: ['RFC 9700 §2.1.1'], flowId: flows[0].id, evidence: [{ input: 0, entry: 4, url: `${AS}/token`, param: 'code', note: 'here' }], context: 'c', time: 0 };
    const tl = buildTimeline({ flows, findings: [finding], capture: c });
    act(() => render(<TimelineView timeline={tl} reveal={revealNone} />, container));
    const steps = Array.from(q('[data-testid="flow"]').querySelectorAll<HTMLElement>(':scope > ol.steps > [data-testid="timeline-step"]'));
    expect(steps.map((s) => s.getAttribute('data-kind'))).toEqual(['authorization-request', 'authorization-response', 'token-request']);
    const [areq, cb, tok] = steps;
    // the row marker: count and worst severity, on the token request only
    const marker = q('.step-row .sev', tok);
    expect(marker.textContent).toBe('1 high');
    expect(marker.getAttribute('aria-label')).toBe('1 problem(s), worst high');
    expect(marker.classList.contains('sev-high')).toBe(true);
    expect(areq.querySelector('.step-row .sev')).toBeNull();
    expect(cb.querySelector('.step-row .sev')).toBeNull();
    // expanding the step shows the finding inside it
    const btn = q('.step-row', tok);
    expect(btn.getAttribute('aria-expanded')).toBe('false');
    expect(container.querySelector('[data-testid="finding"]')).toBeNull();
    click(btn);
    expect(btn.getAttribute('aria-expanded')).toBe('true');
    const items = Array.from(container.querySelectorAll<HTMLElement>('[data-testid="finding"]'));
    expect(items).toHaveLength(1);
    expect(tok.contains(items[0])).toBe(true);
    expect(items[0].getAttribute('data-rule')).toBe('token-step-rule');
    expect(q('strong', items[0]).textContent).toBe('Something at the token endpoint');
    expect(q('.evidence', items[0]).textContent).toContain('code');
    expect(q('.refs', items[0]).textContent).toBe('RFC 9700 §2.1.1');
    // not under "Flow findings" and not loose
    expect(container.textContent).not.toContain('Flow findings');
    expect(container.textContent).not.toContain('Findings without a step');
    // collapsing hides it again
    click(btn);
    expect(btn.getAttribute('aria-expanded')).toBe('false');
    expect(container.querySelector('[data-testid="finding"]')).toBeNull();
  });

  it('puts a real rule finding (implicit grant) on its authorization request', () => {
    const c = new Capture();
    c.addEntry(entry(`${AS}/auth?client_id=${CLIENT}&response_type=token&redirect_uri=${encodeURIComponent(APP + '/cb')}&state=Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx`));
    const tl = buildTimeline({ flows: c.flows(), findings: c.findings, capture: c });
    act(() => render(<TimelineView timeline={tl} reveal={revealNone} />, container));
    const step = q('[data-testid="timeline-step"][data-kind="authorization-request"]');
    click(q('.step-row', step));
    const rules = Array.from(step.querySelectorAll('[data-testid="finding"]')).map((f) => f.getAttribute('data-rule'));
    expect(rules).toContain('implicit-grant');
  });

  it('shows flow-level and loose findings in their own sections, and says when there is nothing', async () => {
    const { har } = await spaFlow();
    const c = analysed(har);
    const flows = c.flows();
    const mk = (ruleId: string, ev: Finding['evidence'], flowId: string | null): Finding => ({ ruleId, severity: 'medium', confidence: 'heuristic', title: ruleId, message: 'm', references: [], flowId, evidence: ev, context: 'c', time: 0 });
    const tl = buildTimeline({ flows, findings: [mk('flow-level', [{ entry: 99, url: 'nowhere' }], flows[0].id), mk('loose-one', [{ url: 'https://elsewhere.example/' }], null)], capture: c });
    act(() => render(<TimelineView timeline={tl} reveal={revealNone} />, container));
    const flow = q('[data-testid="flow"]');
    expect(Array.from(flow.querySelectorAll(':scope > h4')).map((h) => h.textContent)).toEqual(['Flow findings']);
    expect(q(':scope > ul.findings [data-testid="finding"]', flow).getAttribute('data-rule')).toBe('flow-level');
    expect(q(':scope > ul.findings [data-testid="finding"]', flow).textContent).toContain('(heuristic)');
    const loose = Array.from(container.querySelectorAll('.timeline > section.flow')).find((s) => s.querySelector('h3')?.textContent === 'Findings without a step in this view')!;
    expect(loose.querySelector('[data-testid="finding"]')!.getAttribute('data-rule')).toBe('loose-one');

    act(() => render(<TimelineView timeline={buildTimeline({ flows: [], findings: [] })} reveal={revealNone} />, container));
    expect(container.textContent).toContain('No OAuth traffic yet');
    expect(container.querySelector('[data-testid="flow"]')).toBeNull();
  });
});

describe('FindingCard (popup)', () => {
  function implicitFinding() {
    const c = new Capture();
    c.addEntry(entry(`${AS}/auth?client_id=${CLIENT}&response_type=token&redirect_uri=${encodeURIComponent(APP + '/cb')}&state=Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx`));
    const f = c.findings.find((x) => x.ruleId === 'implicit-grant')!;
    expect(f).toBeDefined();
    const flow = c.flows().find((x) => x.id === f.flowId);
    return { f, flow };
  }

  it('carries the rule id and severity, and shows title, message, flow path and doc link', () => {
    const { f, flow } = implicitFinding();
    act(() =>
      render(
        <ul>
          <FindingCard finding={f} flow={flow} docHref="docs/rules/implicit-grant.md" />
        </ul>,
        container,
      ),
    );
    const li = q('li.finding');
    expect(li.getAttribute('data-rule-id')).toBe('implicit-grant');
    expect(li.getAttribute('data-severity')).toBe(f.severity);
    expect(li.classList.contains(`sev-${f.severity}`)).toBe(true);
    expect(q('.sev', li).textContent).toBe(f.severity);
    expect(q('.title', li).textContent).toBe(f.title);
    expect(q('.msg', li).textContent).toBe(f.message);
    expect(q('.flow', li).textContent).toBe(`flow ${f.flowId}: as.example → app.example/cb`);
    const a = q<HTMLAnchorElement>('.refs a', li);
    expect(a.getAttribute('href')).toBe('docs/rules/implicit-grant.md');
    expect(a.textContent).toBe('implicit-grant');
    // the state value in the evidence URL is never shown in full
    expect(container.innerHTML).not.toContain('Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx');
    // the attributes follow the finding (another severity, another rule)
    const other = f.severity === 'low' ? 'medium' : 'low';
    act(() =>
      render(
        <ul>
          <FindingCard finding={{ ...f, severity: other, ruleId: 'state-missing' }} docHref="#" />
        </ul>,
        container,
      ),
    );
    expect(q('li.finding').getAttribute('data-severity')).toBe(other);
    expect(q('li.finding').getAttribute('data-rule-id')).toBe('state-missing');
    expect(q('li.finding').classList.contains(`sev-${other}`)).toBe(true);
  });

  it('toggles the evidence open and closed with aria-expanded and the open class', () => {
    const { f } = implicitFinding();
    const long: Finding = { ...f, evidence: [{ url: `${AS}/auth?client_id=${CLIENT}&response_type=token&${'x'.repeat(300)}=1`, param: 'response_type', note: 'implicit' }] };
    act(() =>
      render(
        <ul>
          <FindingCard finding={long} docHref="#" />
        </ul>,
        container,
      ),
    );
    const btn = q<HTMLButtonElement>('button.evidence');
    expect(btn.textContent).toBe(`implicit [response_type] ${long.evidence[0].url}`);
    expect(btn.getAttribute('aria-expanded')).toBe('false');
    expect(btn.classList.contains('open')).toBe(false);
    expect(btn.getAttribute('title')).toBe('show all of the evidence');
    click(btn);
    expect(btn.getAttribute('aria-expanded')).toBe('true');
    expect(btn.classList.contains('open')).toBe(true);
    expect(btn.getAttribute('title')).toBe('show less');
    click(btn);
    expect(btn.getAttribute('aria-expanded')).toBe('false');
    expect(btn.classList.contains('open')).toBe(false);
    // no flow given: no flow line
    expect(container.querySelector('.flow')).toBeNull();
  });
});

describe('a verdict that rests on the provider table says so', () => {
  // a drift-suite capture: GitHub answered with a foreign iss; issuer(AS1) is known from the table only
  const capture = () => analysed(readFileSync(join(import.meta.dirname, 'fixtures/providers/github.attack-foreign-iss.har'), 'utf8'));

  it('the panel and the popup show "from CoatCheck\'s provider table, checked <date>" on such a finding', () => {
    const f = capture().findings.find((x) => x.ruleId === 'mixup-iss-mismatch')!;
    expect(f.providerTable).toEqual({ provider: 'GitHub', checked: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    act(() => render(<ul><FindingItem f={f} /></ul>, container));
    expect(q('[data-testid="table-basis"]').textContent).toBe(`from CoatCheck's provider table, checked ${f.providerTable!.checked} (GitHub), not from what this capture showed`);
    act(() => render(<ul><FindingCard finding={f} docHref="#" /></ul>, container));
    expect(q('li.finding [data-testid="table-basis"]').textContent).toContain(`checked ${f.providerTable!.checked}`);
  });

  it('a finding on what the capture showed has no such line', () => {
    const c = capture();
    const other = c.findings.find((x) => x.providerTable === undefined);
    const f: Finding = other ?? { ...c.findings[0], providerTable: undefined };
    act(() => render(<ul><FindingItem f={f} /><FindingCard finding={f} docHref="#" /></ul>, container));
    expect(container.querySelector('[data-testid="table-basis"]')).toBeNull();
  });
});
