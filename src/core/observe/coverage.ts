/**
 * What a capture shows of the fields some rules cannot judge without (detectors.md §0.1: a rule
 * that needs a missing field reports insufficient evidence). HAR exports that sanitize drop the
 * Cookie and Set-Cookie headers (Chrome DevTools' "Export HAR (sanitized)"), and a browser capture
 * of a login without a single cookie is almost certainly one of them: the session rules then see
 * nothing to judge, and the scan says so instead of looking clean.
 */
import { type Observation, header, isNavigation } from './observation';

/** the rules that read Cookie or Set-Cookie headers and judge nothing without them */
export const COOKIE_RULES = ['callback-without-browser-binding', 'session-fixation-link', 'session-fixation-state-carries-session'] as const;

/** a code or token in a URL: an authorization response, or the redirect that delivers one */
const DELIVERS = /[?#&](?:code|access_token|id_token)=/;

export class CaptureCoverage {
  /** browser navigations (not committed-URL records) */
  private navigations = 0;
  /** navigations that are, or are redirected to, a callback with a code or token: what the cookie rules judge */
  private callbacks = 0;
  /** requests with a Cookie header, or responses with Set-Cookie */
  private cookies = 0;

  note(o: Observation): void {
    if (isNavigation(o) && !o.navigationOnly) {
      this.navigations += 1;
      if (DELIVERS.test(o.url) || (o.location !== undefined && DELIVERS.test(o.location))) this.callbacks += 1;
    }
    if (this.cookies > 0) return;
    if (header(o.requestHeaders, 'cookie') !== undefined || header(o.responseHeaders, 'set-cookie') !== undefined) this.cookies += 1;
  }

  /**
   * Warnings for a capture with `oauthMessages` OAuth messages: a browser capture of OAuth traffic
   * with a callback (a navigation delivering a code or token) whose entries carry no cookie header.
   */
  warnings(oauthMessages: number): string[] {
    if (oauthMessages === 0 || this.callbacks === 0 || this.cookies > 0) return [];
    return [
      `no entry carries a Cookie or Set-Cookie header, though the capture has ${this.navigations} browser navigation${this.navigations === 1 ? '' : 's'} and OAuth traffic: ` +
        `a sanitized export drops them (Chrome DevTools' "Export HAR (sanitized)"), so ${COOKIE_RULES.join(', ')} could not judge it (insufficient evidence). ` +
        'Export with sensitive data to have them judged.',
    ];
  }
}
