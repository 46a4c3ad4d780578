import type { StoreView } from '../../flows/view';
import type { Observation } from '../../observe/observation';
import { parseJsonObject } from '../../util/json';
import { originOf, parseUrl, siteOf } from '../../util/url';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** one token of a field name (split on punctuation and camelCase) that names a password or one-time code */
const SECRET_TOKEN = /^(password|passwort|passwd|passwords|pwd|pw|pass|passphrase|passcode|pin|otp|totp|hotp|mfa|2fa|tfa|mfacode|otpcode)$/;
/** a whole field name that names a one-time code (verification_code, sms-code, oneTimeCode, …) */
const CODE_NAME = /(verification|verify|security|sms|mfa|otp|totp|2fa|tfa|one_?time|authenticator|auth)_?(code|token|pin)/;

function tokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Does this field name carry a password or an OTP? Names only: values are never kept. */
export function isCredentialField(name: string): boolean {
  if (tokens(name).some((t) => SECRET_TOKEN.test(t))) return true;
  const flat = tokens(name).join('_');
  return CODE_NAME.test(flat);
}

function fieldNames(o: Observation): string[] {
  const form = o.requestBody?.form;
  if (form && form.length > 0) return form.map(([k]) => k);
  const json = parseJsonObject(o.requestBody?.text, 100_000);
  if (!json) return [];
  const out: string[] = [];
  const walk = (v: Record<string, unknown>, depth: number) => {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      if (depth < 2 && x && typeof x === 'object' && !Array.isArray(x)) walk(x as Record<string, unknown>, depth + 1);
    }
  };
  walk(json, 0);
  return out;
}

/** Is `origin` an authorization server of this context (an open flow's AS, same site) or one named by observed metadata? */
function isAsOrigin(store: StoreView, origin: string, context: string): boolean {
  const host = parseUrl(origin)?.hostname;
  const site = host ? siteOf(host) : undefined;
  for (const f of store.openFlowsIn(context)) {
    for (const r of f.requests) {
      if (r.as.origin === origin) return true;
      const h = parseUrl(r.as.origin)?.hostname;
      if (site && h && siteOf(h) === site && r.as.origin !== f.client) return true;
    }
  }
  for (const md of store.metadata.values()) {
    if (originOf(md.issuer) === origin || originOf(md.authorizationEndpoint) === origin) return true;
  }
  return false;
}

/**
 * RFC 9700 §4.12: an AS that answers a credential POST (login, MFA) with 307/308 makes the browser
 * re-POST the user's password or OTP to the redirect target (often the client). on 'any', so the
 * cheap status/method check comes first.
 */
export default defineRule({
  meta: {
    id: 'as-307-credential-forward',
    title: 'AS redirects a credential POST with 307/308 to another origin',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '4.12')],
    description:
      'A POST to an authorization server origin whose body has password- or OTP-like fields is answered 307 or 308 with a Location on another origin: the browser re-sends the same body, so the user\'s credentials reach that origin (typically the client). Field names only are recorded.',
    tier: 2,
    on: 'any',
    prefilter: { statuses: [307, 308] },
    needs: { statuses: [307, 308] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    const o = msg.obs;
    if ((o.status !== 307 && o.status !== 308) || !o.location || o.method.toUpperCase() !== 'POST') return;
    const from = originOf(o.url);
    const to = originOf(parseUrl(o.location, o.url)?.href);
    if (!from || !to || from === to) return;
    const fields = fieldNames(o).filter(isCredentialField);
    if (fields.length === 0) return;
    if (msg.kind !== 'authorization-request' && !isAsOrigin(store, from, o.context)) return;
    const client = ctx.flow?.client ?? store.openFlowsIn(o.context).find((f) => f.requests.some((r) => r.as.origin === from))?.client;
    const names = [...new Set(fields)].join(', ');
    ctx.report({
      variant: String(o.status),
      fingerprint: `${from}>${to}:${names}`,
      message: `The authorization server ${from} answered a POST carrying ${names} with ${o.status} to ${to}${to === client ? ' (the client)' : ''}: the browser re-sends the same body there, so the user's credentials reach ${to} (RFC 9700 §4.12: use 303 after a credential POST).`,
      evidence: fields.map((f) => ctx.evidence(o, f, `credential field re-POSTed by the ${o.status} redirect to ${to}`)),
    });
  },
});
