/**
 * RFC 7520 "JOSE Cookbook" (plus the RFC 7797 b64=false and CFRG curve examples) against the token
 * inspector: every compact, flattened and general JSON example decodes; every JWS verifies with its
 * key and fails with a wrong key; every JWE shows its protected header and decrypts with the
 * cookbook key, except where jose 6 does not support the algorithm (RSA1_5), which must give a
 * clear "unsupported" reason, not a crash.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, generateSecret } from 'jose';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../src/core/errors';
import { decodeToken, inspectToken, type TokenReport } from '../src/core/tokens/index';

const dir = join(import.meta.dirname, 'fixtures/vectors/jose-cookbook');

interface Vector {
  file: string;
  title: string;
  input: { payload?: string; plaintext?: string; key?: unknown; pwd?: string; alg: string | string[]; enc?: string };
  output: Record<string, unknown>;
  signing?: { protected?: Record<string, unknown> };
  encrypting_content?: { protected?: Record<string, unknown> };
}

function load(): Vector[] {
  const out: Vector[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'jwk') walk(p);
      } else if (e.name.endsWith('.json')) {
        const v = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
        const rel = p.slice(dir.length + 1);
        if ('sign' in v && 'encrypt' in v) {
          // 6: nesting — the inner JWS and the outer JWE are vectors of their own
          out.push({ ...(v.sign as Vector), file: `${rel}#sign`, title: `${v.title} (sign)` });
          out.push({ ...(v.encrypt as Vector), file: `${rel}#encrypt`, title: `${v.title} (encrypt)` });
        } else out.push({ ...(v as unknown as Vector), file: rel });
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

const vectors = load();
const isJwe = (v: Vector) => v.input.plaintext !== undefined;
const serializations = (v: Vector) =>
  (['compact', 'json', 'json_flat'] as const).filter((k) => v.output[k] !== undefined).map((k) => ({
    name: k,
    text: typeof v.output[k] === 'string' ? (v.output[k] as string) : JSON.stringify(v.output[k]),
    expected: k === 'compact' ? 'compact' : k === 'json' && hasMany(v.output[k]) ? 'json' : 'flattened',
  }));
function hasMany(o: unknown): boolean {
  return typeof o === 'object' && o !== null && ('signatures' in o || 'recipients' in o);
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

/** The key(s) a vector was made with, in the form inspect takes. */
function keysOf(v: Vector): unknown[] {
  if (v.input.pwd !== undefined) return [{ kty: 'oct', k: b64url(v.input.pwd) }];
  const k = v.input.key;
  return Array.isArray(k) ? k : [k];
}

/** A fresh key of the same type that did not make the vector. */
async function wrongKeyFor(alg: string): Promise<unknown> {
  if (alg.startsWith('HS')) return exportJWK(await generateSecret(alg, { extractable: true }));
  const { publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}) });
  return exportJWK(publicKey);
}

const algsOfVector = (v: Vector) => (Array.isArray(v.input.alg) ? v.input.alg : [v.input.alg]);

/** Algorithms jose 6 does not implement (RSAES-PKCS1-v1_5 was removed in jose 6). */
const UNSUPPORTED_JWE_ALGS = new Set(['RSA1_5']);

function sigsOf(r: TokenReport) {
  return r.signatures ?? (r.signature ? [r.signature] : []);
}

