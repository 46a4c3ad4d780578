/**
 * Verification and decryption with jose (pure WebCrypto: runs in the service worker, the panel,
 * the CLI and vitest). `inspectToken` = decodeToken + verify every signature with the given keys +
 * decrypt a JWE (a nested token is inspected in turn) + the token-level findings.
 */
import {
  compactDecrypt,
  exportJWK,
  flattenedDecrypt,
  flattenedVerify,
  generalDecrypt,
  importJWK,
  importPKCS8,
  importSPKI,
  importX509,
  type JWK,
} from 'jose';
import { CoreError } from '../errors';
import { decodeToken, type JsonObject, type SignatureInfo, type TokenReport } from './decode';
import { tokenFindings, type TokenCheckOptions } from './findings';

/** A key as the caller has it: JWK, JWKS or PEM text, a JWK/JWKS object, or raw secret bytes. */
export type KeyInput = string | JsonObject | Uint8Array;

export interface InspectOptions extends TokenCheckOptions {
  keys?: KeyInput | KeyInput[];
  /** the payload of a detached JWS (RFC 7515 App. F), as text */
  detachedPayload?: string;
}

type PemKind = 'spki' | 'pkcs8' | 'x509';
export type KeyEntry = { jwk: JWK } | { pem: string; pemKind: PemKind } | { secret: Uint8Array };

/** jose 6 algorithms; anything else is reported as unsupported rather than failing obscurely. */
const JWS_ALGS = new Set(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);
const JWE_ALGS = [
  'dir', 'RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW',
  'ECDH-ES+A256KW', 'A128KW', 'A192KW', 'A256KW', 'A128GCMKW', 'A192GCMKW', 'A256GCMKW', 'PBES2-HS256+A128KW',
  'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW',
];
const JWE_ALG_SET = new Set(JWE_ALGS);
const MAX_DEPTH = 4;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

