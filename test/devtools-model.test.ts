import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { analyseHar, Capture, exportHar, harEntries } from '../src/devtools/model/capture';
import { buildTimeline, isSecretParam } from '../src/devtools/model/timeline';
import { collectTokens, jweKeyHint, tokenView, tryDecode, warningsFor } from '../src/devtools/model/tokens';
import { metadataWarnings, tokenWarnings, type TokenSeen } from '../src/core/tokens/warnings';
import { decodeToken } from '../src/core/tokens/decode';
import { fakeJwt } from '../src/core/tokens/jwt-builder';
import { checkPkce } from '../src/devtools/model/pkce';
import { knownDocsFrom, plannedFetches, verifyWithIssuer, verifyWithKey } from '../src/devtools/model/verify';
import type { Finding } from '../src/core/report/finding';
import { AS, APP, CLIENT, entry, spaFlow, VERIFIER } from './devtools-fixture';

function analysed(har: string) {
  const r = analyseHar(har);
  if ('error' in r) throw new Error(r.error);
  return r.capture;
}

describe('panel capture and timeline', () => {
  it('builds one flow with the authorization request, the callback and the token exchange, plus metadata and JWKS beside it', async () => {
    const { har } = await spaFlow();
    const c = analysed(har);
    const tl = buildTimeline({ flows: c.flows(), findings: c.findings, capture: c });
    expect(tl.groups).toHaveLength(1);
    const g = tl.groups[0];
    expect(g.steps.map((s) => s.kind)).toEqual(['authorization-request', 'authorization-response', 'token-request']);
    expect(g.steps[2].label).toBe('Token request (authorization_code)');
    expect(g.facts).toContainEqual(['client_id', CLIENT]);
    expect(g.facts.find(([k]) => k === 'PKCE')?.[1]).toBe('S256');
    expect(tl.other.steps.map((s) => s.kind)).toEqual(['metadata', 'jwks']);
    // the flow each step joined is the engine's (onMessage), the panel does not correlate by itself
    expect(c.steps.filter((s) => s.flowId === c.flows()[0].id).map((s) => s.msg.kind)).toEqual(['authorization-request', 'authorization-response', 'token-request']);
    expect(c.steps.filter((s) => s.flowId === undefined).map((s) => s.msg.kind)).toEqual(['metadata', 'jwks']);
    // decoded parameters, with secrets marked (the view redacts them until revealed)
    const tokenStep = g.steps[2];
    const idt = tokenStep.params.find((p) => p.name === 'id_token')!;
    expect(idt).toMatchObject({ secret: true, source: 'response' });
    expect(tokenStep.params.find((p) => p.name === 'code_verifier')).toMatchObject({ secret: true, source: 'form' });
    expect(tokenStep.params.find((p) => p.name === 'token_type')).toMatchObject({ secret: false, value: 'Bearer' });
    expect(g.steps[0].params.find((p) => p.name === 'code_challenge')?.secret).toBe(false);
    // the step's URL is redacted
    expect(g.steps[1].url).not.toContain('SplxlOBeZQQYbYS6WxSbIA');
  });

  it('attaches findings to the step their evidence points at, else to the flow, else loose', async () => {
    const { har } = await spaFlow();
    const c = analysed(har);
    const flows = c.flows();
    const mk = (ev: Finding['evidence'], flowId: string | null): Finding => ({ ruleId: 'x', severity: 'high', confidence: 'strong', title: 't', message: 'm', references: [], flowId, evidence: ev, context: 'c', time: 0 });
    const byEntry = mk([{ input: 0, entry: 4, url: 'whatever' }], flows[0].id);
    const byUrl = mk([{ url: flows[0].steps[1].url }], null);
    const toFlow = mk([{ entry: 99, url: 'nowhere' }], flows[0].id);
    const loose = mk([{ url: 'https://elsewhere.example/' }], null);
    const tl = buildTimeline({ flows, findings: [byEntry, byUrl, toFlow, loose], capture: c });
    const g = tl.groups[0];
    expect(g.steps[2].findings).toEqual([byEntry]);
    expect(g.steps[2].worst).toBe('high');
    expect(g.steps[1].findings).toEqual([byUrl]);
    expect(g.findings).toEqual([toFlow]);
    expect(tl.loose).toEqual([loose]);
  });

  it('attaches a real rule finding (implicit grant) to its authorization request', () => {
    const c = new Capture();
    c.addEntry(entry(`${AS}/auth?client_id=${CLIENT}&response_type=token&redirect_uri=${encodeURIComponent(APP + '/cb')}&state=Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx`));
    const tl = buildTimeline({ flows: c.flows(), findings: c.findings, capture: c });
    const step = tl.groups[0].steps[0];
    expect(step.findings.map((f) => f.ruleId)).toContain('implicit-grant');
  });

  it('shows a background-only flow (no capture) from the redacted URLs', () => {
    const c = new Capture();
    c.addEntry(entry(`${AS}/auth?client_id=${CLIENT}&response_type=code&redirect_uri=${encodeURIComponent(APP + '/cb')}&state=Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx&code_challenge=abc&code_challenge_method=S256`));
    const flows = JSON.parse(JSON.stringify(c.flows())); // as storage/getFlows would hand them over
    const tl = buildTimeline({ flows, findings: [] });
    const st = tl.groups[0].steps[0].params.find((p) => p.name === 'state')!;
    expect(st.secret).toBe(true);
    expect(st.value).not.toContain('Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx');
  });

  it('never throws on a bad HAR and reports why', () => {
    expect(harEntries('nope')).toMatchObject({ error: expect.stringContaining('not JSON') });
    expect(harEntries('{"log":{}}')).toMatchObject({ error: expect.stringContaining('log.entries') });
    const r = analyseHar(JSON.stringify({ log: { entries: [{ bogus: 1 }, null, entry('https://x.example/')] } }));
    if ('error' in r) throw new Error('unexpected');
    expect(r.capture.errors.length).toBe(2);
    expect((exportHar(r.capture.entries) as { log: { entries: unknown[] } }).log.entries).toHaveLength(3);
  });

  it('marks secret-looking parameters', () => {
    expect(isSecretParam('code', 'x')).toBe(true);
    expect(isSecretParam('client_assertion', 'x')).toBe(true);
    expect(isSecretParam('custom', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig')).toBe(true);
    expect(isSecretParam('client_id', 'abc')).toBe(false);
    expect(isSecretParam('code_challenge_method', 'S256')).toBe(false);
    expect(isSecretParam('grant_type', 'authorization_code')).toBe(false);
  });
});

describe('token view', () => {
  it('finds the ID token of the SPA token response, tied to its flow and client_id, with human times', async () => {
    const { har, idt } = await spaFlow();
    const c = analysed(har);
    const tokens = collectTokens(c);
    const t = tokens.find((x) => x.name === 'id_token')!;
    expect(t).toBeDefined();
    expect(t.raw).toBe(idt);
    expect(t.use).toBe('id_token');
    expect(t.clientId).toBe(CLIENT);
    expect(t.flowId).toBe(c.flows()[0].id);
    const now = ((t.report!.payload as { iat: number }).iat + 60) * 1000;
    const v = tokenView(t.report!, now);
    expect(v).toMatchObject({ kind: 'JWS', alg: 'RS256', kid: 'k1', typ: 'JWT' });
    expect(v.claims.find((r) => r.name === 'exp')?.human).toMatch(/^\d{4}-\d\d-\d\dT.*Z \(in 4 min\)$/);
    expect(v.claims.find((r) => r.name === 'iat')?.human).toMatch(/\(1 min ago\)$/);
    expect(v.lifetime).toBe('4 min left of 5 min');
    expect(tokenView(t.report!, now + 10 * 60_000)).toMatchObject({ expired: true, lifetime: expect.stringContaining('expired 6 min ago') });
    expect(warningsFor(t, { metadata: [...c.engine.store.metadata.values()], now })).toEqual([]);
  });

  it('warns loudly when the ID token was issued to another client or azp differs', async () => {
    const { har } = await spaFlow({ aud: 'someone-else' });
    const c = analysed(har);
    const t = collectTokens(c).find((x) => x.name === 'id_token')!;
    const w = warningsFor(t, { metadata: [] });
    // the rule's own severity, title and wording (id-token-aud-mismatch's meta.messages)
    expect(w[0]).toMatchObject({ severity: 'high', ruleId: 'id-token-aud-mismatch', title: 'ID token audience does not match the client' });
    expect(w[0].message).toBe(`The ID token's aud "someone-else" does not contain the client_id "${CLIENT}": it was issued to another client. (ID token in the token response from ${AS}/token, flow ${t.flowId})`);
    const idWarnings = (claims: Record<string, unknown>, clientId: string | undefined) =>
      tokenWarnings(decodeToken(fakeJwt({ alg: 'RS256' }, claims)), { use: 'id_token', param: 'id_token', url: `${APP}/cb`, frontChannel: true, clientId });
    expect(idWarnings({ aud: [CLIENT, 'other'], azp: 'other' }, CLIENT)[0]).toMatchObject({ severity: 'high', message: expect.stringContaining('azp "other"') });
    expect(idWarnings({ aud: CLIENT }, CLIENT)).toEqual([]);
    expect(idWarnings({ aud: CLIENT }, undefined)[0].severity).toBe('info');
  });

  it('checks client assertion audiences: several values, foreign origin, token endpoint at another endpoint; silent for the issuer', () => {
    const md = { issuer: 'https://as.example', fetchedFrom: 'https://as.example/.well-known/openid-configuration', tokenEndpoint: 'https://as.example/token', endpoints: { token_endpoint: 'https://as.example/token', pushed_authorization_request_endpoint: 'https://as.example/par' } };
    const at: TokenSeen = { use: 'assertion', param: 'client_assertion', url: 'https://as.example/par', frontChannel: false, metadata: [md], endpoint: 'par' };
    const good = { iss: 'c1', sub: 'c1', jti: 'j1', iat: 1000, exp: 1060 };
    const audienceWarnings = (aud: unknown, seen = at) =>
      tokenWarnings(decodeToken(fakeJwt({ alg: 'ES256', typ: 'client-authentication+jwt' }, { ...good, aud })), { ...seen, now: 1_000_000 }).filter((w) => w.ruleId !== 'token-expired');
    expect(audienceWarnings(['https://as.example', 'https://other.example']).map((w) => w.severity).sort()).toEqual(['critical', 'high']);
    expect(audienceWarnings('https://attacker.example/token')[0]).toMatchObject({ severity: 'critical', ruleId: 'audience-injection', message: expect.stringContaining('on another origin') });
    expect(audienceWarnings('https://as.example/token')[0]).toMatchObject({ severity: 'high', ruleId: 'audience-injection', message: expect.stringContaining('(par endpoint, issuer https://as.example) has aud = the token endpoint') });
    expect(audienceWarnings('https://as.example')).toEqual([]);
    expect(audienceWarnings('https://as.example/par')).toEqual([]);
    expect(audienceWarnings('https://as.example/token', { ...at, url: 'https://as.example/token', endpoint: 'token' })).toEqual([]);
    // the shape is assertion-hygiene's: an assertion without aud
    expect(audienceWarnings(undefined)).toEqual([expect.objectContaining({ severity: 'medium', ruleId: 'assertion-hygiene', variant: 'no-aud' })]);
  });

  it('flags metadata endpoints on another origin and an issuer that does not match its URL', () => {
    const md = { issuer: 'https://as.example', token_endpoint: 'https://honest.example/token', revocation_endpoint: 'https://api.as.example/revoke' };
    const w = metadataWarnings(md, 'https://as.example/.well-known/openid-configuration');
    expect(w.filter((x) => x.ruleId === 'metadata-endpoint-foreign').map((x) => x.severity)).toEqual(['high', 'low']);
    expect(w.find((x) => x.severity === 'high')).toMatchObject({ title: "AS metadata names an endpoint on another origin than the issuer's", message: expect.stringContaining('names token_endpoint https://honest.example/token on another site') });
    expect(metadataWarnings({ issuer: 'https://evil.example' }, 'https://as.example/.well-known/openid-configuration')[0].ruleId).toBe('metadata-issuer-mismatch');
    const atLeastMedium = (ws: { severity: string }[]) => ws.filter((x) => ['critical', 'high', 'medium'].includes(x.severity));
    expect(atLeastMedium(metadataWarnings({ issuer: 'https://as.example/tenant' }, 'https://as.example/.well-known/oauth-authorization-server/tenant'))).toEqual([]);
    expect(atLeastMedium(metadataWarnings({ issuer: 'https://as.example', token_endpoint: 'https://as.example/token' }, 'https://as.example/.well-known/openid-configuration'))).toEqual([]);
  });

  it('says what key would decrypt a JWE', () => {
    expect(jweKeyHint({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'enc-1' })).toContain(`RSA private key with kid "enc-1"`);
    expect(jweKeyHint({ alg: 'ECDH-ES+A128KW', enc: 'A128GCM', epk: { crv: 'P-256' } })).toContain('P-256 private key');
    expect(jweKeyHint({ alg: 'dir', enc: 'A128CBC-HS256' })).toContain('256 bits');
    expect(jweKeyHint({ alg: 'A256KW', enc: 'A256GCM', cty: 'JWT' })).toMatch(/256-bit AES key-wrapping key.*nested JWT/);
  });
});

describe('signature verification on request', () => {
  it('verifies against the JWKS the capture already holds, naming the kid', async () => {
    const { har } = await spaFlow();
    const c = analysed(har);
    const t = collectTokens(c).find((x) => x.name === 'id_token')!;
    const fetched: string[] = [];
    const r = await verifyWithIssuer(t.raw, (t.report!.payload as { iss: string }).iss, knownDocsFrom(c.steps), async (u) => {
      fetched.push(u);
      throw new Error('no network');
    });
    expect(r).toMatchObject({ verified: true, kid: 'k1', alg: 'RS256', keysFrom: 'capture', jwksUri: `${AS}/jwks` });
    expect(fetched).toEqual([]);
  });

  it('fetches metadata and JWKS when the capture lacks them, and fails a forged signature', async () => {
    const { idt, keys } = await spaFlow();
    const docs: Record<string, unknown> = { [`${AS}/.well-known/openid-configuration`]: { issuer: AS, jwks_uri: `${AS}/jwks` }, [`${AS}/jwks`]: keys.jwks };
    const fetchJson = async (u: string) => {
      if (!(u in docs)) throw new Error('404');
      return docs[u];
    };
    const empty = { metadata: new Map(), jwks: new Map() };
    expect(await verifyWithIssuer(idt, AS, empty, fetchJson)).toMatchObject({ verified: true, kid: 'k1', keysFrom: 'fetched' });
    const [h, p] = idt.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'mallory' })).toString('base64url');
    const forged = `${h}.${forgedPayload}.${idt.split('.')[2]}`;
    expect(await verifyWithIssuer(forged, AS, empty, fetchJson)).toMatchObject({ verified: false, kid: 'k1' });
    const other = await new SignJWT({ iss: 'https://nowhere.example' }).setProtectedHeader({ alg: 'RS256' }).sign(keys.privateKey);
    expect((await verifyWithIssuer(other, 'https://nowhere.example', empty, fetchJson)).verified).toBeNull();
    expect((await verifyWithIssuer(idt, undefined, empty, fetchJson)).reason).toContain('no http(s) iss');
  });

  it('never fetches what a token names on a private, http or other-site host until the user allows that origin', async () => {
    const { keys } = await spaFlow();
    const fetched: string[] = [];
    const fetchJson = async (u: string) => {
      fetched.push(u);
      if (u.endsWith('/.well-known/openid-configuration')) return { issuer: u.replace('/.well-known/openid-configuration', ''), jwks_uri: u.startsWith('https://as.example') ? 'https://keys.evil.example/jwks' : `${u.replace('/.well-known/openid-configuration', '')}/jwks` };
      return keys.jwks;
    };
    const empty = { metadata: new Map(), jwks: new Map() };
    const sign = (iss: string) => new SignJWT({ iss }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(keys.privateKey);
    for (const iss of ['http://127.0.0.1:9000', 'https://192.168.1.10', 'https://169.254.169.254', 'https://sso.corp.internal', 'http://as.example.org']) {
      const r = await verifyWithIssuer(await sign(iss), iss, empty, fetchJson);
      expect(r.verified, iss).toBeNull();
      expect(r.blocked?.code, iss).toMatch(/PRIVATE_HOST|NOT_HTTPS/);
      expect(r.reason, iss).toMatch(/^not fetched: /);
    }
    expect(fetched).toEqual([]);
    // the user allows the loopback AS: fetched, verified
    const local = await verifyWithIssuer(await sign('http://127.0.0.1:9000'), 'http://127.0.0.1:9000', empty, fetchJson, { allowedOrigins: ['http://127.0.0.1:9000'] });
    expect(local).toMatchObject({ verified: true, keysFrom: 'fetched' });
    // a public issuer whose metadata points the keys at another site: the metadata is read, the keys are not
    fetched.length = 0;
    const cross = await verifyWithIssuer(await sign('https://as.example'), 'https://as.example', empty, fetchJson);
    expect(cross.blocked).toMatchObject({ code: 'CROSS_SITE', origin: 'https://keys.evil.example', url: 'https://keys.evil.example/jwks' });
    expect(fetched).toEqual(['https://as.example/.well-known/openid-configuration']);
    expect(plannedFetches('https://as.example', empty)).toEqual(['https://as.example/.well-known/openid-configuration', "the metadata's jwks_uri"]);
    expect(plannedFetches(AS, { metadata: new Map([[AS, { issuer: AS, jwks_uri: `${AS}/jwks` }]]), jwks: new Map([[`${AS}/jwks`, keys.jwks]]) })).toEqual([]);
  });

  it('verifies with a pasted key, and a detached payload (RFC 7520 §4.5, RFC 7797 b64=false)', async () => {
    const det = JSON.parse(readFileSync(new URL('./fixtures/vectors/jose-cookbook/jws/4_5.signature_with_detached_content.json', import.meta.url), 'utf8'));
    const key = JSON.stringify(det.input.key);
    expect(tryDecode(det.output.compact)?.detached).toBe(true);
    expect(await verifyWithKey(det.output.compact, key, det.input.payload)).toMatchObject({ verified: true });
    expect(await verifyWithKey(det.output.compact, key, `${det.input.payload}!`)).toMatchObject({ verified: false });
    expect((await verifyWithKey(det.output.compact, key)).reason).toMatch(/detached payload/);
    expect((await verifyWithKey(det.output.compact, '')).reason).toMatch(/paste a JWK/);
    expect((await verifyWithKey(det.output.compact, '{"kty":')).verified).toBeNull();
    const b = JSON.parse(readFileSync(new URL('./fixtures/vectors/jose-cookbook/rfc7797/4.2.hmac-sha2_b64_false.json', import.meta.url), 'utf8'));
    const compact = `${b.output.json_flat.protected}..${b.output.json_flat.signature}`;
    expect(await verifyWithKey(compact, JSON.stringify(b.input.key), '$.02')).toMatchObject({ verified: true });
    expect(await verifyWithKey(compact, JSON.stringify(b.input.key), '$.03')).toMatchObject({ verified: false });
  });

  it('refuses keys of metadata whose issuer is not the token iss', async () => {
    const { idt, keys } = await spaFlow();
    const fetchJson = async (u: string) => (u.endsWith('/jwks') ? keys.jwks : { issuer: 'https://evil.example', jwks_uri: `${AS}/jwks` });
    const r = await verifyWithIssuer(idt, AS, { metadata: new Map(), jwks: new Map() }, fetchJson);
    expect(r.verified).toBeNull();
    expect(r.reason).toContain('refusing');
  });
});

