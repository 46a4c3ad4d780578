import { describe, expect, it } from 'vitest';
import { areq } from '../testing/mixup-scenarios';
import { obs, post, q, rand, redirect, run } from '../testing/builders';
import { parseUrl } from '../util/url';
import { classify } from '../classify/classify';
import { FlowStore } from './store';
import { providerSpec, rowFromSpec } from './provider-table';

const store = () => new FlowStore({ redact: true });
const as = (u: string) => store().resolveAs(parseUrl(u)!);

function jwt(payload: Record<string, unknown>): string {
  const b64 = (x: object) => Buffer.from(JSON.stringify(x)).toString('base64url');
  return `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(payload)}.${'s'.repeat(43)}`;
}

describe('AS identity from the provider table (§0.4 step 3, §3)', () => {
  it.each([
    // Okta: custom authorization server and the org authorization server (issuer = the Okta domain)
    ['https://dev-1.okta.com/oauth2/default/v1/authorize', 'https://dev-1.okta.com/oauth2/default'],
    ['https://dev-1.okta.com/oauth2/v1/authorize', 'https://dev-1.okta.com'],
    // Auth0 (§3 row): issuer is the tenant domain with a trailing slash
    ['https://tenant-a.us.auth0.com/authorize', 'https://tenant-a.us.auth0.com/'],
    ['https://tenant-b.auth0.com/authorize', 'https://tenant-b.auth0.com/'],
    // Salesforce My Domain hosts (§3 notes)
    ['https://acme.my.salesforce.com/services/oauth2/authorize', 'https://acme.my.salesforce.com'],
  ])('%s → %s', (endpoint, issuer) => {
    const id = as(endpoint);
    expect(id.source).toBe('provider');
    expect(id.issuer).toBe(issuer);
  });

  it('two tenants of one multi-tenant provider are different ASes although they share an eTLD+1', () => {
    const s = store();
    expect(s.differentAs(as('https://attacker.auth0.com/authorize'), as('https://honest.auth0.com/authorize'))).toBe(true);
    expect(s.differentAs(as('https://a.my.salesforce.com/services/oauth2/authorize'), as('https://b.my.salesforce.com/services/oauth2/authorize'))).toBe(true);
    expect(s.differentAs(as('https://honest.auth0.com/authorize'), as('https://honest.auth0.com/authorize'))).toBe(false);
  });

  it('Entra: a tenant named by its domain has an issuer naming the tenant id (a GUID), matched as a pattern', () => {
    const s = store();
    const id = as('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize');
    expect(s.issuerMatches(id, 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0')).toBe(true);
    expect(s.issuerMatches(id, 'https://attacker.example/')).toBe(false);
    // a tenant named by its id keeps its exact issuer
    const g = as('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize');
    expect(g.issuer).toBe('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0');
    expect(s.issuerMatches(g, 'https://login.microsoftonline.com/00000000-86f1-41af-91ab-2d7cd011db47/v2.0')).toBe(false);
  });
});

describe('dated provider knowledge (§0.4 "The provider table ages")', () => {
  const gh = parseUrl('https://github.com/login/oauth/authorize')!;
  it('always since D applies from D on (the capture time), not before', () => {
    const s = store();
    const before = s.resolveAs(gh, Date.UTC(2026, 3, 8, 23, 59));
    const after = s.resolveAs(gh, Date.UTC(2026, 3, 9, 0, 0));
    expect(before.sendsIss).toBeUndefined();
    expect(after.sendsIss).toBe(true);
    expect(s.issSupport(before, Date.UTC(2026, 3, 8))).toBeUndefined();
    expect(s.issSupport(before, Date.UTC(2026, 3, 10))?.from).toBe('provider');
    expect(after.issuer).toBe('https://github.com/login/oauth');
  });
  it('some accounts never qualifies from the table alone', () => {
    const s = store();
    const g = s.resolveAs(parseUrl('https://accounts.google.com/o/oauth2/v2/auth')!, Date.UTC(2026, 11, 1));
    expect(g.sendsIss).toBeUndefined();
    expect(s.issSupport(g, Date.UTC(2026, 11, 1))).toBeUndefined();
  });
  it('observed metadata beats the table (a Keycloak older than 23 says it sends no iss)', () => {
    const s = store();
    const kc = 'https://sso.example.com/realms/r';
    s.recordMetadata(`${kc}/.well-known/openid-configuration`, { issuer: kc, authorization_endpoint: `${kc}/protocol/openid-connect/auth`, authorization_response_iss_parameter_supported: false });
    const id = s.resolveAs(parseUrl(`${kc}/protocol/openid-connect/auth`)!, Date.UTC(2026, 11, 1));
    expect(id.source).toBe('metadata');
    expect(s.issSupport(id, Date.UTC(2026, 11, 1))).toBeUndefined();
  });
  it('Entra: one AS, two issuers of the same tenant; another tenant or origin is not it', () => {
    const s = store();
    const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    for (const ep of [`https://login.microsoftonline.com/${tid}/oauth2/authorize`, `https://login.microsoftonline.com/${tid}/oauth2/v2.0/authorize`]) {
      const id = as(ep);
      expect(s.issuerMatches(id, `https://sts.windows.net/${tid}/`)).toBe(true);
      expect(s.issuerMatches(id, `https://login.microsoftonline.com/${tid}/v2.0`)).toBe(true);
      expect(s.issuerMatches(id, 'https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/')).toBe(false);
      expect(s.issuerMatches(id, `https://sts.windows.example/${tid}/`)).toBe(false);
      // the tenant is AS1's own issuer space; another tenant on the same origin is not
      expect(s.inOwnScope(id, `https://login.microsoftonline.com/${tid}/oauth2`)).toBe(true);
      expect(s.inOwnScope(id, 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0')).toBe(false);
    }
    expect(as(`https://login.microsoftonline.com/${tid}/oauth2/authorize`).issuer).toBe(`https://sts.windows.net/${tid}/`);
  });
});

describe('provider rows supplied by the caller (settings, a lab on its own hosts)', () => {
  const spec = { id: 'gh-lab', name: 'GitHub-shaped lab AS', endpoint: 'https://github.example:8443/login/oauth/authorize', issuer: 'https://github.example:8443/login/oauth', iss: { kind: 'always', since: '2026-04-09' }, checked: '2026-12-04' };
  it('are validated; bad ones are dropped, never thrown', () => {
    expect(providerSpec(spec)).toEqual(spec);
    for (const bad of [null, 'x', { ...spec, checked: 'today' }, { ...spec, endpoint: 'javascript:alert(1)' }, { ...spec, iss: { kind: 'always' } }, { ...spec, iss: { kind: 'sometimes', since: '2026-01-01' } }, { ...spec, id: '' }]) {
      expect(providerSpec(bad)).toBeUndefined();
    }
  });
  it('are consulted before the table, with their dates and issuer', () => {
    const s = new FlowStore({ redact: true, providers: [rowFromSpec(providerSpec(spec)!)] });
    const id = s.resolveAs(parseUrl('https://github.example:8443/login/oauth/authorize')!, Date.UTC(2026, 11, 4));
    expect(id).toMatchObject({ source: 'provider', issuer: 'https://github.example:8443/login/oauth', provider: 'gh-lab', sendsIss: true });
    expect(s.providerRow('gh-lab')?.name).toBe('GitHub-shaped lab AS');
    expect(s.hints.isKnownAuthorizationEndpoint('https://github.example:8443/login/oauth/authorize')).toBe(true);
    // without the rows the lab host is an unknown AS known only by its origin
    expect(store().resolveAs(parseUrl('https://github.example:8443/login/oauth/authorize')!).source).toBe('origin');
  });
});

describe('AS identity in whole flows', () => {
  it('mix-up between two Auth0 tenants through one redirect URI is an AS switch (§0.4 different AS)', () => {
    const P = 'https://platform.example';
    const ATT = 'https://attacker.eu.auth0.com';
    const HON = 'https://honest.eu.auth0.com';
    const S = rand('auth0-mixup');
    const a1 = areq(ATT, { client_id: 'client-at-attacker', redirect_uri: `${P}/cb`, state: S });
    const a2 = areq(HON, { client_id: 'client-at-honest', redirect_uri: `${P}/cb`, state: S });
    const { findings } = run([
      obs(`${P}/login/attacker`, { location: a1 }),
      obs(a1, { location: a2, referer: `${P}/login` }),
      obs(a2, { referer: `${ATT}/` }),
      ...redirect(`${HON}/u/login`, `${P}/cb?${q({ code: rand('a0code'), state: S })}`, { method: 'POST', form: { user: 'alice' } }),
    ]);
    expect(findings.map((f) => f.ruleId)).toContain('mixup-as-switch');
  });

  it('Entra hybrid form_post login at a domain-named tenant: the ID token iss (tenant GUID) is no mix-up', () => {
    const APP = 'https://app.example';
    const S = rand('entra-state');
    const N = rand('entra-nonce');
    const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const a1 = `https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?${q({ client_id: '00001111-aaaa-2222-bbbb-3333cccc4444', response_type: 'code id_token', response_mode: 'form_post', redirect_uri: `${APP}/signin-oidc`, scope: 'openid profile', state: S, nonce: N })}`;
    const idt = jwt({ iss: `https://login.microsoftonline.com/${tid}/v2.0`, aud: '00001111-aaaa-2222-bbbb-3333cccc4444', nonce: N, tid, iat: 1768471200, exp: 1768474800 });
    const { findings } = run([
      obs(`${APP}/login`, { location: a1 }),
      obs(a1, { referer: `${APP}/` }),
      obs(`${APP}/signin-oidc`, { method: 'POST', form: { code: rand('entra-code'), id_token: idt, state: S, session_state: rand('ss') }, initiator: 'https://login.microsoftonline.com' }),
    ]);
    expect(findings.filter((f) => f.ruleId.startsWith('mixup')).map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  });
});

describe('PAR/JAR correlation (§0.2, §0.3)', () => {
  it('a pushed request object (JAR in the PAR body) gives the flow its state and redirect_uri', () => {
    const APP = 'https://app.example';
    const AS = 'https://as.example';
    const S = rand('par-jar-state');
    const uri = `urn:ietf:params:oauth:request_uri:${rand('ru', 20)}`;
    const b64 = (x: object) => Buffer.from(JSON.stringify(x)).toString('base64url');
    const request = `${b64({ alg: 'PS256' })}.${b64({ client_id: 'c1', response_type: 'code', redirect_uri: `${APP}/cb`, state: S, code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}.${'s'.repeat(43)}`;
    const a1 = `${AS}/as/authorization.oauth2?${q({ client_id: 'c1', request_uri: uri })}`;
    const { engine, findings } = run([
      post(`${AS}/as/par.oauth2`, { client_id: 'c1', request }, { status: 201, responseBody: { request_uri: uri, expires_in: 60 }, headers: { Authorization: 'Basic YzE6c2VjcmV0' } }),
      obs(`${APP}/login`, { location: a1 }),
      obs(a1, { referer: `${APP}/` }),
      ...redirect(`${AS}/login`, `${APP}/cb?${q({ code: rand('par-code'), state: S })}`, { method: 'POST', form: { user: 'alice' } }),
    ]);
    const flows = engine.flows();
    expect(flows).toHaveLength(1);
    expect(flows[0].pushed).toBe(true);
    expect(flows[0].redirectUri).toBe(`${APP}/cb`);
    expect(flows[0].responses).toHaveLength(1);
    expect(findings.filter((f) => f.ruleId === 'unsolicited-callback')).toEqual([]);
  });
});

describe('G2 host canonicalisation with known issuers (§0.5 G2)', () => {
  const P = 'https://platform.example';
  const sfPath = '/services/oauth2/authorize';
  const handOff = (h1: string, h2: string, p2: Record<string, string> = {}) => {
    const S = rand(`g2k-${h1}-${h2}`);
    const p = { client_id: '3MVG9lKcPoNINVBIPJjdw1J9LLM82Hn', redirect_uri: `${P}/cb`, state: S };
    const a1 = `${h1}?${q({ response_type: 'code', ...p })}`;
    const a2 = `${h2}?${q({ response_type: 'code', ...p, ...p2 })}`;
    return run([
      obs(`${P}/login`, { location: a1 }),
      obs(a1, { location: a2, referer: `${P}/` }),
      obs(a2),
      ...redirect(`${new URL(h2).origin}/login`, `${P}/cb?${q({ code: rand('g2k-code'), state: S })}`, { method: 'POST', form: { user: 'alice' } }),
    ]);
  };

  it('Salesforce login.salesforce.com handing the identical request to the org\'s My Domain is one AS', () => {
    const { findings } = handOff(`https://login.salesforce.com${sfPath}`, `https://acme.my.salesforce.com${sfPath}`);
    expect(findings.filter((f) => /^(mixup|coat)/.test(f.ruleId)).map((f) => f.ruleId)).toEqual([]);
  });

  it('a hand-off to another host of the site that changes client_id is still an AS switch', () => {
    const { findings } = handOff(`https://login.salesforce.com${sfPath}`, `https://acme.my.salesforce.com${sfPath}`, { client_id: 'other-client' });
    expect(findings.map((f) => f.ruleId)).toContain('mixup-as-switch');
  });

  it('two realms of one Keycloak host (issuers differ by path, not host) are still two ASes', () => {
    const { findings } = handOff('https://sso.example.com/realms/attacker/protocol/openid-connect/auth', 'https://sso.example.com/realms/honest/protocol/openid-connect/auth');
    expect(findings.map((f) => f.ruleId)).toContain('mixup-as-switch');
  });
});

describe('ARESP by initiator needs an open flow (§0.2 "initiated by an open flow\'s AS origin", §0.3 expiry)', () => {
  const AS = 'https://as.example';
  const APP = 'https://app.example';
  const at = (min: number) => {
    const a1 = `${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${APP}/cb`, state: rand('open-flow') })}`;
    const { engine } = run([obs(a1, { at: 0, referer: `${APP}/` })]);
    const bare = obs(`https://blog.example/post?${q({ code: 'promo-2026' })}`, { at: min * 60, initiator: AS });
    engine.store.observe(bare);
    return classify(bare, engine.store.hints).kind;
  };
  it('within the flow lifetime a code-bearing navigation started by the AS is a response', () => expect(at(5)).toBe('authorization-response'));
  it('after the flow expired (30 min) it is not', () => expect(at(40)).toBe('pre-authorization'));
});

describe('hasOpenFlowIn', () => {
  it('is openFlowsIn(context).length > 0, without the array', () => {
    const s = new FlowStore({ redact: true, ttlMs: 1000 });
    s.table.add({ id: 'f1', context: 'tab:1', tLast: 500, requests: [], responses: [], steps: [], children: [] } as never, 500);
    s.nav.now = 1200;
    expect(s.hasOpenFlowIn('tab:1')).toBe(true);
    expect(s.hasOpenFlowIn('tab:2')).toBe(false);
    s.nav.now = 1600;
    expect(s.hasOpenFlowIn('tab:1')).toBe(false);
    expect(s.hasOpenFlowIn('tab:1')).toBe(s.openFlowsIn('tab:1').length > 0);
  });
});