describe('JOSE cookbook', () => {
  it('has the vectors (RFC 7520 §4, §5, §6, RFC 7797, CFRG)', () => {
    expect(vectors.filter((v) => !isJwe(v)).length).toBeGreaterThanOrEqual(12);
    expect(vectors.filter(isJwe).length).toBeGreaterThanOrEqual(14);
  });

  for (const v of vectors) {
    describe(`${v.file}: ${v.title}`, () => {
      for (const s of serializations(v)) {
        it(`decodes the ${s.name} serialization`, () => {
          const r = decodeToken(s.text);
          expect(r.serialization).toBe(s.expected);
          if (isJwe(v)) {
            expect(r.kind).toBe('JWE');
            const prot = v.encrypting_content?.protected;
            if (prot) expect(r.header).toEqual(prot);
            expect(r.payload).toBeNull();
          } else {
            expect(r.kind).toBe('JWS');
            const expectedPayload = v.input.payload!;
            if (r.detached) expect(r.payload).toBeNull();
            else if (typeof r.payload === 'string') expect(r.payload).toBe(expectedPayload);
            else expect(r.payload).toEqual(JSON.parse(expectedPayload));
            const algs = sigsOf(r).map((x) => x.alg);
            expect(algs).toEqual(algsOfVector(v));
          }
        });

        if (!isJwe(v)) {
          it(`verifies the ${s.name} serialization with its key, and not with a wrong key`, async () => {
            const detachedPayload = decodeToken(s.text).detached ? v.input.payload : undefined;
            const good = await inspectToken(s.text, { keys: keysOf(v) as never, detachedPayload });
            for (const sig of sigsOf(good)) expect(sig, JSON.stringify(sig)).toMatchObject({ verified: true, reason: null });
            const wrong = await Promise.all(algsOfVector(v).map(wrongKeyFor));
            const bad = await inspectToken(s.text, { keys: wrong as never, detachedPayload });
            for (const sig of sigsOf(bad)) {
              expect(sig.verified).toBe(false);
              expect(sig.reason).toMatch(/fail|verif/i);
            }
          });
          it(`without a key, ${s.name} reports verified: null with a reason`, async () => {
            const r = await inspectToken(s.text, {});
            for (const sig of sigsOf(r)) expect(sig).toMatchObject({ verified: null, reason: 'no key given' });
          });
        } else {
          const algs = algsOfVector(v);
          const allUnsupported = algs.every((a) => UNSUPPORTED_JWE_ALGS.has(a));
          it(`${allUnsupported ? 'says the algorithm is unsupported for' : 'decrypts'} the ${s.name} serialization with the cookbook key`, async () => {
            const r = await inspectToken(s.text, { keys: keysOf(v) as never });
            expect(r.kind).toBe('JWE');
            if (allUnsupported) {
              expect(r.decrypted).toBeNull();
              expect(r.decryptReason).toMatch(/unsupported.*RSA1_5/);
              return;
            }
            expect(r.decryptReason, String(r.decryptReason)).toBeNull();
            const inner = r.decrypted;
            if (typeof inner === 'string') expect(inner).toBe(v.input.plaintext);
            else {
              // a nested token (RFC 7520 §6): inspected in turn
              expect(inner?.kind).toBe('JWS');
              expect(v.input.plaintext!.startsWith('eyJ')).toBe(true);
            }
          });
          it(`does not decrypt the ${s.name} serialization with a wrong key`, async () => {
            const wrong = keysOf(v).map((k) => {
              const j = { ...(k as Record<string, string>) };
              if (j.kty === 'oct') j.k = b64url('x'.repeat(Buffer.from(j.k, 'base64url').length));
              return j;
            });
            // asymmetric keys: a different private key of the same type
            const replaced = await Promise.all(
              wrong.map(async (j) => {
                if (j.kty === 'oct') return j;
                const alg = j.kty === 'RSA' ? 'RSA-OAEP' : 'ECDH-ES';
                const crv = (j as { crv?: string }).crv;
                const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(crv ? { crv } : {}) });
                return { ...(await exportJWK(privateKey)), kid: (j as { kid?: string }).kid };
              }),
            );
            const r = await inspectToken(s.text, { keys: replaced as never });
            expect(r.decrypted).toBeNull();
            expect(r.decryptReason).toMatch(/fail|unsupported|fits/i);
          });
        }
      }
    });
  }

  it('§6 nesting: the JWE decrypts to the JWS, which verifies with the signing key', async () => {
    const n = JSON.parse(readFileSync(join(dir, '6.nesting_signatures_and_encryption.json'), 'utf8'));
    const r = await inspectToken(n.encrypt.output.compact, { keys: [n.encrypt.input.key, n.sign.input.key] });
    expect(r.header.cty).toBe('JWT');
    const inner = r.decrypted as TokenReport;
    expect(inner.kind).toBe('JWS');
    expect(inner.signature?.verified).toBe(true);
    expect((inner.payload as Record<string, unknown>).iss).toBe('hobbiton.example');
  });
});

describe('decodeToken on arbitrary input', () => {
  const onlyCoreErrors = (s: string) => {
    try {
      decodeToken(s);
    } catch (e) {
      if (!(e instanceof CoreError)) throw new Error(`non-CoreError thrown for ${JSON.stringify(s)}: ${String(e)}`);
      expect(e.code === 'TOKEN_MALFORMED' || e.code === 'INPUT_TOO_LARGE').toBe(true);
      expect(e.message.length).toBeGreaterThan(10);
    }
  };
  it('throws nothing but CoreError on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), onlyCoreErrors), { numRuns: 2000 });
  });
  it('throws nothing but CoreError on dotted base64url-ish strings (broken base64, broken JSON)', () => {
    const part = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=%'.split('')), maxLength: 40 });
    const headerish = fc.oneof(part, fc.json().map((j) => Buffer.from(j).toString('base64url')));
    fc.assert(
      fc.property(headerish, fc.array(part, { minLength: 0, maxLength: 6 }), (h, rest) => onlyCoreErrors([h, ...rest].join('.'))),
      { numRuns: 2000 },
    );
  });
  it('throws nothing but CoreError on arbitrary JSON', () => {
    fc.assert(fc.property(fc.json(), (j) => onlyCoreErrors(j)), { numRuns: 1000 });
    fc.assert(
      fc.property(fc.record({ payload: fc.anything(), signatures: fc.anything(), ciphertext: fc.anything(), protected: fc.anything() }, { requiredKeys: [] }), (o) =>
        onlyCoreErrors(JSON.stringify(o) ?? '{}'),
      ),
      { numRuns: 1000 },
    );
  });
  it('gives clear messages for common mistakes', () => {
    expect(() => decodeToken('')).toThrow(/empty/);
    expect(() => decodeToken('abc')).toThrow(/dot-separated/);
    expect(() => decodeToken('a.b')).toThrow(/3 dot-separated parts .* 2/);
    expect(() => decodeToken('eyJhbGciOiJIUzI1NiJ9.e30.sig!')).toThrow(/signature is not base64url/);
    expect(() => decodeToken('bm90IGpzb24.e30.')).toThrow(/header is not JSON/);
    expect(() => decodeToken('{"payload":"e30"}')).toThrow(/"signatures" or "signature"/);
  });
});

describe('inspectToken on arbitrary input', () => {
  it('rejects only with CoreError (tokens and keys)', async () => {
    const { inspectToken: inspect } = await import('../src/core/tokens/index');
    const part = fc.string({ unit: fc.constantFrom(...'eyJhbGciOiJIUzI1NiJ9ABCxyz0123-_.'.split('')), maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(part, fc.oneof(fc.constant(undefined), fc.json(), fc.string()), async (t, key) => {
        try {
          await inspect(t, { keys: key as never });
        } catch (e) {
          if (!(e instanceof CoreError)) throw new Error(`non-CoreError for ${JSON.stringify([t, key])}: ${String(e)}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
