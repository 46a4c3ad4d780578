import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CompactEncrypt, exportJWK, exportSPKI, generateKeyPair, GeneralSign, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCommand } from './inspect';
import { fakeIO } from './test-io';

const cookbook = join(import.meta.dirname, '../../test/fixtures/vectors/jose-cookbook');
const rs = JSON.parse(readFileSync(join(cookbook, 'jws/4_1.rsa_v15_signature.json'), 'utf8'));
const RS_TOKEN: string = rs.output.compact;
const RS_KEY = JSON.stringify(rs.input.key);
const PUB_KEY = JSON.stringify({ kty: 'RSA', kid: rs.input.key.kid, n: rs.input.key.n, e: rs.input.key.e });

let server: Server;
let base = '';
const routes = new Map<string, { status?: number; body: unknown }>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const r = routes.get(req.url ?? '');
    if (!r) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': 'application/json' }).end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

/** The test key server is on 127.0.0.1: the runs allow private hosts unless `strict` (the default policy). */
async function run(argv: string[], opts: Parameters<typeof fakeIO>[0] & { strict?: boolean } = {}) {
  const io = fakeIO(opts);
  const code = await inspectCommand(opts.strict ? argv : ['--allow-private', ...argv], io);
  return { code, io, json: () => JSON.parse(io.stdoutText) };
}

async function idToken(claims: Record<string, unknown>, alg = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg };
  const token = await new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).sign(privateKey);
  return { token, jwk, publicKey, privateKey };
}