describe('PKCE checker', () => {
  it('matches a verifier to its S256 challenge and rejects another', async () => {
    const { pkceS256 } = await import('../src/core/util/sha256');
    expect(checkPkce(VERIFIER, pkceS256(VERIFIER))).toMatchObject({ match: true, problems: [] });
    expect(checkPkce(VERIFIER, pkceS256(VERIFIER + 'x')).match).toBe(false);
    expect(checkPkce(VERIFIER).match).toBeUndefined();
  });

  it('knows the RFC 7636 example vector, and flags short, plain and out-of-charset verifiers', () => {
    const ex = checkPkce('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(ex.match).toBe(true);
    expect(ex.problems.join(' ')).toContain('Appendix B');
    expect(checkPkce('short').problems.join(' ')).toMatch(/5 characters.*43 to 128/);
    expect(checkPkce('a'.repeat(50)).problems.join(' ')).toContain('repeated');
    expect(checkPkce(VERIFIER + ' !', undefined).problems.join(' ')).toContain('outside');
    const plain = checkPkce(VERIFIER, VERIFIER, 'plain');
    expect(plain.match).toBe(true);
    expect(plain.problems.join(' ')).toContain('use S256');
  });
});

describe('front-channel tokens', () => {
  it('reads tokens from a redirect Location fragment (implicit / hybrid responses)', async () => {
    const { idt } = await spaFlow();
    const c = new Capture();
    const areq = `${AS}/auth?client_id=${CLIENT}&response_type=${encodeURIComponent('id_token token')}&redirect_uri=${encodeURIComponent(APP + '/cb')}&state=Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx&nonce=n-0S6_WzA2Mj`;
    c.addEntry(entry(areq, { redirectURL: `${APP}/cb#access_token=at-123456789012345678&id_token=${idt}&state=Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx` }));
    // DevTools shows the follow-up request without the fragment: it carries the Location's
    c.addEntry(entry(`${APP}/cb`));
    expect(c.steps.map((s) => s.obs.url.split('#')[0])).toEqual([areq, `${APP}/cb`]);
    const t = collectTokens(c).find((x) => x.name === 'id_token');
    expect(t?.raw).toBe(idt);
    expect(t?.frontChannel).toBe(true);
    expect(t?.clientId).toBe(CLIENT);
    const tl = buildTimeline({ flows: c.flows(), findings: c.findings, capture: c });
    expect(tl.groups[0].steps.map((s) => s.kind)).toEqual(['authorization-request', 'authorization-response']);
  });
});

describe('metadata audit in the timeline', () => {
  it('puts a foreign token endpoint warning on the metadata step and marks the row', () => {
    const c = new Capture();
    c.addEntry(entry(`${AS}/.well-known/openid-configuration`, { json: { issuer: AS, authorization_endpoint: `${AS}/auth`, token_endpoint: 'https://honest-as.example/token', jwks_uri: `${AS}/jwks` } }));
    const tl = buildTimeline({ flows: c.flows(), findings: c.findings, capture: c });
    const step = tl.other.steps.find((s) => s.kind === 'metadata')!;
    expect(step.warnings.filter((w) => w.ruleId === 'metadata-endpoint-foreign').map((w) => w.severity)).toEqual(['high']);
    expect(step.worst).toBe('high');
    const clean = new Capture();
    clean.addEntry(entry(`${AS}/.well-known/openid-configuration`, { json: { issuer: AS, authorization_endpoint: `${AS}/auth`, token_endpoint: `${AS}/token`, authorization_response_iss_parameter_supported: true, code_challenge_methods_supported: ['S256'] } }));
    const s2 = buildTimeline({ flows: [], findings: [], capture: clean }).other.steps[0];
    expect(s2.warnings.filter((w) => w.severity !== 'info' && w.severity !== 'low')).toEqual([]);
  });
});

describe('live capture body policy', () => {
  it('asks DevTools for JSON/JWT bodies only, never for scripts, images or huge responses', async () => {
    const { wantsBody } = await import('../src/devtools/model/capture');
    const e = (mimeType: string, type: string, size = 100) => ({ _resourceType: type, response: { content: { mimeType, size } } });
    expect(wantsBody(e('application/json; charset=utf-8', 'fetch'))).toBe(true);
    expect(wantsBody(e('application/jwk-set+json', 'xhr'))).toBe(true);
    expect(wantsBody(e('application/jwt', 'fetch'))).toBe(true);
    expect(wantsBody(e('text/html', 'document'))).toBe(false);
    expect(wantsBody(e('application/javascript', 'script'))).toBe(false);
    expect(wantsBody(e('application/json', 'script'))).toBe(false);
    expect(wantsBody(e('image/png', 'image'))).toBe(false);
    expect(wantsBody(e('application/json', 'fetch', 50_000_000))).toBe(false);
    expect(wantsBody(null)).toBe(false);
  });
});

describe('brokered flows', () => {
  it('nests the upstream flow of a broker under the client flow (AS-to-AS hop)', () => {
    const KC = 'https://sso.example.com';
    const G = 'https://accounts.google.com';
    const C = 'https://app.example.com';
    const S1 = '7fc0f404-2eb8-4393-8dd0-1e7e2bf03625';
    const S2 = 'Hq4Vx9Lm2Tz8Rk5Wb3Nc7Pd1Jf6Gs0Ya';
    const areq1 = `${KC}/realms/r/protocol/openid-connect/auth?client_id=my-spa&redirect_uri=${encodeURIComponent(C + '/')}&state=${S1}&response_type=code&scope=openid&nonce=4fef1cba-7867-4130-a977-317d7adca6b2&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`;
    const areq2 = `${G}/o/oauth2/v2/auth?client_id=kc-broker&redirect_uri=${encodeURIComponent(KC + '/realms/r/broker/google/endpoint')}&state=${S2}&response_type=code&scope=openid`;
    const resp2 = `${KC}/realms/r/broker/google/endpoint?state=${S2}&code=4%2F0Aabcdefghijklmnop&iss=${encodeURIComponent(G)}`;
    const resp1 = `${C}/?state=${S1}&iss=${encodeURIComponent(KC + '/realms/r')}&code=19b70019-aaaa-bbbb-cccc-dddddddddddd`;
    const c = new Capture();
    c.addEntry(entry(areq1, { reqHeaders: [['Referer', C + '/']], redirectURL: areq2 }));
    c.addEntry(entry(areq2, { reqHeaders: [['Referer', KC + '/']] , redirectURL: resp2 }));
    c.addEntry(entry(resp2, { reqHeaders: [['Referer', G + '/']], redirectURL: resp1 }));
    c.addEntry(entry(resp1, { reqHeaders: [['Referer', KC + '/']] }));
    const tl = buildTimeline({ flows: c.flows(), findings: c.findings, capture: c });
    expect(tl.groups).toHaveLength(1);
    const root = tl.groups[0];
    expect(root.flow?.clientId).toBe('my-spa');
    expect(root.children).toHaveLength(1);
    expect(root.children[0].title).toMatch(/^Brokered upstream flow .* accounts\.google\.com · kc-broker$/);
    expect(root.children[0].depth).toBe(1);
    expect(root.children[0].steps.map((s) => s.kind)).toEqual(['authorization-request', 'authorization-response']);
    expect(root.steps.map((s) => s.kind)).toEqual(['authorization-request', 'authorization-response']);
    expect(c.findings.filter((f) => f.severity === 'critical')).toEqual([]);
  });
});

describe('AS-to-AS hop', () => {
  /** a state sent to the attacker AS, bounced to the honest AS with another client_id */
  function asSwitchCapture(): Capture {
    const S = 'Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx';
    const cb = encodeURIComponent('https://platform.example/cb');
    const a1 = `https://attacker-as.example/authorize?client_id=666RVZJTA&response_type=code&redirect_uri=${cb}&state=${S}`;
    const a2 = `https://honest-as.example/authorize?client_id=platform-shared&response_type=code&redirect_uri=${cb}&state=${S}`;
    const c = new Capture();
    c.addEntry(entry(a1, { reqHeaders: [['Referer', 'https://platform.example/']], redirectURL: a2 }));
    c.addEntry(entry(a2, { reqHeaders: [['Referer', 'https://attacker-as.example/']] }));
    return c;
  }

  it('labels a second authorization request of the same flow at another AS as a hop and attaches the finding to it', () => {
    const c = asSwitchCapture();
    const tl = buildTimeline({ flows: c.flows(), findings: c.findings, capture: c });
    const steps = tl.groups.flatMap((g) => g.steps);
    const hop = steps.find((s) => s.label.startsWith('AS-to-AS hop'));
    expect(hop?.host).toBe('honest-as.example');
    // a finding citing the first request as context and the hop as the offence sits on the hop
    const flows = c.flows();
    const synthetic: Finding = { ruleId: 'mixup-as-switch', severity: 'critical', confidence: 'strong', title: 't', message: 'm', references: [], flowId: flows[0].id, evidence: [{ input: 0, entry: 0, url: 'a' }, { input: 0, entry: 1, url: 'b' }], context: 'c', time: hop!.time };
    const tl2 = buildTimeline({ flows, findings: [synthetic], capture: c });
    expect(tl2.groups[0].steps.find((s) => s.label.startsWith('AS-to-AS hop'))?.findings).toEqual([synthetic]);
    expect(tl2.groups[0].steps[0].findings).toEqual([]);
    // and the real rule's finding, when the rule is in the catalogue
    const sw = c.findings.find((f) => f.ruleId === 'mixup-as-switch' || f.ruleId === 'coat-context-switch');
    if (sw) expect(hop?.findings).toContain(sw);
  });

  it('as the background holds it (one webRequest id for the whole redirect chain), the finding still sits on the hop', () => {
    const c = asSwitchCapture();
    const asBackground = <T,>(v: T): T => JSON.parse(JSON.stringify(v, (k, x) => (k === 'ref' ? { requestId: 'rq-7' } : x)));
    const flows = asBackground(c.flows());
    const findings = c.findings.map((f) => ({ ...f, evidence: f.evidence.map(({ input: _i, entry: _e, ...e }) => ({ ...e, requestId: 'rq-7' })) }));
    const sw = findings.find((f) => f.ruleId === 'mixup-as-switch');
    expect(sw).toBeDefined();
    const steps = buildTimeline({ flows, findings }).groups[0].steps;
    const rules = steps.map((s) => s.findings.map((f) => f.ruleId));
    expect(rules[1]).toContain('mixup-as-switch');
    expect(rules[0]).not.toContain('mixup-as-switch');
  });
});

describe('JWE in the token view (RFC 7520 vectors)', () => {
  it('shows the protected header and the key that would decrypt it, for compact and JSON serializations', async () => {
    const { readFileSync } = await import('node:fs');
    const { tryDecode } = await import('../src/devtools/model/tokens');
    const v = JSON.parse(readFileSync(new URL('./fixtures/vectors/jose-cookbook/jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json', import.meta.url), 'utf8'));
    for (const input of [v.output.compact, JSON.stringify(v.output.json_flat)]) {
      const r = tryDecode(input)!;
      expect(r.kind).toBe('JWE');
      const view = tokenView(r, Date.now());
      expect(view.alg).toBe('RSA-OAEP');
      expect(view.header.find((h) => h.name === 'enc')?.value).toBe('A256GCM');
      expect(view.keyHint).toContain(`RSA private key with kid "samwise.gamgee@hobbiton.example"`);
      expect(view.claims).toEqual([]);
    }
  });
});

describe('robustness', () => {
  it('never throws on whatever the background sends, and keeps well-formed flows and findings', async () => {
    const fc = (await import('fast-check')).default;
    const { normalizeFindings, normalizeFlows } = await import('../src/devtools/model/timeline');
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (flows, findings) => {
        const tl = buildTimeline({ flows: normalizeFlows(flows), findings: normalizeFindings(findings) });
        expect(Array.isArray(tl.groups)).toBe(true);
      }),
      { numRuns: 300 },
    );
    const flowish = fc.record(
      {
        id: fc.string(),
        as: fc.oneof(fc.anything(), fc.record({ origin: fc.anything(), issuer: fc.anything(), endpoint: fc.anything() })),
        parent: fc.anything(),
        children: fc.oneof(fc.anything(), fc.array(fc.string())),
        steps: fc.array(fc.record({ obsId: fc.anything(), kind: fc.anything(), url: fc.anything(), time: fc.anything(), ref: fc.anything() })),
        requests: fc.array(fc.record({ obsId: fc.anything(), as: fc.anything(), ref: fc.anything(), url: fc.anything() })),
        responses: fc.anything(),
      },
      { requiredKeys: ['id'] },
    );
    const findingish = fc.record({ ruleId: fc.string(), severity: fc.constantFrom('high', 'low', 'x'), evidence: fc.array(fc.record({ url: fc.anything(), entry: fc.anything(), requestId: fc.anything() })), flowId: fc.anything(), time: fc.anything() });
    fc.assert(
      fc.property(fc.array(flowish, { maxLength: 6 }), fc.array(findingish, { maxLength: 6 }), (flows, findings) => {
        buildTimeline({ flows: normalizeFlows(flows), findings: normalizeFindings(findings) });
      }),
      { numRuns: 300 },
    );
    const partial = normalizeFlows([{ id: 'f9', as: { origin: 'https://as.example' }, steps: [{ obsId: 'o1', kind: 'authorization-request', url: 'https://as.example/auth?state=abc', time: 5 }] }, 'junk', { noid: true }]);
    expect(partial).toHaveLength(1);
    const tl = buildTimeline({ flows: partial, findings: normalizeFindings([{ ruleId: 'x', severity: 'high', evidence: [{ url: 'https://as.example/auth?state=abc' }] }, { ruleId: 'y', severity: 'bogus' }]) });
    expect(tl.groups[0].steps[0].findings.map((f) => f.ruleId)).toEqual(['x']);
  });
});

describe('tokens in headers', () => {
  it('collects bearer JWTs and DPoP proofs sent by the page', async () => {
    const { privateKey } = (await spaFlowKeys());
    const at = await new SignJWT({ scope: 'read', client_id: CLIENT }).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt' }).setIssuer(AS).sign(privateKey);
    const proof = await new SignJWT({ htm: 'GET', htu: 'https://api.example/me', jti: 'j1' }).setProtectedHeader({ alg: 'RS256', typ: 'dpop+jwt' }).setIssuedAt().sign(privateKey);
    const c = new Capture();
    c.addEntry(entry('https://api.example/me', { type: 'fetch', reqHeaders: [['Authorization', `DPoP ${at}`], ['DPoP', proof]], json: { sub: 'alice' } }));
    const toks = collectTokens(c);
    expect(toks.map((t) => [t.name, t.use])).toEqual([['Authorization', 'access_token'], ['DPoP', 'unknown']]);
    expect(tokenView(toks[1].report!, Date.now()).typ).toBe('dpop+jwt');
  });
});

async function spaFlowKeys() {
  const { makeKeys } = await import('./devtools-fixture');
  return makeKeys();
}