function keyError(message: string): CoreError {
  return new CoreError('KEY_INVALID', message);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jwkOf(o: JsonObject, where: string): JWK {
  if (typeof o.kty !== 'string') throw keyError(`${where} is not a JWK: it has no "kty".`);
  return o as JWK;
}

/** Parse one key input into entries. Throws CoreError('KEY_INVALID') with a clear message. */
export function parseKeys(input: KeyInput | KeyInput[] | undefined): KeyEntry[] {
  if (input === undefined) return [];
  const list = Array.isArray(input) ? input : [input];
  const out: KeyEntry[] = [];
  list.forEach((k, i) => {
    const where = list.length > 1 ? `Key ${i + 1}` : 'The key';
    if (k instanceof Uint8Array) {
      out.push({ secret: k });
      return;
    }
    if (isObject(k)) {
      if (Array.isArray(k.keys)) {
        if (k.keys.length === 0) throw keyError(`${where} is an empty JWKS.`);
        k.keys.forEach((x, j) => {
          if (!isObject(x)) throw keyError(`${where}: JWKS entry ${j} is not an object.`);
          out.push({ jwk: jwkOf(x, `${where}: JWKS entry ${j}`) });
        });
      } else out.push({ jwk: jwkOf(k, where) });
      return;
    }
    if (typeof k !== 'string') throw keyError(`${where} must be a JWK, a JWKS or PEM text.`);
    const t = k.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch (e) {
        throw keyError(`${where} starts like JSON but does not parse (${e instanceof Error ? e.message : 'parse error'}).`);
      }
      if (Array.isArray(v)) out.push(...parseKeys(v as KeyInput[]));
      else if (isObject(v)) out.push(...parseKeys(v));
      else throw keyError(`${where} is JSON but neither a JWK nor a JWKS.`);
      return;
    }
    if (t.includes('-----BEGIN')) {
      const blocks = [...t.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
      if (blocks.length === 0) throw keyError(`${where} looks like PEM but has no complete BEGIN/END block.`);
      for (const b of blocks) {
        const label = b[1];
        const kind: PemKind | undefined =
          label === 'PUBLIC KEY' ? 'spki' : label === 'PRIVATE KEY' ? 'pkcs8' : label === 'CERTIFICATE' ? 'x509' : undefined;
        if (!kind) {
          throw keyError(
            `${where}: PEM "${label}" is not supported; use "PUBLIC KEY" (SPKI), "PRIVATE KEY" (PKCS#8) or "CERTIFICATE" (convert with: openssl pkey -pubout).`,
          );
        }
        out.push({ pem: b[0], pemKind: kind });
      }
      return;
    }
    throw keyError(`${where} is neither JSON (JWK or JWKS) nor PEM.`);
  });
  return out;
}

function ktyForJws(alg: string): string | undefined {
  if (/^HS/.test(alg)) return 'oct';
  if (/^(RS|PS)/.test(alg)) return 'RSA';
  if (/^ES/.test(alg)) return 'EC';
  if (alg === 'EdDSA' || alg === 'Ed25519') return 'OKP';
  return undefined;
}

function ktysForJwe(alg: string): string[] {
  if (alg.startsWith('RSA')) return ['RSA'];
  if (alg.startsWith('ECDH-ES')) return ['EC', 'OKP'];
  return ['oct'];
}

function entryKty(e: KeyEntry): string | undefined {
  if ('jwk' in e) return e.jwk.kty;
  if ('secret' in e) return 'oct';
  return undefined; // PEM: decided by the import
}

type JoseKey = Awaited<ReturnType<typeof importJWK>>;

async function importFor(e: KeyEntry, alg: string, purpose: 'verify' | 'decrypt'): Promise<JoseKey> {
  if ('secret' in e) return e.secret;
  if ('jwk' in e) {
    let jwk: JWK = { ...e.jwk };
    delete jwk.alg; // the token's alg decides; a mismatching alg member was filtered out already
    delete jwk.key_ops;
    delete jwk.use;
    if (purpose === 'verify' && jwk.kty !== 'oct') for (const m of PRIVATE_MEMBERS) delete (jwk as Record<string, unknown>)[m];
    if (purpose === 'decrypt' && /^PBES2/.test(alg) && jwk.kty === 'oct' && typeof jwk.k === 'string') {
      jwk = { kty: 'oct', k: jwk.k };
    }
    return importJWK(jwk, alg);
  }
  if (e.pemKind === 'spki') return importSPKI(e.pem, alg);
  if (e.pemKind === 'x509') return importX509(e.pem, alg);
  const priv = await importPKCS8(e.pem, alg, { extractable: true });
  if (purpose === 'decrypt') return priv;
  const jwk = await exportJWK(priv);
  for (const m of PRIVATE_MEMBERS) delete (jwk as Record<string, unknown>)[m];
  return importJWK(jwk, alg);
}

function candidates(keys: KeyEntry[], alg: string, kid: string | null, ktys: string[], use: 'sig' | 'enc', enc?: string): KeyEntry[] {
  const fit = keys.filter((e) => {
    const kty = entryKty(e);
    if (kty !== undefined && !ktys.includes(kty)) return false;
    if ('jwk' in e) {
      // a "dir" key names the content encryption algorithm as its alg (RFC 7520 §5.6)
      if (e.jwk.alg !== undefined && e.jwk.alg !== alg && !(alg === 'dir' && e.jwk.alg === enc)) return false;
      if (e.jwk.use !== undefined && e.jwk.use !== use) return false;
    }
    return true;
  });
  // kid matches first; keys with another kid are still tried (a user-given key need not carry one)
  const rank = (e: KeyEntry) => ('jwk' in e && kid !== null ? (e.jwk.kid === kid ? 0 : e.jwk.kid === undefined ? 1 : 2) : 1);
  return fit.sort((a, b) => rank(a) - rank(b));
}

function errMessage(e: unknown): string {
  if (e instanceof CoreError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

function b64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64urlToBytes(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function hmacVerify(e: KeyEntry, alg: string, signingInput: string, signature: string): Promise<boolean> {
  let raw: Uint8Array;
  if ('secret' in e) raw = e.secret;
  else if ('jwk' in e && typeof e.jwk.k === 'string') raw = b64urlToBytes(e.jwk.k);
  else throw new Error('not a symmetric key');
  const key = await crypto.subtle.importKey('raw', raw as BufferSource, { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['verify']);
  return crypto.subtle.verify('HMAC', key, b64urlToBytes(signature) as BufferSource, new TextEncoder().encode(signingInput) as BufferSource);
}

async function verifyOne(
  info: SignatureInfo,
  jws: { protected?: string; header?: JsonObject; payload: string; signature: string },
  keys: KeyEntry[],
): Promise<SignatureInfo> {
  const alg = info.alg;
  if (keys.length === 0) return { ...info, verified: null, reason: 'no key given' };
  if (alg === null || alg === '') return { ...info, verified: false, reason: 'the header has no "alg"' };
  if (alg.toLowerCase() === 'none') return { ...info, verified: false, reason: 'alg "none": the token is unsecured and cannot be verified' };
  if (info.empty) return { ...info, verified: false, reason: 'the signature is empty' };
  if (!JWS_ALGS.has(alg)) return { ...info, verified: false, reason: `alg "${alg}" is not supported by the verifier (jose)` };
  const kty = ktyForJws(alg)!;
  const cands = candidates(keys, alg, info.kid, [kty], 'sig');
  if (cands.length === 0) {
    return { ...info, verified: false, reason: `none of the ${keys.length} given key(s) fits alg "${alg}" (needs kty ${kty}${info.kid ? `, kid "${info.kid}"` : ''})` };
  }
  // RFC 7797 payloads marked b64=false without "crit" (jose then ignores b64): HMAC by hand
  const manual = info.protected.b64 === false && !(Array.isArray(info.protected.crit) && info.protected.crit.includes('b64'));
  let last = '';
  for (const c of cands) {
    try {
      if (manual) {
        if (!/^HS/.test(alg)) throw new Error(`b64=false without "crit" is only verified for HMAC algorithms, not "${alg}"`);
        if (await hmacVerify(c, alg, `${jws.protected ?? ''}.${jws.payload}`, jws.signature)) {
          return { ...info, verified: true, reason: null };
        }
        throw new Error('signature verification failed');
      }
      const key = await importFor(c, alg, 'verify');
      await flattenedVerify(
        { signature: jws.signature, payload: jws.payload, ...(jws.protected !== undefined ? { protected: jws.protected } : {}), ...(jws.header ? { header: jws.header as never } : {}) },
        key,
        { algorithms: [alg] },
      );
      return { ...info, verified: true, reason: null, ...(info.kid === null && 'jwk' in c && c.jwk.kid ? { kid: c.jwk.kid } : {}) };
    } catch (e) {
      last = errMessage(e);
    }
  }
  return { ...info, verified: false, reason: cands.length === 1 ? `verification failed: ${last}` : `no key among ${cands.length} candidates verifies it (last error: ${last})` };
}

async function verifyJws(r: TokenReport, keys: KeyEntry[], opts: InspectOptions): Promise<void> {
  const raw = r.raw;
  if (raw.type !== 'jws-compact' && raw.type !== 'jws-json') return;
  let payload = raw.type === 'jws-compact' ? raw.payload : raw.payload;
  const b64 = (raw.type === 'jws-compact' ? r.header.b64 : r.signatures?.[0]?.protected.b64 ?? r.signature?.protected.b64) !== false;
  if (r.detached || payload === undefined || (raw.type === 'jws-compact' && raw.payload === '')) {
    if (opts.detachedPayload === undefined) {
      const noPayload = (s: SignatureInfo): SignatureInfo => ({ ...s, verified: keys.length ? false : null, reason: keys.length ? 'detached payload: supply it to verify' : 'no key given' });
      if (r.signature) r.signature = noPayload(r.signature);
      if (r.signatures) r.signatures = r.signatures.map(noPayload);
      return;
    }
    payload = b64 ? b64url(opts.detachedPayload) : opts.detachedPayload;
  }
  if (raw.type === 'jws-compact') {
    r.signature = await verifyOne(r.signature!, { protected: raw.protected, payload: payload!, signature: raw.signature }, keys);
    return;
  }
  const infos = r.signatures ?? [r.signature!];
  const verified: SignatureInfo[] = [];
  for (let i = 0; i < raw.signatures.length; i++) {
    const s = raw.signatures[i];
    verified.push(await verifyOne(infos[i], { protected: s.protected, header: s.header, payload: payload!, signature: s.signature }, keys));
  }
  if (r.signatures) r.signatures = verified;
  else r.signature = verified[0];
}

function looksLikeToken(text: string): boolean {
  const t = text.trim();
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(t) || /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/.test(t)) return true;
  if (t.startsWith('{')) {
    try {
      const v = JSON.parse(t) as unknown;
      return isObject(v) && ('ciphertext' in v || 'signatures' in v || ('signature' in v && 'payload' in v));
    } catch {
      return false;
    }
  }
  return false;
}

async function decryptJwe(r: TokenReport, keys: KeyEntry[], opts: InspectOptions, depth: number): Promise<void> {
  const raw = r.raw;
  if (raw.type !== 'jwe-compact' && raw.type !== 'jwe-json') return;
  if (keys.length === 0) {
    r.decrypted = null;
    r.decryptReason = 'no key given';
    return;
  }
  const shared = { ...(r.unprotectedHeader ?? {}), ...r.header };
  const recips = r.recipients ?? [{ hasEncryptedKey: true }];
  const algs = recips.map((x) => {
    const a = { ...(x.header ?? {}), ...shared }.alg;
    return typeof a === 'string' ? a : '';
  });
  const supported = algs.filter((a) => JWE_ALG_SET.has(a));
  if (supported.length === 0) {
    r.decrypted = null;
    r.decryptReason = `unsupported: key management algorithm ${algs.map((a) => `"${a}"`).join(', ')} is not supported by the decrypter (jose 6)`;
    return;
  }
  const options = { keyManagementAlgorithms: JWE_ALGS, maxPBES2Count: 100_000, maxDecompressedLength: 1_000_000 };
  const tried: string[] = [];
  for (const alg of [...new Set(supported)]) {
    const kid = (() => {
      const i = algs.indexOf(alg);
      const k = { ...(recips[i]?.header ?? {}), ...shared }.kid;
      return typeof k === 'string' ? k : null;
    })();
    const enc = typeof shared.enc === 'string' ? shared.enc : undefined;
    for (const c of candidates(keys, alg, kid, ktysForJwe(alg), 'enc', enc)) {
      try {
        const key = await importFor(c, alg, 'decrypt');
        // jose passes the protected header and the token; the alg may sit in an unprotected header
        const getKey = async (prot: JsonObject | undefined, token: { unprotected?: JsonObject; header?: JsonObject } | undefined) => {
          const joint = { ...(token?.unprotected ?? {}), ...(token?.header ?? {}), ...(prot ?? {}) };
          if (joint.alg !== alg) throw new Error('other recipient');
          return key;
        };
        let plaintext: Uint8Array;
        if (raw.type === 'jwe-compact') plaintext = (await compactDecrypt(raw.compact, getKey as never, options)).plaintext;
        else if (r.serialization === 'json') plaintext = (await generalDecrypt(raw.jwe as never, getKey as never, options)).plaintext;
        else plaintext = (await flattenedDecrypt(raw.jwe as never, getKey as never, options)).plaintext;
        const text = new TextDecoder('utf-8', { fatal: false }).decode(plaintext);
        r.decryptReason = null;
        if (depth < MAX_DEPTH && looksLikeToken(text)) {
          try {
            r.decrypted = await inspectAt(text, opts, depth + 1);
            return;
          } catch {
            /* not a token after all: show the text */
          }
        }
        r.decrypted = text;
        return;
      } catch (e) {
        tried.push(errMessage(e));
      }
    }
  }
  r.decrypted = null;
  r.decryptReason = tried.length
    ? `decryption failed with every fitting key: ${[...new Set(tried)].join('; ')}`
    : `none of the given keys fits alg ${supported.map((a) => `"${a}"`).join(', ')}`;
}

async function inspectAt(input: string, opts: InspectOptions, depth: number): Promise<TokenReport> {
  const keys = parseKeys(opts.keys);
  const r = decodeToken(input);
  if (r.kind === 'JWE') await decryptJwe(r, keys, opts, depth);
  else await verifyJws(r, keys, opts);
  r.findings = tokenFindings(r, opts);
  return r;
}

/**
 * Decode, verify (JWS) or decrypt (JWE) with jose, and run the token-level checks. Throws
 * CoreError: TOKEN_MALFORMED for a token that does not decode, KEY_INVALID for a bad key.
 * A signature that does not verify is not an error: `verified: false` with a reason.
 */
export async function inspectToken(input: string, opts: InspectOptions = {}): Promise<TokenReport> {
  return inspectAt(input, opts, 0);
}

/** True when every signature of the report (and of nested tokens) that could be checked verified. */
export function verificationFailed(r: TokenReport): boolean {
  const sigs = r.signatures ?? (r.signature ? [r.signature] : []);
  if (sigs.some((s) => s.verified === false)) return true;
  if (r.decrypted && typeof r.decrypted === 'object') return verificationFailed(r.decrypted);
  return false;
}
