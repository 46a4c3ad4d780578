import type { SourceRef } from '../../observe/observation';
import { siteOfOrigin } from '../../flows/keys';
import type { MetadataRecord } from '../../flows/store';
import { assertionAudiences, normUrl, receivingMetadata, type AudienceAnalysis } from '../../tokens/assertion-audience';
import { ruleToken, type TokenReport } from '../../tokens/decode';
import { hashSecret } from '../../util/secret';
import { base64url, sha256 } from '../../util/sha256';
import { originOf } from '../../util/url';
import type { RuleMemo } from '../memo';
import { defineRule } from '../types';
import { ref } from '../../report/standards';
import { audNotIssuerDraft } from './assertion-aud-not-issuer-or-target';
import { assertionShapeDrafts } from './assertion-hygiene';
import { audienceInjectionDrafts } from './audience-injection';

/**
 * One way an assertion's JWS header names its signing key. `id` is what two assertions must share
 * (hashed before it is remembered); `shown` is the public value the finding names.
 */
export interface KeyIdentity {
  id: string;
  /** the header parameter it comes from: x5t#S256, x5t, x5c, jwk or kid */
  hp: string;
  /** key material (a certificate or key thumbprint, the certificate, the key): not a mere hint */
  strong: boolean;
  variant: 'key-material' | 'kid' | 'client-kid';
  shown: string;
}

/** RFC 7638 §3.2: the required members of each key type, in lexicographic order */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a header's embedded public key, if complete */
export function jwkThumbprint(jwk: unknown): string | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const k = jwk as Record<string, unknown>;
  const members = typeof k.kty === 'string' ? THUMBPRINT_MEMBERS[k.kty] : undefined;
  if (!members) return undefined;
  const canonical: Record<string, string> = {};
  for (const m of members) {
    const v = k[m];
    if (typeof v !== 'string' || v.length === 0 || v.length > 4096) return undefined;
    canonical[m] = v;
  }
  return base64url(sha256(JSON.stringify(canonical)));
}

/** RFC 7515 §4.1.8: x5t#S256 of the first certificate of an x5c chain (base64 DER) */
export function x5cThumbprint(x5c: unknown): string | undefined {
  const first = Array.isArray(x5c) ? (x5c[0] as unknown) : undefined;
  if (typeof first !== 'string' || first.length < 16 || first.length > 65_536) return undefined;
  const b64 = first.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  try {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return base64url(sha256(bytes));
  } catch {
    return undefined;
  }
}

