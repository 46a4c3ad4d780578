/**
 * `coatcheck inspect [--key JWK|PEM|JWKS-file] [--jwks-url URL | --discover] [--expect-aud V]
 * [--expect-iss V] [--format text|json] [--fail-on LEVEL] [--reveal] <token|->`
 */
import { atLeast, CoreError, decodeToken, type FetchPolicy, formatDuration, inspectToken, isProviderEndpointHost, type JsonObject, type KeyInput, numericDateIso, parseKeys, redactText, redactValue, type Severity, type SignatureInfo, type TokenFinding, type TokenReport, verificationFailed } from '../core';
import { argTokens, CommandError, FetchRefused, failWith, startCommand, fetchJson, painter, parseSeverity, severityStyle, type CliIO, type GuardedFetch, type Paint } from './io';

export const INSPECT_HELP = `Usage: coatcheck inspect [options] <token|->

Decode a JWT / JWS / JWE (compact or JSON serialization), show its header and claims with human
dates, verify the signature or decrypt it when a key is given, and report token-level findings
(jwt-alg-none, audience problems, expiry, risky headers). "-" reads the token(s) from stdin.

Options:
  --key K              a JWK, JWKS or PEM: inline ('{...}' or '-----BEGIN ...') or a file path;
                       repeatable (a private key decrypts a JWE)
  --jwks-url URL       fetch the verification keys from a JWKS URL
  --discover           fetch the keys from the token issuer's metadata (jwks_uri); a jwks_uri on
                       another site than the issuer is not followed (give it with --jwks-url)
  --allow-private      let --discover and --jwks-url reach loopback, private and link-local hosts
                       and plain http there (a local AS); by default only public https hosts, so
                       that a token cannot make CoatCheck call into your network
  --payload FILE|-     the payload of a JWS with a detached payload (RFC 7515 Appendix F, and
                       RFC 7797 "b64": false as open-banking x-jws-signature headers use): the
                       file's exact content, or standard input with -
  --expect-aud V       the audience the token must carry (e.g. your client_id)
  --expect-iss V       the issuer the token must carry
  --format text|json   output format (default text)
  --fail-on LEVEL      exit 1 when a finding is at or above LEVEL: critical, high, medium, low,
                       info or none (default high); a signature that fails to verify also exits 1
  --reveal             show secret claims (nonce, state, codes, tokens) in full
  -h, --help           this help

Exit codes: 0 no finding at or above --fail-on and no failed signature, 1 otherwise, 2 could not
run (malformed token, bad key, unreachable URL).
`;

interface InspectArgs {
  keys: string[];
  jwksUrl?: string;
  discover: boolean;
  allowPrivate: boolean;
  payload?: string;
  expectAud?: string;
  expectIss?: string;
  format: 'text' | 'json';
  failOn: Severity | 'none';
  reveal: boolean;
  help: boolean;
  tokens: string[];
}

export function parseInspectArgs(argv: string[]): InspectArgs {
  const a: InspectArgs = { keys: [], discover: false, allowPrivate: false, format: 'text', failOn: 'high', reveal: false, help: false, tokens: [] };
  for (const { arg, name, option, value } of argTokens(argv)) {
    switch (name) {
      case '-h':
      case '--help':
        a.help = true;
        break;
      case '--key':
        a.keys.push(value());
        break;
      case '--jwks-url':
        a.jwksUrl = value();
        break;
      case '--discover':
        a.discover = true;
        break;
      case '--allow-private':
        a.allowPrivate = true;
        break;
      case '--payload':
        a.payload = value();
        break;
      case '--expect-aud':
        a.expectAud = value();
        break;
      case '--expect-iss':
        a.expectIss = value();
        break;
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json') throw new CommandError(`--format must be text or json (got '${v}')`);
        a.format = v;
        break;
      }
      case '--fail-on':
        a.failOn = parseSeverity('--fail-on', value(), true);
        break;
      case '--reveal':
        a.reveal = true;
        break;
      default:
        if (option) throw new CommandError(`unknown option '${arg}' (see coatcheck inspect --help)`);
        a.tokens.push(arg);
    }
  }
  return a;
}

