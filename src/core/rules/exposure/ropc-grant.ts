import { parseJsonObject } from '../../util/json';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** grant_type values of the resource owner password credentials grant (RFC 6749 §4.3, Auth0's realm variant) */
const PASSWORD_GRANTS = new Set(['password', 'http://auth0.com/oauth/grant-type/password-realm']);
const isPassword = (v: unknown): v is string => typeof v === 'string' && PASSWORD_GRANTS.has(v);

/** RFC 9700 §2.4: the resource owner password credentials grant MUST NOT be used. */
export default defineRule({
  meta: {
    id: 'ropc-grant',
    title: 'Resource owner password credentials grant used',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '2.4')],
    description: 'A request carries grant_type=password (in a form or JSON body, or the URL): the client handles the user\'s password itself.',
    tier: 1,
    on: 'any',
    prefilter: { urlParams: ['grant_type'], bodyFields: ['grant_type'] },
    needs: { formParams: ['grant_type'], urlParams: ['grant_type'], bodyText: ['grant_type'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const o = msg.obs;
    const text = o.requestBody?.text;
    // hot path: no parsing unless the raw URL, a form body or a JSON body can carry grant_type
    const urlMay = o.url.indexOf('grant_type=') >= 0 || (o.url.indexOf('%5') >= 0 && /grant%5ftype=/i.test(o.url));
    const jsonMay = text !== undefined && !msg.form.size && text.indexOf('grant_type') >= 0;
    if (msg.form.size === 0 && !urlMay && !jsonMay) return;
    let grant: string | undefined;
    let where: string | undefined;
    if (isPassword(msg.form.get('grant_type'))) [grant, where] = [msg.form.get('grant_type'), 'body'];
    else if (urlMay && isPassword(msg.query.get('grant_type'))) [grant, where] = [msg.query.get('grant_type'), 'URL query'];
    else if (jsonMay) {
      const g = parseJsonObject(text, 100_000)?.grant_type;
      if (isPassword(g)) [grant, where] = [g, 'JSON body'];
    }
    if (!grant || !where) return;
    ctx.report({
      variant: grant === 'password' ? undefined : 'password-realm',
      message: `grant_type=${grant} sent to ${msg.url?.base ?? o.url} in the ${where}; RFC 9700 §2.4 says the password grant MUST NOT be used.`,
      evidence: [ctx.evidence(o, 'grant_type', `password grant in the ${where}`)],
    });
  },
});