describe('coatcheck inspect', () => {
  it('verifies a cookbook JWS with an inline JWK (JSON shape of companion-cli.md)', async () => {
    const r = await run(['--format', 'json', '--key', PUB_KEY, RS_TOKEN]);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.version).toBe(1);
    expect(j.tokens).toHaveLength(1);
    expect(j.tokens[0]).toMatchObject({
      kind: 'JWS',
      serialization: 'compact',
      header: { alg: 'RS256', kid: 'bilbo.baggins@hobbiton.example' },
      signature: { verified: true, kid: 'bilbo.baggins@hobbiton.example', reason: null },
      decrypted: null,
      findings: [],
    });
    expect(typeof j.tokens[0].payload).toBe('string');
  });

  it('reads the key from a file, and from a PEM', async () => {
    const f = await run(['--format', 'json', '--key', '/keys/bilbo.json', RS_TOKEN], { files: { '/keys/bilbo.json': RS_KEY } });
    expect(f.code).toBe(0);
    expect(f.json().tokens[0].signature.verified).toBe(true);
    const { token, publicKey } = await idToken({ iss: 'https://as.example', aud: 'c1', exp: Math.floor(Date.now() / 1000) + 300 });
    const pem = await exportSPKI(publicKey);
    const p = await run(['--format', 'json', '--key', '/k.pem', token], { files: { '/k.pem': pem } });
    expect(p.code).toBe(0);
    expect(p.json().tokens[0].signature.verified).toBe(true);
  });

  it('exits 1 when the signature does not verify, with the reason', async () => {
    const { jwk } = await idToken({});
    const r = await run(['--format', 'json', '--key', JSON.stringify({ ...jwk, kid: undefined }), RS_TOKEN]);
    expect(r.code).toBe(1);
    expect(r.json().tokens[0].signature.verified).toBe(false);
    expect(r.json().tokens[0].signature.reason).toMatch(/fits alg "RS256"/);
  });

  it('without a key: verified null with a reason, exit 0', async () => {
    const r = await run(['--format', 'json', RS_TOKEN]);
    expect(r.code).toBe(0);
    expect(r.json().tokens[0].signature).toEqual({ verified: null, kid: 'bilbo.baggins@hobbiton.example', alg: 'RS256', reason: 'no key given' });
  });

  it('reports alg none as critical and exits 1 (0 with --fail-on none)', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"https://as.example","aud":"c1"}').toString('base64url')}.`;
    const r = await run(['--format', 'json', none]);
    expect(r.code).toBe(1);
    expect(r.json().tokens[0].kind).toBe('unsecured');
    expect(r.json().tokens[0].findings).toEqual([expect.objectContaining({ ruleId: 'jwt-alg-none', severity: 'critical' })]);
    expect((await run(['--fail-on', 'none', none])).code).toBe(0);
  });

  it('flags a kid with path metacharacters, not a Cognito-style base64 kid', async () => {
    const jwt = (kid: string) => `${Buffer.from(JSON.stringify({ alg: 'RS256', kid })).toString('base64url')}.${Buffer.from('{"iss":"https://as.example","aud":"c1"}').toString('base64url')}.c2ln`;
    const kids = async (kid: string) => ((await run(['--format', 'json', '--fail-on', 'none', jwt(kid)])).json().tokens[0].findings as { variant?: string }[]).map((f) => f.variant);
    expect(await kids('../../keys/attacker.pem')).toContain('kid-metacharacters');
    expect(await kids('abcd1234/efgh')).toContain('kid-metacharacters');
    expect(await kids('LXEWQrcmsEQBYnyp+6wy9c/TD7GQPMTbAiWHF5IaSIE=')).not.toContain('kid-metacharacters');
  });

  it('checks --expect-aud and --expect-iss', async () => {
    const { token, jwk } = await idToken({ iss: 'https://as.example', aud: 'c1', azp: 'c1', exp: Math.floor(Date.now() / 1000) + 300 });
    const ok = await run(['--format', 'json', '--key', JSON.stringify(jwk), '--expect-aud', 'c1', '--expect-iss', 'https://as.example', token]);
    expect(ok.code).toBe(0);
    expect(ok.json().tokens[0].findings).toEqual([]);
    const bad = await run(['--format', 'json', '--expect-aud', 'c2', '--expect-iss', 'https://other.example', token]);
    expect(bad.code).toBe(1);
    const ids = bad.json().tokens[0].findings.map((f: { ruleId: string }) => f.ruleId);
    expect(ids).toEqual(expect.arrayContaining(['id-token-aud-mismatch', 'token-iss-mismatch']));
  });

  it('fetches keys with --jwks-url from a local server', async () => {
    const { token, jwk } = await idToken({ iss: 'https://as.example', exp: Math.floor(Date.now() / 1000) + 300 });
    routes.set('/jwks', { body: { keys: [jwk] } });
    const r = await run(['--format', 'json', '--jwks-url', `${base}/jwks`, token]);
    expect(r.code).toBe(0);
    expect(r.json().tokens[0].signature.verified).toBe(true);
  });

  it('--discover: issuer metadata → jwks_uri → keys', async () => {
    const { token, jwk } = await idToken({ iss: `${base}/realms/r1`, exp: Math.floor(Date.now() / 1000) + 300 });
    routes.set('/realms/r1/.well-known/openid-configuration', { body: { issuer: `${base}/realms/r1`, jwks_uri: `${base}/realms/r1/certs` } });
    routes.set('/realms/r1/certs', { body: { keys: [jwk] } });
    const r = await run(['--format', 'json', '--discover', token]);
    expect(r.code).toBe(0);
    expect(r.json().tokens[0].signature.verified).toBe(true);
  });

  it('a token cannot make --discover call into the network: private issuers, and a jwks_uri on another site, are refused', async () => {
    const { token, jwk } = await idToken({ iss: `${base}/realms/r2`, exp: Math.floor(Date.now() / 1000) + 300 });
    routes.set('/realms/r2/.well-known/openid-configuration', { body: { issuer: `${base}/realms/r2`, jwks_uri: `${base}/realms/r2/certs` } });
    routes.set('/realms/r2/certs', { body: { keys: [jwk] } });
    const strict = await run(['--format', 'json', '--discover', token], { strict: true });
    expect(strict.code).toBe(2);
    expect(strict.json().error.message).toMatch(/refusing to fetch metadata from http:\/\/127\.0\.0\.1:\d+\/realms\/r2\/\.well-known\/openid-configuration: .* loopback host.*--allow-private/);
    for (const iss of ['https://169.254.169.254', 'https://metadata.google.internal', 'https://192.168.0.1/realms/x']) {
      const { token: t } = await idToken({ iss });
      const r = await run(['--format', 'json', '--discover', t], { strict: true });
      expect(r.json().error.message, iss).toMatch(/refusing to fetch metadata from https:\/\/[^ ]+: .* (link-local|local-name|private) host/);
    }
    // the issuer's metadata names keys on another site: not followed, even with --allow-private
    routes.set('/realms/r3/.well-known/openid-configuration', { body: { issuer: `${base}/realms/r3`, jwks_uri: 'https://keys.attacker.example/jwks' } });
    const { token: t3 } = await idToken({ iss: `${base}/realms/r3` });
    const cross = await run(['--format', 'json', '--discover', t3]);
    expect(cross.code).toBe(2);
    expect(cross.json().error.message).toMatch(/refusing to fetch the JWKS from https:\/\/keys\.attacker\.example\/jwks: .* another site than the issuer .*--jwks-url/);
  });

  it('exit 2 with a clear message for an unreachable JWKS URL (no stack trace)', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const r = await run(['--jwks-url', `http://127.0.0.1:${port}/jwks`, RS_TOKEN]);
    expect(r.code).toBe(2);
    expect(r.io.stderrText).toMatch(/cannot fetch the JWKS from http:\/\/127\.0\.0\.1:\d+\/jwks: ECONNREFUSED/);
    expect(r.io.stderrText).not.toMatch(/\n\s+at /);
    expect(r.io.stdoutText).toBe('');
    routes.set('/notjwks', { body: { hello: 1 } });
    const r2 = await run(['--jwks-url', `${base}/notjwks`, RS_TOKEN]);
    expect(r2.code).toBe(2);
    expect(r2.io.stderrText).toMatch(/not a JWKS/);
  });

  it('exit 2 for a malformed token: message on stderr, {error} on stdout with --format json', async () => {
    const t = await run(['not-a-token']);
    expect(t.code).toBe(2);
    expect(t.io.stderrText).toMatch(/^coatcheck inspect: malformed token: /);
    expect(t.io.stdoutText).toBe('');
    const j = await run(['--format', 'json', 'eyJhbGciOiJIUzI1NiJ9.%%%.x']);
    expect(j.code).toBe(2);
    expect(j.json()).toEqual({ error: { message: expect.stringMatching(/malformed token: The payload is not base64url/) } });
  });

  it('exit 2 for a bad or missing key file', async () => {
    const bad = await run(['--key', '/k.json', RS_TOKEN], { files: { '/k.json': '{"kty": ' } });
    expect(bad.code).toBe(2);
    expect(bad.io.stderrText).toMatch(/bad key file \/k\.json: .*does not parse/);
    const pem = await run(['--key', '/k.pem', RS_TOKEN], { files: { '/k.pem': '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n' } });
    expect(pem.code).toBe(2);
    expect(pem.io.stderrText).toMatch(/PEM "RSA PRIVATE KEY" is not supported/);
    const missing = await run(['--key', '/nope.json', RS_TOKEN]);
    expect(missing.code).toBe(2);
    expect(missing.io.stderrText).toMatch(/cannot read key file \/nope\.json \(ENOENT\)/);
    const notJwk = await run(['--key', '{"foo":1}', RS_TOKEN]);
    expect(notJwk.code).toBe(2);
    expect(notJwk.io.stderrText).toMatch(/no "kty"/);
  });

  it('exit 2 for bad arguments', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--format', 'xml', RS_TOKEN])).io.stderrText).toMatch(/--format must be text or json/);
    expect((await run(['--fail-on', 'severe', RS_TOKEN])).code).toBe(2);
    expect((await run(['--bogus', RS_TOKEN])).io.stderrText).toMatch(/unknown option '--bogus'/);
    const h = await run(['--help']);
    expect(h.code).toBe(0);
    expect(h.io.stdoutText).toMatch(/Usage: coatcheck inspect/);
  });

  it('reads tokens from stdin with -', async () => {
    const r = await run(['--format', 'json', '--key', PUB_KEY, '-'], { stdin: `${RS_TOKEN}\n` });
    expect(r.code).toBe(0);
    expect(r.json().tokens[0].signature.verified).toBe(true);
  });

  it('lists several signatures of a general JSON JWS under signatures', async () => {
    const n = JSON.parse(readFileSync(join(cookbook, 'jws/4_8.multiple_signatures.json'), 'utf8'));
    const keys = (n.input.key as Record<string, unknown>[]).map((k) => JSON.stringify(k));
    const r = await run(['--format', 'json', ...keys.flatMap((k) => ['--key', k]), JSON.stringify(n.output.json)]);
    expect(r.code).toBe(0);
    const t = r.json().tokens[0];
    expect(t.serialization).toBe('json');
    expect(t.signature).toBeUndefined();
    expect(t.signatures.map((s: { alg: string; verified: boolean }) => [s.alg, s.verified])).toEqual([
      ['RS256', true],
      ['ES512', true],
      ['HS256', true],
    ]);
  });

  it('decrypts a JWE and inspects the nested token in turn', async () => {
    const enc = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const { token, jwk } = await idToken({ iss: 'https://as.example', nonce: 'n-0123456789abcdef', exp: Math.floor(Date.now() / 1000) + 300 });
    const jwe = await new CompactEncrypt(new TextEncoder().encode(token)).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' }).encrypt(enc.publicKey);
    const priv = JSON.stringify(await exportJWK(enc.privateKey));
    const r = await run(['--format', 'json', '--key', priv, '--key', JSON.stringify(jwk), jwe]);
    expect(r.code).toBe(0);
    const t = r.json().tokens[0];
    expect(t).toMatchObject({ kind: 'JWE', header: { alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' }, decryptReason: null });
    expect(t.decrypted).toMatchObject({ kind: 'JWS', signature: { verified: true } });
    // the nonce claim is redacted unless --reveal
    expect(t.decrypted.payload.nonce).not.toBe('n-0123456789abcdef');
    const rev = await run(['--format', 'json', '--reveal', '--key', priv, jwe]);
    expect(rev.json().tokens[0].decrypted.payload.nonce).toBe('n-0123456789abcdef');
    const nokey = await run(['--format', 'json', jwe]);
    expect(nokey.json().tokens[0]).toMatchObject({ decrypted: null, decryptReason: 'no key given' });
  });

  it('text output: header, claims with human dates, signature status, findings', async () => {
    const { token, jwk } = await idToken({ iss: 'https://as.example', aud: ['c1', 'c2'], iat: 1768471200, exp: 1768471200 + 7200 });
    const r = await run(['--key', JSON.stringify(jwk), '--expect-aud', 'c1', token]);
    const out = r.io.stdoutText;
    expect(out).toMatch(/Token: JWS \(compact serialization\)/);
    expect(out).toMatch(/alg: ES256/);
    expect(out).toMatch(/exp: 1768478400 {2}\(2026-01-15T12:00:00Z, /);
    expect(out).toMatch(/Signature: verified \(ES256, kid k1\)/);
    expect(out).toMatch(/\[low\] id-token-aud-mismatch/);
    expect(out).not.toMatch(/\u001b\[/);
    expect(r.code).toBe(0);
  });
});

describe('GeneralSign sanity (jose) for multi-signature input', () => {
  it('a JWS signed by two keys, one given: one verified, one not', async () => {
    const a = await generateKeyPair('ES256', { extractable: true });
    const b = await generateKeyPair('ES256', { extractable: true });
    const jws = await new GeneralSign(new TextEncoder().encode('{"x":1}'))
      .addSignature(a.privateKey).setProtectedHeader({ alg: 'ES256', kid: 'a' })
      .addSignature(b.privateKey).setProtectedHeader({ alg: 'ES256', kid: 'b' })
      .sign();
    const keyA = JSON.stringify({ ...(await exportJWK(a.publicKey)), kid: 'a' });
    const r = await run(['--format', 'json', '--key', keyA, JSON.stringify(jws)]);
    expect(r.json().tokens[0].signatures.map((s: { verified: boolean }) => s.verified)).toEqual([true, false]);
    expect(r.code).toBe(1);
  });
});

describe('inspect input handling', () => {
  it('accepts a pasted Authorization header line and several tokens on stdin', async () => {
    const r = await run(['--format', 'json', '-'], { stdin: `Authorization: Bearer ${RS_TOKEN}\n${RS_TOKEN}\n` });
    expect(r.code).toBe(0);
    expect(r.json().tokens).toHaveLength(2);
  });
  it('names the malformed token among several', async () => {
    const r = await run([RS_TOKEN, 'x.y']);
    expect(r.code).toBe(2);
    expect(r.io.stderrText).toMatch(/malformed token \(token 2\)/);
  });
});

describe('inspect --payload: JWS with a detached payload (RFC 7515 App. F, RFC 7797)', () => {
  const det = JSON.parse(readFileSync(join(cookbook, 'jws/4_5.signature_with_detached_content.json'), 'utf8'));
  const b64f = JSON.parse(readFileSync(join(cookbook, 'rfc7797/4.2.hmac-sha2_b64_false.json'), 'utf8'));
  const KEY = JSON.stringify(det.input.key);

  it('verifies RFC 7520 §4.5 with the payload from a file; a changed payload fails (exit 1); none says how', async () => {
    const ok = await run(['--format', 'json', '--key', KEY, '--payload', '/p.txt', det.output.compact], { files: { '/p.txt': det.input.payload } });
    expect(ok.code).toBe(0);
    expect(ok.json().tokens[0]).toMatchObject({ detached: true, signature: { verified: true } });
    const bad = await run(['--format', 'json', '--key', KEY, '--payload', '/p.txt', det.output.compact], { files: { '/p.txt': `${det.input.payload}\n` } });
    expect(bad.code).toBe(1);
    expect(bad.json().tokens[0].signature.verified).toBe(false);
    const none = await run(['--key', KEY, det.output.compact]);
    expect(none.io.stdoutText).toMatch(/detached: not in the token; give it with --payload to verify/);
    expect(none.io.stdoutText).toMatch(/detached payload: supply it to verify/);
  });

  it('verifies an RFC 7797 "b64": false detached compact JWS (the x-jws-signature shape), payload on stdin', async () => {
    const flat = b64f.output.json_flat as { protected: string; signature: string };
    const compact = `${flat.protected}..${flat.signature}`;
    const key = JSON.stringify(b64f.input.key);
    const ok = await run(['--format', 'json', '--key', key, '--payload', '-', compact], { stdin: b64f.input.payload });
    expect(ok.code).toBe(0);
    expect(ok.json().tokens[0].signature.verified).toBe(true);
    const bad = await run(['--format', 'json', '--key', key, '--payload', '-', compact], { stdin: '$.03' });
    expect(bad.json().tokens[0].signature.verified).toBe(false);
  });

  it('refuses --payload - with a token on stdin too, and names an unreadable payload file', async () => {
    const both = await run(['--payload', '-', '-'], { stdin: det.output.compact });
    expect(both.code).toBe(2);
    expect(both.io.stderrText).toMatch(/cannot share it/);
    const missing = await run(['--key', KEY, '--payload', '/nope', det.output.compact]);
    expect(missing.code).toBe(2);
    expect(missing.io.stderrText).toMatch(/cannot read payload file \/nope \(ENOENT\)/);
  });
});