/** Keys given with --key: inline JSON / PEM, or a file to read. */
async function loadKey(io: CliIO, k: string): Promise<KeyInput> {
  const t = k.trim();
  if (t.startsWith('{') || t.startsWith('[') || t.includes('-----BEGIN')) return t;
  let text: string;
  try {
    text = await io.readFile(k);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CommandError(`cannot read key file ${k}${code ? ` (${code})` : ''}`);
  }
  try {
    parseKeys(text);
  } catch (e) {
    throw new CommandError(`bad key file ${k}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return text;
}

/** The detached payload, exactly as stored (no newline trimmed: the signature covers every byte). */
async function readPayload(io: CliIO, where: string): Promise<string> {
  if (where === '-') return io.readStdin();
  try {
    return await io.readFile(where);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CommandError(`cannot read payload file ${where}${code ? ` (${code})` : ''}`);
  }
}

async function jwksFrom(io: CliIO, url: string, fetchOpts: GuardedFetch): Promise<JsonObject> {
  if (!/^https?:\/\//i.test(url)) throw new CommandError(`--jwks-url must be an http(s) URL (got '${url}')`);
  const doc = await fetchJson(io, url, 'the JWKS', fetchOpts);
  if (!Array.isArray(doc.keys)) throw new CommandError(`the document at ${url} is not a JWKS (no "keys" array)`);
  return doc;
}

/** OIDC Discovery (appended) first, then RFC 8414 (inserted): the issuer's jwks_uri. */
async function discoverJwks(io: CliIO, iss: string, policy: FetchPolicy): Promise<{ jwks: JsonObject; from: string }> {
  let u: URL;
  try {
    u = new URL(iss);
  } catch {
    throw new CommandError(`--discover: the token's iss "${iss}" is not a URL`);
  }
  const path = u.pathname.replace(/\/+$/, '');
  const candidates = [`${u.origin}${path}/.well-known/openid-configuration`, `${u.origin}/.well-known/oauth-authorization-server${path}`];
  const errors: string[] = [];
  for (const c of candidates) {
    try {
      const md = await fetchJson(io, c, 'metadata', { policy });
      if (typeof md.jwks_uri !== 'string') {
        errors.push(`${c} has no jwks_uri`);
        continue;
      }
      // the token named the issuer, the issuer's document names the keys: both are the token
      // sender's choice, so the keys must live on the issuer's site (or a host its provider owns)
      return { jwks: await jwksFrom(io, md.jwks_uri, { policy, issuer: { url: iss, sameOwner: (h) => isProviderEndpointHost(iss, h) } }), from: md.jwks_uri };
    } catch (e) {
      if (e instanceof FetchRefused) throw e;
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  throw new CommandError(`--discover: no keys found for issuer ${iss}: ${errors.join('; ')}`);
}

const SECRET_CLAIMS = new Set([
  'nonce', 'state', 'code', 'access_token', 'refresh_token', 'id_token', 'client_secret', 'code_verifier',
  'assertion', 'client_assertion', 'password', 'session_state', 'sid',
]);

function redactClaims(v: unknown, depth = 0): unknown {
  if (depth > 6 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redactClaims(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = SECRET_CLAIMS.has(k) && typeof x === 'string' && x !== '' ? redactValue(x) : redactClaims(x, depth + 1);
  }
  return out;
}

interface TokenJson {
  kind: string;
  serialization: string;
  header: JsonObject;
  unprotectedHeader?: JsonObject;
  payload: unknown;
  detached?: boolean;
  signature?: { verified: boolean | null; kid: string | null; alg: string | null; reason: string | null };
  signatures?: { verified: boolean | null; kid: string | null; alg: string | null; reason: string | null; protected: JsonObject; header?: JsonObject }[];
  recipients?: TokenReport['recipients'];
  decrypted: TokenJson | string | null;
  decryptReason?: string | null;
  times?: TokenReport['times'];
  findings: TokenFinding[];
}

function sigJson(s: SignatureInfo) {
  return { verified: s.verified, kid: s.kid, alg: s.alg, reason: s.reason };
}

/** The stable JSON shape of companion-cli.md ("inspect --format json"). */
export function toTokenJson(r: TokenReport, reveal: boolean): TokenJson {
  const payload = reveal ? r.payload : typeof r.payload === 'string' ? redactText(r.payload, { redact: true }) : redactClaims(r.payload);
  const out: TokenJson = {
    kind: r.kind,
    serialization: r.serialization,
    header: r.header,
    ...(r.unprotectedHeader ? { unprotectedHeader: r.unprotectedHeader } : {}),
    payload,
    ...(r.detached ? { detached: true } : {}),
    decrypted: null,
    findings: r.findings,
  };
  if (r.signatures) out.signatures = r.signatures.map((s) => ({ ...sigJson(s), protected: s.protected, ...(s.header ? { header: s.header } : {}) }));
  else if (r.signature) out.signature = sigJson(r.signature);
  if (r.kind === 'JWE') {
    out.recipients = r.recipients;
    out.decrypted =
      r.decrypted === null || r.decrypted === undefined
        ? null
        : typeof r.decrypted === 'string'
          ? reveal
            ? r.decrypted
            : redactText(r.decrypted, { redact: true })
          : toTokenJson(r.decrypted, reveal);
    out.decryptReason = r.decryptReason ?? null;
  }
  if (r.times) out.times = r.times;
  return out;
}

function allFindings(r: TokenReport): TokenFinding[] {
  const inner = r.decrypted && typeof r.decrypted === 'object' ? allFindings(r.decrypted) : [];
  return [...r.findings, ...inner];
}

const DATE_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time', 'updated_at']);

function relative(sec: number, now: number): string {
  const d = sec - now / 1000;
  return d >= 0 ? `in ${formatDuration(d)}` : `${formatDuration(-d)} ago`;
}

function valueText(k: string, v: unknown, now: number): string {
  const iso = DATE_CLAIMS.has(k) ? numericDateIso(v) : undefined;
  if (iso) return `${v}  (${iso.replace('.000Z', 'Z')}, ${relative(v as number, now)})`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function objectLines(o: unknown, indent: string, now: number): string[] {
  if (typeof o === 'string') return o.split('\n').map((l) => `${indent}${l}`);
  if (!o || typeof o !== 'object') return [`${indent}${JSON.stringify(o)}`];
  const entries = Object.entries(o);
  if (entries.length === 0) return [`${indent}(empty)`];
  return entries.map(([k, v]) => `${indent}${k}: ${valueText(k, v, now)}`);
}

function sigLine(s: { verified: boolean | null; kid: string | null; alg: string | null; reason: string | null }, p: Paint): string {
  const id = `${s.alg ?? '?'}${s.kid ? `, kid ${s.kid}` : ''}`;
  if (s.verified === true) return `${p('green', 'verified')} (${id})`;
  if (s.verified === false) return `${p('red', 'NOT verified')} (${id}): ${s.reason ?? ''}`;
  return `${p('dim', 'not checked')} (${id}): ${s.reason ?? 'no key given'}`;
}

function textOf(t: TokenJson, title: string, indent: string, p: Paint, now: number): string[] {
  const lines: string[] = [];
  lines.push(`${indent}${p('bold', title)}: ${t.kind} (${t.serialization} serialization)`);
  lines.push(`${indent}  ${t.kind === 'JWE' ? 'Protected header' : 'Header'}:`);
  lines.push(...objectLines(t.header, `${indent}    `, now));
  if (t.unprotectedHeader) {
    lines.push(`${indent}  Unprotected header:`);
    lines.push(...objectLines(t.unprotectedHeader, `${indent}    `, now));
  }
  if (t.kind !== 'JWE') {
    lines.push(`${indent}  Payload${t.detached ? ' (detached: not in the token; give it with --payload to verify)' : ''}:`);
    if (!t.detached) lines.push(...objectLines(t.payload, `${indent}    `, now));
    if (t.times?.lifetimeSeconds !== undefined) lines.push(`${indent}    ${p('dim', `lifetime: ${formatDuration(t.times.lifetimeSeconds)}`)}`);
    if (t.signatures) {
      lines.push(`${indent}  Signatures:`);
      t.signatures.forEach((s, i) => lines.push(`${indent}    ${i + 1}. ${sigLine(s, p)}`));
    } else if (t.signature) lines.push(`${indent}  Signature: ${sigLine(t.signature, p)}`);
  } else {
    if (t.recipients && t.recipients.length > 1) lines.push(`${indent}  Recipients: ${t.recipients.length}`);
    if (t.decrypted === null) lines.push(`${indent}  Decrypted: ${p('dim', 'no')} (${t.decryptReason ?? 'no key given'})`);
    else if (typeof t.decrypted === 'string') {
      lines.push(`${indent}  Decrypted content:`);
      lines.push(...objectLines(t.decrypted, `${indent}    `, now));
    } else lines.push(...textOf(t.decrypted, 'Nested token', `${indent}  `, p, now));
  }
  if (t.findings.length) {
    lines.push(`${indent}  Findings:`);
    for (const f of t.findings) lines.push(`${indent}    ${p(severityStyle(f.severity), `[${f.severity}]`)} ${f.ruleId}: ${f.message}`);
  } else lines.push(`${indent}  Findings: none`);
  return lines;
}

/** `coatcheck inspect`: 0 clean, 1 finding at/above --fail-on or a failed signature, 2 could not run. */
export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const args = startCommand(argv, io, 'inspect', parseInspectArgs, INSPECT_HELP);
  if (typeof args === 'number') return args;
  try {
    // the tokens
    let inputs: string[] = [];
    for (const t of args.tokens) {
      if (t === '-') {
        const text = (await io.readStdin()).trim();
        if (text.startsWith('{')) inputs.push(text);
        else {
          // one token per line; tolerate a pasted "Authorization: Bearer <token>"
          const lines = text.split(/\r?\n/).map((l) => l.trim().replace(/^(authorization:\s*)?(bearer|dpop)\s+/i, ''));
          inputs.push(...lines.flatMap((l) => l.split(/\s+/)).filter(Boolean));
        }
      } else inputs.push(t);
    }
    if (args.tokens.length === 0) throw new CommandError('no token given (pass it as an argument, or - to read standard input); see --help');
    if (args.payload === '-' && args.tokens.includes('-')) throw new CommandError('--payload - and a token from standard input cannot share it: give one of them as a file');
    const detachedPayload = args.payload === undefined ? undefined : await readPayload(io, args.payload);
    inputs = inputs.filter((x) => x.length > 0);
    if (inputs.length === 0) throw new CommandError('standard input holds no token');
    // decode first: a malformed token is exit 2 before any network access
    const decoded = inputs.map((t, i) => {
      try {
        return decodeToken(t);
      } catch (e) {
        const where = inputs.length > 1 ? ` (token ${i + 1})` : '';
        throw new CommandError(`malformed token${where}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    // the keys
    const keys: KeyInput[] = [];
    for (const k of args.keys) keys.push(await loadKey(io, k));
    const policy: FetchPolicy = { allowPrivate: args.allowPrivate };
    if (args.jwksUrl) keys.push(await jwksFrom(io, args.jwksUrl, { policy }));
    if (args.discover) {
      const issuers = new Set<string>();
      for (const d of decoded) {
        const iss = d.payload && typeof d.payload === 'object' ? d.payload.iss : undefined;
        if (typeof iss === 'string') issuers.add(iss);
      }
      if (issuers.size === 0) throw new CommandError('--discover: the token has no readable iss claim (a JWE must be decrypted first; use --jwks-url)');
      for (const iss of issuers) keys.push((await discoverJwks(io, iss, policy)).jwks);
    }
    try {
      parseKeys(keys);
    } catch (e) {
      throw new CommandError(`bad key: ${e instanceof Error ? e.message : String(e)}`);
    }
    const reports: TokenReport[] = [];
    for (const t of inputs) {
      try {
        reports.push(
          await inspectToken(t, {
            keys: keys.length ? keys : undefined,
            expectAud: args.expectAud,
            expectIss: args.expectIss,
            detachedPayload,
          }),
        );
      } catch (e) {
        if (e instanceof CoreError && e.code === 'KEY_INVALID') throw new CommandError(`bad key: ${e.message}`);
        if (e instanceof CoreError) throw new CommandError(`malformed token: ${e.message}`);
        throw e;
      }
    }
    const out = reports.map((r) => toTokenJson(r, args.reveal));
    if (args.format === 'json') io.stdout(`${JSON.stringify({ version: 1, tokens: out }, null, 2)}\n`);
    else {
      const p = painter(io.color);
      const now = Date.now();
      const blocks = out.map((t, i) => textOf(t, out.length > 1 ? `Token ${i + 1}` : 'Token', '', p, now).join('\n'));
      io.stdout(`${blocks.join('\n\n')}\n`);
    }
    const findings = reports.flatMap(allFindings);
    const failedSig = reports.some(verificationFailed);
    const overThreshold = args.failOn !== 'none' && findings.some((f) => atLeast(f.severity, args.failOn as Severity));
    return failedSig || overThreshold ? 1 : 0;
  } catch (e) {
    if (e instanceof CommandError) return failWith(io, 'inspect', e.message, args.format === 'json');
    if (e instanceof CoreError) return failWith(io, 'inspect', e.message, args.format === 'json');
    throw e;
  }
}