/** a certificate thumbprint header value: base64url of a digest (SHA-1: 27 characters, SHA-256: 43) */
function thumbprintValue(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.replace(/=+$/, '');
  return /^[A-Za-z0-9_-]{16,128}$/.test(t) ? t : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_DIGEST = /^[0-9a-f]{32,}$/i;
const BASE64ISH = /^[A-Za-z0-9_\-+/]{22,}={0,2}$/;
/** a key URL (a key vault's key version, a JWKS entry) or a DID URL: scoped by a host or method the client owns */
const SCOPED = /^(?:https:\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?\/\S+|did:[a-z0-9]+:\S{8,})$/i;

/**
 * Is a bare kid unique enough to stand for one key? A UUID, a hex digest (≥ 32 digits), a URL or
 * DID key reference, or ≥ 22 base64/base64url characters that mix upper case, lower case and digits
 * the way random output does: the character class (upper, lower, digit, other) changes between
 * neighbours in at least 45 % of places. Random output changes in ~64 % (a 43-character JWK
 * thumbprint passes 99.4 % of the time, a random 22-character id 94 %); camel-case names change at
 * word boundaries only ("ClientSigningKey2024Prod" 35 %, "RSA2048SigningKeyForClientV2" 41 %).
 * Short or word-like kids ("1", "default", "key1", "rsa", "signing-key-2024") are reused by
 * unrelated clients for different keys.
 */
export function distinctiveKid(kid: string): boolean {
  if (kid.length > 1024) return false;
  if (UUID.test(kid) || HEX_DIGEST.test(kid) || SCOPED.test(kid)) return true;
  if (!BASE64ISH.test(kid)) return false;
  const body = kid.replace(/=+$/, '');
  if (!/[A-Z]/.test(body) || !/[a-z]/.test(body) || !/\d/.test(body)) return false;
  const cls = (c: string) => (c >= 'A' && c <= 'Z' ? 1 : c >= 'a' && c <= 'z' ? 2 : c >= '0' && c <= '9' ? 3 : 4);
  let changes = 0;
  for (let i = 1; i < body.length; i++) if (cls(body[i]) !== cls(body[i - 1])) changes++;
  return changes >= 0.45 * (body.length - 1);
}

/**
 * A client identifier that names one client wherever it is used: an https URL (a Client ID
 * Metadata Document, an OpenID Federation entity id: one JWKS for every AS), or an AS-assigned
 * looking id (≥ 8 characters mixing letters and digits, e.g. "s6BhdRkqt3"). The same such id with
 * the same kid at two ASes is the draft's attack setting; "my-app" or "web" are not specific.
 */
export function specificClientId(id: string): boolean {
  if (id.length > 1024) return false;
  if (/^https:\/\/[^/?#\s]+/i.test(id)) return true;
  return id.length >= 8 && /^[\w.~:@-]+$/.test(id) && /[A-Za-z]/.test(id) && /\d/.test(id);
}

/**
 * The key identities of an assertion's JWS header, strongest first: key material (x5t#S256, x5t,
 * x5c's first certificate as its x5t#S256, an embedded jwk as its RFC 7638 thumbprint), a
 * distinctive kid, and, only without key material, iss = sub + kid for a specific client id. Key
 * thumbprints and distinctive kids share one space: a kid that is a JWK or certificate thumbprint
 * matches that key material in another assertion.
 */
export function keyIdentities(r: TokenReport): KeyIdentity[] {
  const h = r.header;
  const out: KeyIdentity[] = [];
  const add = (value: string, hp: string, strong: boolean) => {
    const id = `v:${value}`;
    if (!out.some((x) => x.id === id)) out.push({ id, hp, strong, variant: strong ? 'key-material' : 'kid', shown: value });
  };
  const s256 = thumbprintValue(h['x5t#S256']);
  if (s256) add(s256, 'x5t#S256', true);
  const x5c = x5cThumbprint(h.x5c);
  if (x5c) add(x5c, 'x5c', true);
  const x5t = thumbprintValue(h.x5t);
  if (x5t) add(x5t, 'x5t', true);
  const jwk = jwkThumbprint(h.jwk);
  if (jwk) add(jwk, 'jwk', true);
  const kid = typeof h.kid === 'string' && h.kid.length > 0 && h.kid.length <= 1024 ? h.kid : undefined;
  if (kid && distinctiveKid(kid)) add(kid, 'kid', false);
  else if (kid && out.length === 0) {
    const p = r.payload;
    const iss = p && typeof p === 'object' ? p.iss : undefined;
    if (typeof iss === 'string' && p && typeof p === 'object' && p.sub === iss && specificClientId(iss)) {
      out.push({ id: `c:${iss}\u0000${kid}`, hp: 'kid', strong: false, variant: 'client-kid', shown: kid });
    }
  }
  return out;
}

/** The other J findings (low or above) on one assertion; assertion-hygiene's jti replay needs its own memory and is not seen here. */
function jFindings(an: AudienceAnalysis, param: string, r: TokenReport): string[] {
  const out: string[] = [];
  if (audienceInjectionDrafts(an, param).length > 0) out.push('audience-injection');
  if (audNotIssuerDraft(an, param)) out.push('assertion-aud-not-issuer-or-target');
  if (param === 'client_assertion' && assertionShapeDrafts(r, an.receivingUrl).some((d) => d.severity !== 'info')) out.push('assertion-hygiene');
  return out;
}

/** Where an assertion with this key went (memo: public identifiers and a redacted URL, no key, no assertion). */
interface SeenAt {
  /** the receiving AS's issuer from observed metadata (normalised), if known */
  i?: string;
  /** the receiving endpoint's origin */
  o: string;
  /** the receiving endpoint (normalised, no query): its issuer is looked up again if metadata came later */
  e: string;
  /** the sites of the receiving origin and of the issuer */
  s: string[];
  /** hash of the iss = sub client identifier, if the assertion has one */
  c?: string;
  obs: string;
  ref: SourceRef;
  /** redacted request URL */
  url: string;
  /** the header parameter that named the key */
  p: string;
  /** the request parameter: client_assertion or assertion */
  q: string;
}

/** One key identity's memo (`k|<hash of the identity>`). */
interface KeyRecord {
  /** the ASes seen, oldest first */
  a?: SeenAt[];
  /** J rules raised on assertions with this key */
  j?: string[];
  /** hashes of the other identities met in the same headers */
  k?: string[];
  /** reported: the key is not reported again */
  done?: 1;
}

const MAX_AS = 8;
const MAX_SIBLINGS = 8;
const STRONG_PARAMS = new Set(['x5t#S256', 'x5t', 'x5c', 'jwk']);

/**
 * §0.4 "different AS": two known issuers that differ (tenants and realms with their own issuers
 * are different ASes); with the origin fallback on either side, no site in common (G2: hosts of one
 * eTLD+1 are one AS; a token endpoint on another site than its issuer counts with either site).
 */
function differentAs(a: SeenAt, b: SeenAt): boolean {
  if (a.i !== undefined && b.i !== undefined) return a.i !== b.i;
  return !a.s.some((x) => b.s.includes(x));
}

/** an earlier place as the metadata known now resolves it (the document may have come after the request) */
function resolved(s: SeenAt, mds: readonly MetadataRecord[]): SeenAt {
  if (s.i !== undefined || typeof s.e !== 'string') return s;
  const issuer = receivingMetadata(mds, s.e, s.o)?.issuer;
  if (issuer === undefined) return s;
  const i = normUrl(issuer) ?? issuer;
  const io = originOf(i);
  const site = io !== undefined ? siteOfOrigin(io) : undefined;
  return { ...s, i, s: site !== undefined && !s.s.includes(site) ? [...s.s, site] : s.s };
}

const label = (s: SeenAt) => s.i ?? s.o;

function recordOf(memo: RuleMemo, key: string): KeyRecord | undefined {
  const v = memo.get<KeyRecord>(key);
  return v && typeof v === 'object' ? v : undefined;
}

function union(a: readonly string[] | undefined, b: readonly string[], cap: number): string[] {
  const out = Array.isArray(a) ? a.slice() : [];
  for (const x of b) if (!out.includes(x) && out.length < cap) out.push(x);
  return out;
}

const J_RULES = 3;

/** draft-02 §2.1.2: audience injection is also avoided by fresh key material for each AS. */
export default defineRule({
  meta: {
    id: 'assertion-key-shared-across-as',
    title: 'One client assertion key used at several authorization servers',
    severity: 'low',
    confidence: 'strong',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.1.2'), ref('WUERTELE-02', '2.1.2'), ref('OAUTH-SECURITY-UPDATE', '2.1.1'), ref('WUERTELE-02', '2.1.1')],
    description:
      "Client assertions (client_assertion, or a jwt-bearer assertion) signed with the same key reach two different authorization servers: the receiving AS is its issuer when observed metadata names it (all endpoints of one AS, token, PAR, revocation, are one AS), else the receiving origin, and with the origin only, two hosts of one site are one AS. The key is the same when the JWS headers share key material (x5t#S256, x5t, the first x5c certificate's SHA-256 thumbprint, an embedded jwk's RFC 7638 thumbprint; confidence strong), a thumbprint-like kid (UUID, hex digest, URL, or ≥ 22 random-looking base64url characters; heuristic), or, without key material, the same kid under the same iss = sub client id that is a URL or AS-assigned looking (heuristic). Short or generic kids ('1', 'default', 'key1', 'rsa') alone never count. Low; medium when an assertion signed with that key also raised audience-injection, assertion-aud-not-issuer-or-target or assertion-hygiene (low or above, as the rule position can compute them; a jti replay is not seen). Reported once per key, when the second AS appears.",
    tier: 2,
    on: ['par-request', 'client-auth-request', 'token-request'],
    needs: { params: ['client_assertion', 'assertion'] },
    vantage: ['DT', 'HAR'],
    messages: {
      'key-material':
        'The {param} sent to {here} is signed with the key its JWS header {hp} names ({key}), like the {firstParam} sent to {there}: one key pair authenticates the client at two authorization servers.{sameClient} Only the audience of each assertion keeps one AS from replaying it at the other; use fresh key material for each AS.{alongside}',
      kid: 'The {param} sent to {here} names kid {key}, a thumbprint-like key id that the {firstParam} sent to {there} also named (in its {firstHp} header): most likely one key pair authenticates the client at two authorization servers.{sameClient} Only the audience of each assertion keeps one AS from replaying it at the other; use fresh key material for each AS.{alongside}',
      'client-kid':
        'The {param} of client {client} sent to {here} names kid {key}, as did the {firstParam} of the same client sent to {there}: most likely one key pair authenticates this client at two authorization servers, the setting of the audience injection attack. Only the audience of each assertion keeps one AS from replaying it at the other; use fresh key material for each AS.{alongside}',
    },
  },
  check(ctx) {
    const { msg, memo } = ctx;
    if (ctx.replay || !msg.url) return;
    const origin = msg.url.origin;
    // an array: the audience analysis reads the documents once per assertion
    const mds = [...ctx.store.metadata.values()];
    for (const { param, value, an } of assertionAudiences(msg, mds)) {
      const r = ruleToken(value);
      if (!r) continue;
      const ids = keyIdentities(r);
      if (ids.length === 0) continue;
      const p = r.payload && typeof r.payload === 'object' ? r.payload : undefined;
      const client = typeof p?.iss === 'string' && p.iss === p.sub ? p.iss : undefined;
      const issuer = an.issuer !== undefined ? (normUrl(an.issuer) ?? an.issuer) : undefined;
      const issuerOrigin = issuer !== undefined ? originOf(issuer) : undefined;
      const sites = [siteOfOrigin(origin)];
      if (issuerOrigin !== undefined && !sites.includes(siteOfOrigin(issuerOrigin))) sites.push(siteOfOrigin(issuerOrigin));
      const keys = ids.map((x) => `k|${hashSecret(x.id)}`);
      const records = keys.map((k) => recordOf(memo, k));
      const markDone = (extra: readonly string[] = []) => {
        for (const k of new Set([...keys, ...extra])) memo.set(k, { done: 1 } satisfies KeyRecord);
      };
      if (records.some((x) => x?.done)) {
        markDone(); // this key was reported: its other identities in this header are the same key
        continue;
      }
      const here: SeenAt = {
        ...(issuer !== undefined ? { i: issuer } : {}),
        o: origin,
        e: normUrl(msg.url.base) ?? msg.url.base,
        s: sites,
        ...(client !== undefined ? { c: hashSecret(client) } : {}),
        obs: msg.obs.id,
        ref: msg.obs.ref,
        url: ctx.redactUrl(msg.obs.url),
        p: '',
        q: param,
      };
      const j = jFindings(an, param, r);
      let match: { at: number; first: SeenAt } | undefined;
      for (let n = 0; n < ids.length && !match; n++) {
        const seen = records[n]?.a;
        for (const s of Array.isArray(seen) ? seen : []) {
          if (!s || typeof s !== 'object' || !Array.isArray(s.s) || s.obs === msg.obs.id) continue;
          const first = resolved(s, mds);
          if (differentAs(first, here)) {
            match = { at: n, first };
            break;
          }
        }
      }
      if (!match) {
        // remember where this key went (bounded: MAX_AS places per key, the memo's cap over keys)
        for (let n = 0; n < ids.length; n++) {
          const rec = records[n] ?? {};
          const a = Array.isArray(rec.a) ? rec.a.slice() : [];
          if (!a.some((s) => s.i === here.i && s.o === here.o) && a.length < MAX_AS) a.push({ ...here, p: ids[n].hp });
          const siblings = keys.filter((_, m) => m !== n);
          memo.set(keys[n], { a, j: union(rec.j, j, J_RULES), k: union(rec.k, siblings, MAX_SIBLINGS) } satisfies KeyRecord);
        }
        continue;
      }
      const id = ids[match.at];
      const { first } = match;
      const alongside = union(
        records.flatMap((x) => (Array.isArray(x?.j) ? x.j : [])),
        j,
        J_RULES,
      );
      const bothStrong = id.strong && STRONG_PARAMS.has(first.p);
      const variant = id.variant === 'client-kid' ? 'client-kid' : bothStrong ? 'key-material' : 'kid';
      const sameClient = client !== undefined && first.c !== undefined && first.c === here.c;
      const key = JSON.stringify(id.shown.length > 80 ? `${id.shown.slice(0, 80)}…` : id.shown);
      const hereLabel = `${issuer ?? origin} (${msg.url.base})`;
      const thereLabel = label(first);
      ctx.report({
        severity: alongside.length > 0 ? 'medium' : 'low',
        confidence: variant === 'key-material' ? 'strong' : 'heuristic',
        variant,
        messageId: variant,
        fingerprint: keys[match.at],
        data: {
          param,
          here: hereLabel,
          there: thereLabel,
          hp: id.hp,
          firstHp: first.p,
          firstParam: first.q,
          key,
          client: client ?? '',
          sameClient: sameClient && variant !== 'client-kid' ? ` Both assertions carry the same client_id ${client}, the setting of the audience injection attack.` : '',
          alongside: alongside.length > 0 ? ` An assertion signed with this key also raised ${alongside.join(', ')}: medium.` : '',
        },
        evidence: [
          { ...first.ref, url: first.url, param: first.q, note: `JWS header ${first.p}; first sent to ${thereLabel}` },
          ctx.evidence(msg.obs, param, `JWS header ${id.hp} ${key}; the same key sent to ${issuer ?? origin}`, value),
        ],
      });
      markDone(records.flatMap((x) => (Array.isArray(x?.k) ? x.k : [])));
    }
  },
});
