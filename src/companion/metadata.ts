/**
 * `coatcheck metadata <issuer-url|metadata-url|file.json> [--format text|json] [--fail-on LEVEL]`
 * — fetch or read RFC 8414 / OIDC Discovery metadata and audit it.
 */
import { atLeast, auditMetadata, CLIENT_AUTH_ENDPOINTS, type FetchPolicy, jsonNestsDeeperThan, MAX_JSON_DEPTH, type Severity, severityRank, type TokenFinding } from '../core';
import { argTokens, CommandError, failWith, startCommand, fetchErrorMessage, FetchRefused, guardedFetch, painter, parseSeverity, severityStyle, type CliIO } from './io';

export const METADATA_HELP = `Usage: coatcheck metadata [options] <issuer-url|metadata-url|file.json>

Fetch (or read from a file) an authorization server's RFC 8414 / OpenID Connect Discovery
metadata and audit it: metadata-issuer-mismatch (RFC 8414 §3.3), metadata-endpoint-foreign
(draft-ietf-oauth-security-topics-update-03 §2.1.1.1), RFC 9207 "iss" support, PKCE S256,
PAR, and deprecated grants advertised.

An issuer URL is tried as OIDC Discovery (<issuer>/.well-known/openid-configuration) and then
as RFC 8414 (<origin>/.well-known/oauth-authorization-server<path>). A URL that already
contains /.well-known/ is fetched as it is.

Options:
  --format text|json   output format (default text)
  --fail-on LEVEL      exit 1 when a finding is at or above LEVEL: critical, high, medium, low,
                       info or none (default high)
  --allow-private      reach loopback, private and link-local hosts, and plain http there (a local
                       AS); by default only public https hosts are fetched, each redirect checked
  --reveal             accepted for symmetry with the other commands (metadata holds no secrets)
  -h, --help           this help

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 could not run (unreachable
URL, unreadable or malformed file).
`;

interface MetadataArgs {
  format: 'text' | 'json';
  allowPrivate: boolean;
  failOn: Severity | 'none';
  help: boolean;
  target?: string;
}

export function parseMetadataArgs(argv: string[]): MetadataArgs {
  const a: MetadataArgs = { format: 'text', allowPrivate: false, failOn: 'high', help: false };
  for (const { arg, name, option, value } of argTokens(argv)) {
    switch (name) {
      case '-h':
      case '--help':
        a.help = true;
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
      case '--allow-private':
        a.allowPrivate = true;
        break;
      case '--reveal':
        break;
      default:
        if (option) throw new CommandError(`unknown option '${arg}' (see coatcheck metadata --help)`);
        if (a.target !== undefined) throw new CommandError('give one issuer URL or file');
        a.target = arg;
    }
  }
  return a;
}

/** The URLs to try for an issuer (or the URL itself when it is a well-known URL). */
export function metadataUrlsFor(target: string): string[] {
  const u = new URL(target);
  if (u.pathname.includes('/.well-known/')) return [target];
  const path = u.pathname.replace(/\/+$/, '');
  return [`${u.origin}${path}/.well-known/openid-configuration`, `${u.origin}/.well-known/oauth-authorization-server${path}`];
}

interface Loaded {
  doc: Record<string, unknown>;
  url?: string;
  file?: string;
  tried: string[];
}

async function fetchMetadata(io: CliIO, target: string, policy: FetchPolicy): Promise<Loaded> {
  let urls: string[];
  try {
    urls = metadataUrlsFor(target);
  } catch {
    throw new CommandError(`not a valid URL: ${target}`);
  }
  const errors: string[] = [];
  for (const url of urls) {
    let res: Response;
    try {
      ({ res } = await guardedFetch(io, url, 'metadata', { policy }));
    } catch (e) {
      // a refused host is refused for every candidate URL: say it once, clearly
      if (e instanceof FetchRefused) throw e;
      errors.push(e instanceof CommandError ? e.message.replace(/^cannot fetch metadata from /, '') : `${url}: ${fetchErrorMessage(e)}`);
      continue;
    }
    if (!res.ok) {
      errors.push(`${url}: HTTP ${res.status}`);
      continue;
    }
    const text = await res.text().catch(() => '');
    const v = parseMetadataText(text);
    if (typeof v === 'string') {
      errors.push(`${url}: ${v}`);
      continue;
    }
    // RFC 8414 §3.3: the issuer is compared with the one the well-known URL was built from,
    // even when the server redirected elsewhere
    return { doc: v, url, tried: urls };
  }
  throw new CommandError(`cannot fetch metadata for ${target}: ${errors.join('; ')}`);
}

