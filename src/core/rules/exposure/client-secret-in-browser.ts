import { header, pageOriginated } from '../../observe/observation';
import { hashSecret } from '../../util/secret';
import { safeDecode } from '../../util/url';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** The secret of `Authorization: Basic base64(urlencode(client_id):urlencode(secret))` (RFC 6749 §2.3.1), if any. */
function basicSecret(value: string | undefined): { clientId: string; secret: string } | undefined {
  const m = value?.match(/^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i);
  if (!m) return undefined;
  let text: string;
  try {
    text = atob(m[1].replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  const secret = safeDecode(text.slice(i + 1).replace(/\+/g, ' '));
  return secret ? { clientId: safeDecode(text.slice(0, i)), secret } : undefined;
}

/** RFC 9700 §2.5, RFC 6749 §2.1: a client secret held by a browser page is no secret. */
export default defineRule({
  meta: {
    id: 'client-secret-in-browser',
    title: 'Client secret sent by a browser page',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '2.5'), ref('RFC6749', '2.1'), ref('RFC6749', '2.3.1'), ref('RFC10017')],
    description:
      'A token request (or another client-authenticated request: PAR, revocation, introspection) sent by a page in the browser carries a client_secret in its body or an Authorization: Basic header with a non-empty secret: the secret is shipped to every user, so the client is public and the secret authenticates nothing.',
    tier: 2,
    on: ['token-request', 'par-request', 'client-auth-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const o = msg.obs;
    const inBody = msg.form.get('client_secret'); // in the URL: client-secret-in-url
    const basic = basicSecret(header(o.requestHeaders, 'authorization'));
    if (!inBody && !basic) return;
    // detectors.md: page-originated only; a server-side or command-line client's secret is normal
    if (!pageOriginated(o)) return;
    const at = msg.url?.base ?? o.url;
    const what = msg.kind === 'token-request' ? `token request (grant_type=${msg.params.get('grant_type') ?? '?'})` : `${msg.endpoint ?? 'client-authenticated'} request`;
    if (inBody) {
      ctx.report({
        variant: 'client_secret',
        fingerprint: `s:${hashSecret(inBody)}`,
        message: `A page sent a ${what} to ${at} with client_secret in its body: the client secret is in the browser, readable by every user.`,
        evidence: [ctx.evidence(o, 'client_secret', 'client secret sent from the page', inBody)],
      });
    }
    if (basic && basic.secret !== inBody) {
      ctx.report({
        variant: 'basic',
        fingerprint: `b:${hashSecret(basic.secret)}`,
        message: `A page sent a ${what} to ${at} with Authorization: Basic credentials of client ${basic.clientId || '(empty id)'}: the client secret is in the browser, readable by every user.`,
        evidence: [ctx.evidence(o, 'Authorization', 'HTTP Basic client authentication sent from the page', basic.secret)],
      });
    }
  },
});
