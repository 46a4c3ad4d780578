/**
 * bearer-audience-mismatch against its code before the early answer for a token sent to its own
 * audience's origin (2026-12-05): random API calls with a few JWT access tokens (URL, non-URL,
 * several and no audiences; issuers that are or are not the API), sent to same-origin, same-site,
 * other-site and issuer URLs in two tabs, give the same findings. The reference is the old check,
 * verbatim, with the helpers it used (copied).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine';
import { bearerKey } from '../../mcp/ledger';
import { obs } from '../../testing/builders';
import { decodeJwtPayloadUnsafe } from '../../tokens/peek';
import { authorizationJwt } from '../../tokens/sources';
import { hashSecret } from '../../util/secret';
import { parseUrl, siteOf } from '../../util/url';
import { mcpRevision } from '../support/mcp';
import type { RuleContext } from '../types';
import rule from './bearer-audience-mismatch';

function urlAudiences(aud: unknown): string[] {
  const all = Array.isArray(aud) ? aud : [aud];
  return all.filter((a): a is string => typeof a === 'string' && /^https?:\/\/[^/]/i.test(a));
}

function matches(aud: string, url: string): boolean {
  const a = parseUrl(aud);
  const u = parseUrl(url);
  if (!a || !u) return false;
  if (a.origin === u.origin) return true;
  return url.startsWith(aud.replace(/\/?$/, '/')) || url === aud;
}

function oldCheck(ctx: RuleContext): void {
  const { msg, store } = ctx;
  const o = msg.obs;
  if (o.requestHeaders.length === 0 || msg.kind === 'token-request') return;
  const bearer = authorizationJwt(o);
  if (!bearer || bearer.scheme !== 'bearer') return;
  const payload = decodeJwtPayloadUnsafe(bearer.jwt);
  if (!payload) return;
  const url = parseUrl(o.url);
  if (!url) return;
  // the AS's own endpoints (userinfo with an aud of the client): the token's issuer origin
  const iss = typeof payload.iss === 'string' ? parseUrl(payload.iss) : undefined;
  if (iss?.origin === url.origin || store.endpointKindFromMetadata(url.base) === 'userinfo') return;
  // an MCP context names the revision it applies; other traffic is judged by RFC 8707 / RFC 9068 alone
  const rev = store.mcp.discovered(o.context, o.time) ? mcpRevision(ctx) : { note: 'RFC 9068 §4' };
  const auds = urlAudiences(payload.aud);
  if (auds.length > 0 && !auds.some((a) => matches(a, o.url))) {
    ctx.report({
      variant: 'audience',
      fingerprint: `${hashSecret(bearer.jwt)}|${url.origin}`,
      message: `An access token issued for ${auds.join(', ')} is sent to ${url.origin}, which is none of its audiences: the receiver must reject it, and a server that forwards tokens it received passes them through (${rev.note}).`,
      evidence: [ctx.evidence(o, 'Authorization', `aud=${auds.join(' ')}`, bearer.jwt)],
    });
    return;
  }
  const uses = store.mcp.bearers.get(bearerKey(bearer.jwt)) ?? [];
  // (the usual repeat: the token sent to the origin it was first sent to, no site to compute)
  const first = uses.find((x) => x.obsId !== o.id && x.origin !== url.origin && siteOf(parseUrl(x.origin)?.hostname ?? x.origin) !== siteOf(url.hostname));
  if (first && (auds.length === 0 || !auds.some((a) => matches(a, o.url)) || !auds.some((a) => matches(a, first.origin)))) {
    ctx.report({
      variant: 'two-resources',
      fingerprint: `${hashSecret(bearer.jwt)}|two`,
      message: `One access token is sent to ${first.origin} and to ${url.origin} (two sites): a token meant for one resource server reaches another (${rev.note}).`,
      evidence: [ctx.evidence(o, 'Authorization', `also sent to ${first.origin}`, bearer.jwt), { ...first.ref, url: first.origin, note: 'first use' }],
    });
  }
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const AUDS: unknown[] = [undefined, 'https://api.a.example', ['https://api.a.example', 'https://b.example/api'], 'urn:api', 'https://b.example/api/', ['urn:x', 'https://c.example']];
const ISSUERS = ['https://as.example', 'https://api.a.example'];
const URLS = ['https://api.a.example/v1/x?y=1', 'https://api.a.example/', 'https://b.example/api/items?page=2', 'https://b.example/other', 'https://sub.b.example/api', 'https://c.example/api?q=%20x', 'https://as.example/userinfo', 'https://API.a.example/v1'];

const call = fc.record({ aud: fc.nat(AUDS.length - 1), iss: fc.nat(ISSUERS.length - 1), token: fc.nat(2), url: fc.nat(URLS.length - 1), tab: fc.constantFrom('tab:1', 'tab:2'), scheme: fc.constantFrom('Bearer', 'bearer', 'DPoP') });

describe('bearer-audience-mismatch equals its old check', () => {
  it('on random API calls with a few access tokens', () => {
    let run = 0;
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (calls) => {
        run += 1;
        const observations = calls.map((c) => {
          const jwt = `${b64({ alg: 'RS256', typ: 'at+jwt' })}.${b64({ iss: ISSUERS[c.iss], aud: AUDS[(c.aud + c.token) % AUDS.length], jti: `${run}-${c.token}` })}.c2ln`;
          return obs(URLS[c.url], { type: 'xhr', headers: { authorization: `${c.scheme} ${jwt}` }, context: c.tab });
        });
        const findings = (check: (ctx: RuleContext) => void) => {
          const e = new Engine({ rules: [{ ...rule, check }] });
          for (const o of observations) e.push(o);
          return e.findings.map((f) => ({ ...f }));
        };
        const now = findings(rule.check);
        expect(now).toEqual(findings(oldCheck));
        reported += now.length;
      }),
      { numRuns: 500 },
    );
    // the sequences do raise both variants (the test compares findings, not only silence)
    expect(reported).toBeGreaterThan(100);
  });
});
let reported = 0;