/** A metadata document's text (a UTF-8 BOM allowed) as a JSON object, or why it is not one. */
export function parseMetadataText(text: string): Record<string, unknown> | string {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (jsonNestsDeeperThan(t)) return `nests JSON deeper than ${MAX_JSON_DEPTH} levels`;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    return `not valid JSON (${e instanceof Error ? e.message : 'parse error'})`;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  return v as Record<string, unknown>;
}

async function readMetadataFile(io: CliIO, file: string): Promise<Loaded> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CommandError(`cannot read ${file}${code ? ` (${code})` : ''}`);
  }
  const v = parseMetadataText(text);
  if (typeof v === 'string') throw new CommandError(`${file} is ${v}`);
  return { doc: v, file, tried: [] };
}

function summary(doc: Record<string, unknown>) {
  const s = (k: string) => (typeof doc[k] === 'string' ? (doc[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(doc[k]) ? (doc[k] as unknown[]).filter((x): x is string => typeof x === 'string') : undefined);
  const endpoints: Record<string, string> = {};
  for (const k of ['authorization_endpoint', ...CLIENT_AUTH_ENDPOINTS, 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
    const v = s(k);
    if (v) endpoints[k] = v;
  }
  return {
    issuer: s('issuer') ?? null,
    endpoints,
    issParameterSupported: doc.authorization_response_iss_parameter_supported === true,
    codeChallengeMethods: list('code_challenge_methods_supported') ?? null,
    par: typeof doc.pushed_authorization_request_endpoint === 'string',
    requirePar: doc.require_pushed_authorization_requests === true,
    grantTypes: list('grant_types_supported') ?? null,
    responseTypes: list('response_types_supported') ?? null,
  };
}

/**
 * A value for the text report: one line, at most `max` characters (a hostile document's 10 MB
 * issuer would otherwise flood the terminal); the JSON output keeps values whole.
 */
function clip(v: string, max = 200): string {
  const oneLine = v.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max)}… (${oneLine.length.toLocaleString('en')} characters)` : oneLine;
}

/** `coatcheck metadata`: 0 clean, 1 finding at/above --fail-on, 2 could not run. */
export async function metadataCommand(argv: string[], io: CliIO): Promise<number> {
  const args = startCommand(argv, io, 'metadata', parseMetadataArgs, METADATA_HELP);
  if (typeof args === 'number') return args;
  try {
    if (!args.target) throw new CommandError('no issuer URL or file given; see --help');
    const loaded = /^https?:\/\//i.test(args.target) ? await fetchMetadata(io, args.target, { allowPrivate: args.allowPrivate }) : await readMetadataFile(io, args.target);
    const findings: TokenFinding[] = auditMetadata(loaded.doc, loaded.url).sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    const sum = summary(loaded.doc);
    if (args.format === 'json') {
      io.stdout(
        `${JSON.stringify({ version: 1, source: loaded.url ? { url: loaded.url } : { file: loaded.file }, metadata: sum, findings }, null, 2)}\n`,
      );
    } else {
      const p = painter(io.color);
      const lines: string[] = [];
      lines.push(`${p('bold', 'Metadata')}: ${loaded.url ?? loaded.file}`);
      lines.push(`  issuer: ${sum.issuer !== null ? clip(sum.issuer) : p('red', '(none)')}`);
      for (const [k, v] of Object.entries(sum.endpoints)) lines.push(`  ${k}: ${clip(v)}`);
      lines.push(`  RFC 9207 iss parameter: ${sum.issParameterSupported ? 'supported' : 'not advertised'}`);
      lines.push(`  PKCE methods: ${sum.codeChallengeMethods ? sum.codeChallengeMethods.join(', ') : 'not advertised'}`);
      lines.push(`  PAR: ${sum.par ? (sum.requirePar ? 'supported, required' : 'supported') : 'not advertised'}`);
      if (sum.grantTypes) lines.push(`  grant types: ${clip(sum.grantTypes.join(', '))}`);
      if (sum.responseTypes) lines.push(`  response types: ${clip(sum.responseTypes.join(', '))}`);
      lines.push(findings.length ? '  Findings:' : '  Findings: none');
      for (const f of findings) lines.push(`    ${p(severityStyle(f.severity), `[${f.severity}]`)} ${f.ruleId}: ${clip(f.message, 600)}`);
      io.stdout(`${lines.join('\n')}\n`);
    }
    if (args.failOn === 'none') return 0;
    return findings.some((f) => atLeast(f.severity, args.failOn as Severity)) ? 1 : 0;
  } catch (e) {
    if (e instanceof CommandError) return failWith(io, 'metadata', e.message, args.format === 'json');
    throw e;
  }
}
