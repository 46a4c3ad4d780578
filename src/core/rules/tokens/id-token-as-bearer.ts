import { isNavigation } from '../../observe/observation';
import { authorizationJwt } from '../../tokens/sources';
import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

const AT_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/** An ID token used as an API access token (its audience is the client, not the API). */
export default defineRule({
  meta: {
    id: 'id-token-as-bearer',
    title: 'ID token sent as a bearer access token',
    severity: 'low',
    confidence: 'heuristic',
    references: [ref('OIDC-CORE', '2'), ref('RFC9068', '2.1'), ref('RFC8725', '3.11')],
    description:
      'A fetch/XHR with Authorization: Bearer <JWT> where the JWT looks like an ID token (it has a nonce, or its aud is the client_id of a flow seen in this capture) and its typ is not at+jwt: the API accepts a token meant for the client.',
    tier: 2,
    on: 'any',
    prefilter: { requestHeaders: ['authorization'] },
    needs: { requestHeaders: ['authorization'] },
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const o = msg.obs;
    if (ctx.replay || isNavigation(o) || o.navigationOnly) return;
    const presented = authorizationJwt(o);
    if (!presented || presented.scheme !== 'bearer') return;
    const jwt = presented.jwt;
    const r = presented.report; // ruleToken(jwt, true), decoded once per token (tokens/presented.ts)
    if (!r || r.kind === 'JWE' || !r.payload || typeof r.payload !== 'object') return;
    const typ = typeof r.header.typ === 'string' ? r.header.typ.toLowerCase() : '';
    if (AT_TYPES.has(typ)) return;
    const p = r.payload;
    const auds = typeof p.aud === 'string' ? [p.aud] : Array.isArray(p.aud) ? p.aud.filter((x): x is string => typeof x === 'string') : [];
    // a flow of this context first; then any flow of the capture (a HAR starts a new page, and so a
    // new context, at each navigation: the API calls sit on a later page than the flow). Only the
    // message of a token without a nonce names the client: with one, no flow is looked at; without,
    // a token none of whose audiences is a flow's client (an API's access token: the usual call) is
    // answered by the client index, not a walk of every flow on every API call
    let clientAud: string | undefined;
    if (p.nonce === undefined) {
      if (!auds.some((a) => a !== '' && ctx.store.flowsOfClient(a).length > 0)) return;
      for (const f of ctx.store.flows.values()) {
        if (!f.clientId || !auds.includes(f.clientId)) continue;
        clientAud = f.clientId;
        if (f.context === o.context) break;
      }
      if (clientAud === undefined) return;
    }
    // one finding per token (and tab or HAR page), however many API calls carry it, as
    // jwt-alg-none and bearer-audience-mismatch report a bearer token: a single-page app sends its
    // token with every call, and each call used to be a finding of its own
    ctx.report({
      fingerprint: `bearer:${hashSecret(jwt)}`,
      message: `A request to ${msg.url?.base ?? o.url} carries an ID token as its bearer token (${p.nonce !== undefined ? 'it has a nonce' : `its aud is the client_id ${clientAud}`}; typ ${typ ? `"${typ}"` : 'absent'}).`,
      evidence: [ctx.evidence(o, 'authorization', 'Bearer ID token', jwt)],
      flowId: null,
    });
  },
});
