/**
 * The parameters of an authorization request the flow store reads, each the first value of its name
 * (what `Params.get` returns), picked in one pass over the entries: correlating a request and
 * starting its flow asked `get` 14 times, each a walk over every parameter.
 */
import type { Params } from '../../util/url';

export interface RequestParams {
  clientId: string | undefined;
  redirectUri: string | undefined;
  responseType: string | undefined;
  requestUri: string | undefined;
  state: string | undefined;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  responseMode: string | undefined;
  scope: string | undefined;
  resource: string | undefined;
}

/** the names picked, as `PICKED_NAMES[i]` → field (the property test's list) */
export const PICKED_NAMES: Readonly<Record<string, keyof RequestParams>> = {
  client_id: 'clientId',
  redirect_uri: 'redirectUri',
  response_type: 'responseType',
  request_uri: 'requestUri',
  state: 'state',
  nonce: 'nonce',
  code_challenge: 'codeChallenge',
  code_challenge_method: 'codeChallengeMethod',
  response_mode: 'responseMode',
  scope: 'scope',
  resource: 'resource',
};

export function pickRequestParams(p: Params): RequestParams {
  const r: RequestParams = {
    clientId: undefined,
    redirectUri: undefined,
    responseType: undefined,
    requestUri: undefined,
    state: undefined,
    nonce: undefined,
    codeChallenge: undefined,
    codeChallengeMethod: undefined,
    responseMode: undefined,
    scope: undefined,
    resource: undefined,
  };
  const e = p.entries;
  for (let i = 0; i < e.length; i++) {
    const k = e[i][0];
    const v = e[i][1];
    // by length first: most names compare once, or not at all
    switch (k.length) {
      case 5:
        if (k === 'state') r.state ??= v;
        else if (k === 'nonce') r.nonce ??= v;
        else if (k === 'scope') r.scope ??= v;
        break;
      case 8:
        if (k === 'resource') r.resource ??= v;
        break;
      case 9:
        if (k === 'client_id') r.clientId ??= v;
        break;
      case 11:
        if (k === 'request_uri') r.requestUri ??= v;
        break;
      case 12:
        if (k === 'redirect_uri') r.redirectUri ??= v;
        break;
      case 13:
        if (k === 'response_type') r.responseType ??= v;
        else if (k === 'response_mode') r.responseMode ??= v;
        break;
      case 14:
        if (k === 'code_challenge') r.codeChallenge ??= v;
        break;
      case 21:
        if (k === 'code_challenge_method') r.codeChallengeMethod ??= v;
        break;
    }
  }
  return r;
}
