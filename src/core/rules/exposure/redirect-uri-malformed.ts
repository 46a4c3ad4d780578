import { hashSecret } from '../../util/secret';
import { defineRule, type RuleContext } from '../types';
import { ref } from '../../report/standards';

const RAW = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/s;

export type Malformation = 'fragment' | 'userinfo' | 'backslash' | 'dot-segment' | 'double-encoding' | 'crlf' | 'whitespace' | 'wildcard' | 'unparsable';

/**
 * What is wrong with a redirect URI as sent (RFC 6749 §3.1.2: absolute, no fragment), read from the
 * raw string: the URL parser would resolve dot-segments and re-encode, hiding the very problem.
 * Checks on the query are limited to CR/LF (a redirect URI's own query may nest encoded URLs).
 */
export function malformations(uri: string): readonly Malformation[] {
  // remembered per URI (read-only): a client sends the same redirect_uri with every authorization request
  let found = malformed.get(uri);
  if (!found) {
    found = malformationsOf(uri);
    if (malformed.size >= 256) malformed.clear();
    malformed.set(uri, found);
  }
  return found;
}
const malformed = new Map<string, readonly Malformation[]>();

function malformationsOf(uri: string): Malformation[] {
  const out: Malformation[] = [];
  if (/[\r\n]|%0[da]/i.test(uri)) out.push('crlf');
  if (uri.trim() !== uri) out.push('whitespace');
  if (uri.includes('\\')) out.push('backslash');
  const m = RAW.exec(uri.trim());
  if (!m) {
    if (!out.length) out.push('unparsable');
    return out;
  }
  const [, , authority = '', path = '', , fragment] = m;
  if (fragment !== undefined) out.push('fragment');
  if (authority.includes('@')) out.push('userinfo');
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path) || /%2e%2e/i.test(path)) out.push('dot-segment');
  if (/%25[0-9a-f]{2}/i.test(authority + path)) out.push('double-encoding');
  if (/\s/.test(authority + path) && !out.includes('whitespace')) out.push('whitespace');
  if ((authority + path).includes('*')) out.push('wildcard');
  return out;
}

const WHAT: Record<Malformation, string> = {
  fragment: 'a fragment',
  userinfo: 'userinfo (@) in the authority',
  backslash: 'a backslash',
  'dot-segment': 'dot-segments (.., %2e%2e)',
  'double-encoding': '%25 double-encoding',
  crlf: 'CR/LF',
  whitespace: 'whitespace',
  wildcard: 'a wildcard (*)',
  unparsable: 'no valid URI syntax',
};

/**
 * The redirect URI as a finding may show it: secret parameters redacted, and the password of a
 * userinfo part (one of the malformations this rule reports) hidden.
 */
function shown(ctx: RuleContext, ru: string): string {
  return ctx.redactUrl(ru).replace(/^([^:/?#]+:\/\/[^/?#@:]*:)[^/?#@]*@/, '$1…@');
}

/** RFC 6749 §3.1.2, RFC 9700 §4.1: redirect URIs that parsers disagree on. */
export default defineRule({
  meta: {
    id: 'redirect-uri-malformed',
    title: 'Malformed redirect URI (fragment, userinfo, backslash, dot-segments, double encoding, CR/LF, wildcard)',
    severity: 'medium',
    confidence: 'strong',
    references: [ref('RFC6749', '3.1.2'), ref('RFC9700', '4.1'), ref('RFC9700', '2.1')],
    description:
      'An authorization request (or pushed request) names a redirect_uri with a fragment, userinfo "@", a backslash, dot-segments or %2e%2e, %25 double-encoding, CR/LF or whitespace, or "*": the shapes used to make the AS\'s redirect URI check and the browser disagree. High when the AS answered such a request with a code.',
    tier: 2,
    on: ['authorization-request', 'par-request', 'authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    if (ctx.replay) return;
    if (msg.kind === 'authorization-response') {
      // the AS answered the flow's malformed redirect URI with a code
      const ru = flow?.redirectUri;
      if (!ru || !msg.params.has('code') || msg.params.has('error')) return;
      const found = malformations(ru);
      if (found.length === 0) return;
      ctx.report({
        severity: 'high',
        variant: found[0],
        fingerprint: `accepted:${hashSecret(ru)}`,
        message: `The AS issued a code for the malformed redirect_uri ${JSON.stringify(shown(ctx, ru))} (${found.map((f) => WHAT[f]).join(', ')}): it does not reject redirect URIs that RFC 6749 §3.1.2 forbids or that parsers read differently.`,
        evidence: [
          ...(flow!.requests[0] ? [{ ...flow!.requests[0].ref, url: flow!.requests[0].url, param: 'redirect_uri', note: 'malformed redirect_uri requested' }] : []),
          ctx.evidence(msg.obs, 'code', 'code delivered for it'),
        ],
      });
      return;
    }
    if (msg.kind === 'authorization-request' && !msg.paramsKnown) return;
    const ru = msg.params.get('redirect_uri');
    if (!ru) return;
    const found = malformations(ru);
    if (found.length === 0) return;
    ctx.report({
      variant: found[0],
      fingerprint: `requested:${hashSecret(ru)}`,
      message: `The ${msg.kind === 'par-request' ? 'pushed authorization request' : 'authorization request'} to ${msg.url?.base ?? msg.obs.url} names a malformed redirect_uri ${JSON.stringify(shown(ctx, ru))}: ${found.map((f) => WHAT[f]).join(', ')}.`,
      evidence: [ctx.evidence(msg.obs, 'redirect_uri', found.join(', '))],
    });
  },
});
