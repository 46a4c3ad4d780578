/**
 * Dynamic client registration (RFC 7591 §3): a POST of a JSON client metadata document to the
 * AS's `registration_endpoint`. Known by the endpoint (from AS metadata seen) or by its body: a JSON
 * object with `redirect_uris` (or `grant_types`) and no `grant_type` (which would make it a token
 * request).
 */
import { isNavigation, type Observation } from '../observe/observation';
import { parseJsonObject } from '../util/json';
import { parseUrl } from '../util/url';

/** the registration body, parsed once per observation */
const bodies = new WeakMap<Observation, Record<string, unknown> | null>();

export function registrationBody(o: Observation): Record<string, unknown> | undefined {
  let b = bodies.get(o);
  if (b === undefined) {
    const text = o.requestBody?.text;
    b = text !== undefined && text.trimStart().startsWith('{') && /"(redirect_uris|grant_types|client_name)"\s*:/.test(text) ? (parseJsonObject(text, 1_000_000) ?? null) : null;
    bodies.set(o, b);
  }
  return b ?? undefined;
}

export function isRegistrationRequest(o: Observation, endpoints: ReadonlySet<string>): boolean {
  if (o.method !== 'POST' || isNavigation(o) || o.requestBody?.form !== undefined) return false;
  const body = registrationBody(o);
  if (!body || 'grant_type' in body) return false;
  const base = parseUrl(o.url)?.base;
  if (base !== undefined && endpoints.has(base)) return true;
  return Array.isArray(body.redirect_uris) && (/\/(register|registration|clients?|oauth2?\/register)\/?$/i.test(parseUrl(o.url)?.pathname ?? '') || typeof body.client_name === 'string');
}
