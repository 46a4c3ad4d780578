import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataCommand, metadataUrlsFor } from './metadata';
import { fakeIO } from './test-io';

let server: Server;
let base = '';
const routes = new Map<string, unknown>();
class Redirect {
  constructor(readonly location: string) {}
}
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = routes.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    if (body instanceof Redirect) return void res.writeHead(302, { location: body.location }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const good = (iss: string) => ({
  issuer: iss,
  authorization_endpoint: `${iss}/authorize`,
  token_endpoint: `${iss}/token`,
  pushed_authorization_request_endpoint: `${iss}/par`,
  revocation_endpoint: `${iss}/revoke`,
  jwks_uri: `${iss}/jwks`,
  response_types_supported: ['code'],
  grant_types_supported: ['authorization_code', 'refresh_token'],
  code_challenge_methods_supported: ['S256'],
  authorization_response_iss_parameter_supported: true,
});

/** The test AS is on 127.0.0.1: the runs allow private hosts unless `strict` (the default policy). */
async function run(argv: string[], opts: Parameters<typeof fakeIO>[0] & { strict?: boolean } = {}) {
  const io = fakeIO(opts);
  const code = await metadataCommand(opts.strict ? argv : ['--allow-private', ...argv], io);
  return { code, io, json: () => JSON.parse(io.stdoutText) };
}

describe('coatcheck metadata', () => {
  it('builds the OIDC (appended) and RFC 8414 (inserted) URLs', () => {
    expect(metadataUrlsFor('https://as.example')).toEqual(['https://as.example/.well-known/openid-configuration', 'https://as.example/.well-known/oauth-authorization-server']);
    expect(metadataUrlsFor('https://as.example/t1/')).toEqual(['https://as.example/t1/.well-known/openid-configuration', 'https://as.example/.well-known/oauth-authorization-server/t1']);
    expect(metadataUrlsFor('https://as.example/.well-known/oauth-authorization-server/t1')).toEqual(['https://as.example/.well-known/oauth-authorization-server/t1']);
  });

  it('a good OIDC configuration: exit 0, no findings', async () => {
    routes.set('/.well-known/openid-configuration', good(base));
    const r = await run(['--format', 'json', base]);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j).toMatchObject({ version: 1, source: { url: `${base}/.well-known/openid-configuration` }, metadata: { issuer: base, issParameterSupported: true, par: true }, findings: [] });
  });

  it('falls back to RFC 8414 path insertion for an issuer with a path', async () => {
    routes.set('/.well-known/oauth-authorization-server/tenant1', good(`${base}/tenant1`));
    const r = await run(['--format', 'json', `${base}/tenant1`]);
    expect(r.code).toBe(0);
    expect(r.json().source.url).toBe(`${base}/.well-known/oauth-authorization-server/tenant1`);
    expect(hits).toContain('/tenant1/.well-known/openid-configuration'); // tried first
  });

  it('issuer mismatch → high, exit 1', async () => {
    routes.set('/evil/.well-known/openid-configuration', good('https://honest-as.example'));
    const r = await run(['--format', 'json', `${base}/evil`]);
    expect(r.code).toBe(1);
    expect(r.json().findings).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'metadata-issuer-mismatch', severity: 'high' })]));
  });

  it('a foreign token endpoint → metadata-endpoint-foreign high, exit 1; text output lists it', async () => {
    routes.set('/attacker/.well-known/openid-configuration', { ...good(`${base}/attacker`), token_endpoint: 'https://honest-as.example/token' });
    const r = await run([`${base}/attacker`]);
    expect(r.code).toBe(1);
    expect(r.io.stdoutText).toMatch(/\[high\] metadata-endpoint-foreign: .*token_endpoint https:\/\/honest-as\.example\/token/);
    expect(r.io.stdoutText).toMatch(/RFC 9207 iss parameter: supported/);
  });

  it('feature checks: no iss parameter, no S256, password grant, no PAR', async () => {
    const doc = { ...good(`${base}/old`), code_challenge_methods_supported: ['plain'], grant_types_supported: ['authorization_code', 'password'], authorization_response_iss_parameter_supported: undefined, pushed_authorization_request_endpoint: undefined };
    routes.set('/old/.well-known/openid-configuration', doc);
    const r = await run(['--format', 'json', '--fail-on', 'medium', `${base}/old`]);
    expect(r.code).toBe(1);
    const ids = r.json().findings.map((f: { ruleId: string; variant?: string }) => `${f.ruleId}${f.variant ? `:${f.variant}` : ''}`);
    expect(ids).toEqual(expect.arrayContaining(['metadata-no-iss-parameter', 'metadata-pkce-s256:no-s256', 'metadata-deprecated-grant:password', 'metadata-no-par']));
    expect((await run(['--fail-on', 'high', `${base}/old`])).code).toBe(0);
  });

  it('reads a file (no fetch URL: the issuer check needs the URL, the rest runs)', async () => {
    const doc = { ...good('https://as.example'), token_endpoint: 'https://elsewhere.example/token' };
    const r = await run(['--format', 'json', 'md.json'], { files: { 'md.json': JSON.stringify(doc) } });
    expect(r.code).toBe(1);
    expect(r.json().source).toEqual({ file: 'md.json' });
    expect(r.json().findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['metadata-endpoint-foreign']);
  });

  it('exit 2 with a clear message: unreachable URL, 404s, unreadable or malformed file', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const u = await run([`http://127.0.0.1:${port}`]);
    expect(u.code).toBe(2);
    expect(u.io.stderrText).toMatch(/^coatcheck metadata: cannot fetch metadata for http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(u.io.stderrText).not.toMatch(/\n\s+at /);
    expect(u.io.stdoutText).toBe('');
    const nf = await run(['--format', 'json', `${base}/missing`]);
    expect(nf.code).toBe(2);
    expect(nf.json().error.message).toMatch(/HTTP 404.*HTTP 404/);
    routes.set('/broken/.well-known/openid-configuration', '{"issuer": ');
    expect((await run([`${base}/broken/.well-known/openid-configuration`])).io.stderrText).toMatch(/not valid JSON/);
    const missing = await run(['nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.io.stderrText).toMatch(/cannot read nope\.json \(ENOENT\)/);
    const bad = await run(['bad.json'], { files: { 'bad.json': '{"issuer":' } });
    expect(bad.code).toBe(2);
    expect(bad.io.stderrText).toMatch(/bad\.json is not valid JSON/);
    expect((await run([])).code).toBe(2);
    expect((await run(['--help'])).io.stdoutText).toMatch(/Usage: coatcheck metadata/);
  });

  it('fetches only public https hosts unless --allow-private; every redirect hop is checked', async () => {
    const loop = await run(['--format', 'json', base], { strict: true });
    expect(loop.code).toBe(2);
    expect(loop.json().error.message).toMatch(/^refusing to fetch metadata from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration: .* is a loopback host.*--allow-private/);
    for (const target of ['https://169.254.169.254/latest', 'https://10.0.0.1', 'https://vault.internal', 'http://as.example.com']) {
      const r = await run(['--format', 'json', target], { strict: true });
      expect(r.code, target).toBe(2);
      expect(r.json().error.message, target).toMatch(/^refusing to fetch metadata/);
    }
    // every redirect hop is judged again: with --allow-private (the test AS is on 127.0.0.1) a hop
    // to plain http on a public host is still refused, before any request is made to it
    routes.set('/hop/.well-known/openid-configuration', new Redirect('http://as.example.com/.well-known/openid-configuration'));
    const hop = await run(['--format', 'json', `${base}/hop`]);
    expect(hop.code).toBe(2);
    expect(hop.json().error.message).toMatch(/^refusing to fetch metadata from http:\/\/as\.example\.com\/\.well-known\/openid-configuration \(redirected from http:\/\/127\.0\.0\.1:\d+\/hop\/\.well-known\/openid-configuration\): .* is not https/);
  });

  it('accepts a UTF-8 BOM and clips huge values in the text report (JSON keeps them whole)', async () => {
    const doc = { ...good('https://as.example'), issuer: 'https://as.example', service_documentation: 'x', authorization_endpoint: `https://as.example/${'a'.repeat(5000)}` };
    const r = await run(['md.json'], { files: { 'md.json': `\ufeff${JSON.stringify(doc)}` } });
    expect(r.code).toBe(0);
    const line = r.io.stdoutText.split('\n').find((l) => l.includes('authorization_endpoint'))!;
    expect(line.length).toBeLessThan(260);
    expect(line).toMatch(/… \(5,019 characters\)$/);
    const j = await run(['--format', 'json', 'md.json'], { files: { 'md.json': `\ufeff${JSON.stringify(doc)}` } });
    expect(j.json().metadata.endpoints.authorization_endpoint).toBe(doc.authorization_endpoint);
  });
});
