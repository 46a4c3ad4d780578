/**
 * Shared analysis of a callback's binding to the browser (session-fixation-state-carries-session's
 * high case; meant for callback-without-browser-binding too). Pure; not a rule.
 */
import type { OAuthMessage } from '../../classify/message';
import { header, headersAll } from '../../observe/observation';
import { parseUrl } from '../../util/url';

/** Cookie names that bind an OAuth transaction to the browser (double-submit state, PKCE, nonce). */
export const BINDING_COOKIE = /state|csrf|xsrf|nonce|pkce|verifier|oauth|oidc|openid|txn|transaction|auth_?req|redirect|return/i;
/** Cookie names of a login session (a new one on the callback means the client logged someone in). */
const SESSION_COOKIE = /sess|sid|auth|token|login|remember|jwt|user|account|identity/i;

export interface CookiePair {
  name: string;
  value: string;
}

/** `a=b; c=d` → pairs. */
export function requestCookies(cookieHeader: string | undefined): CookiePair[] {
  if (!cookieHeader) return [];
  const out: CookiePair[] = [];
  for (const part of cookieHeader.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out.push({ name: part.slice(0, i).trim(), value: part.slice(i + 1).trim() });
  }
  return out;
}

/** `name=value; Path=/; …` → the pair, and whether the header deletes the cookie. */
export function setCookiePair(setCookie: string): (CookiePair & { deletes: boolean }) | undefined {
  const semi = setCookie.indexOf(';');
  const first = semi < 0 ? setCookie : setCookie.slice(0, semi);
  const i = first.indexOf('=');
  if (i <= 0) return undefined;
  const attrs = semi < 0 ? '' : setCookie.slice(semi + 1);
  const value = first.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
  const expires = /expires=([^;]+)/i.exec(attrs)?.[1];
  const deletes =
    value === '' || /max-age=\s*(0|-\d+)\s*(;|$)/i.test(attrs) || (expires !== undefined && Date.parse(expires) < Date.UTC(2000, 0, 1));
  return { name: first.slice(0, i).trim(), value, deletes };
}

export interface CallbackBinding {
  /** the callback request carried a non-empty Cookie header */
  cookieSent: boolean;
  /**
   * this exchange shows that cookie headers are captured at all: Chrome's sanitized HAR export and
   * webRequest without extraHeaders drop Cookie and Set-Cookie alike, so a Set-Cookie on the
   * response (or a Cookie on the request) proves that a missing Cookie is really missing
   */
  cookieHeadersVisible: boolean;
  /** how the client answered, when it looks like a completed login or connection */
  success?: { kind: 'redirect'; location: string } | { kind: 'session-cookie'; name: string };
  /** why the answer is not judged a success (an error page, a bounce that carries the code on) */
  notSuccess?: string;
}

const ERROR_PAGE = /(^|[/_.-])(error|errors|fail(ed|ure)?|denied|oops|unauthori[sz]ed|forbidden|login|log-in|signin|sign-in|sign_in)([/_.-]|$)/i;
const ERROR_PARAM = /^(error|error_description|err|failure|failed|reason)$/;

/** The callback request carried a non-empty Cookie header (judgeCallback's cookieSent). */
export function cookieSent(msg: OAuthMessage): boolean {
  const cookie = header(msg.obs.requestHeaders, 'cookie');
  return cookie !== undefined && cookie.trim().length > 0;
}

/**
 * How a server-rendered callback (query-mode authorization response, a real request to the client)
 * was answered, and whether the browser sent anything that binds it to the flow's starter.
 */
export function judgeCallback(msg: OAuthMessage): CallbackBinding {
  const o = msg.obs;
  const sent = cookieSent(msg);
  const setCookies = headersAll(o.responseHeaders, 'set-cookie');
  const out: CallbackBinding = { cookieSent: sent, cookieHeadersVisible: sent || setCookies.length > 0 };
  const status = o.status ?? 0;
  if (status >= 400) {
    out.notSuccess = `answered ${status}`;
    return out;
  }
  const code = msg.params.get('code');
  if (status >= 300 && status < 400 && o.location) {
    const to = parseUrl(o.location, o.url);
    if (!to) {
      out.notSuccess = 'unparsable Location';
      return out;
    }
    const carriesOn = code !== undefined && (to.query.get('code') === code || to.fragment.get('code') === code);
    const relays = (to.query.has('code') || to.fragment.has('code') || to.fragment.has('access_token')) && (to.query.has('state') || to.fragment.has('state'));
    if (carriesOn) out.notSuccess = 'the redirect carries the code on (a bounce, not a completion)';
    else if (relays) out.notSuccess = 'the redirect is an authorization response of its own (a broker handing its code to its client, G1): the next callback is judged';
    else if (ERROR_PAGE.test(to.pathname) || to.query.keys().some((k) => ERROR_PARAM.test(k))) out.notSuccess = `redirects to an error or login page (${to.base})`;
    else out.success = { kind: 'redirect', location: to.base };
  }
  if (!out.notSuccess) {
    for (const sc of setCookies) {
      const p = setCookiePair(sc);
      if (!p || p.deletes || BINDING_COOKIE.test(p.name) || !SESSION_COOKIE.test(p.name) || p.value.length < 16) continue;
      // a redirect is already a success; the session cookie is the stronger evidence to name
      out.success = { kind: 'session-cookie', name: p.name };
      break;
    }
  }
  return out;
}
