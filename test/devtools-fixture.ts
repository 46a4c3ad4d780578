/** A realistic SPA code flow with PKCE as HAR entries, with a real RS256-signed ID token (test helper). */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { pkceS256 } from '../src/core/util/sha256';

export const AS = 'https://as.example';
export const APP = 'https://app.example';
export const CLIENT = 'spa-client';

let t0 = Date.parse('2026-03-01T10:00:00Z');

export interface EntryInit {
  method?: string;
  status?: number;
  reqHeaders?: [string, string][];
  resHeaders?: [string, string][];
  form?: Record<string, string>;
  json?: unknown;
  type?: string;
  redirectURL?: string;
}

export function entry(url: string, init: EntryInit = {}) {
  t0 += 1000;
  const body = init.json !== undefined ? JSON.stringify(init.json) : undefined;
  return {
    startedDateTime: new Date(t0).toISOString(),
    _resourceType: init.type ?? (init.method === 'POST' || init.json !== undefined ? 'fetch' : 'document'),
    request: {
      method: init.method ?? 'GET',
      url,
      headers: (init.reqHeaders ?? []).map(([name, value]) => ({ name, value })),
      ...(init.form
        ? { postData: { mimeType: 'application/x-www-form-urlencoded', text: new URLSearchParams(init.form).toString(), params: Object.entries(init.form).map(([name, value]) => ({ name, value })) } }
        : {}),
    },
    response: {
      status: init.status ?? (init.redirectURL ? 302 : 200),
      headers: [...(init.resHeaders ?? []), ...(init.redirectURL ? [['Location', init.redirectURL] as [string, string]] : [])].map(([name, value]) => ({ name, value })),
      redirectURL: init.redirectURL ?? '',
      content: { mimeType: body ? 'application/json' : 'text/html', ...(body ? { text: body } : {}) },
    },
  };
}

export async function makeKeys() {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  return { privateKey, jwks: { keys: [jwk] } };
}

export async function idToken(privateKey: CryptoKey, claims: Record<string, unknown>, now = Math.floor(t0 / 1000)) {
  return new SignJWT({ sub: 'alice', nonce: 'n-0S6_WzA2Mj', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
    .setIssuer(AS)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey);
}

export const VERIFIER = 'Zk3wA9qPr7xYtL2mN8vB4cD6eF1gH5jK0sU9oI3pQ7w';
export const STATE = 'q8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Ga';

/** metadata + JWKS fetches, authorization request, callback, token request with its JSON response */
export async function spaFlow(opts: { aud?: unknown; azp?: string } = {}) {
  const keys = await makeKeys();
  const idt = await idToken(keys.privateKey, { aud: opts.aud ?? CLIENT, ...(opts.azp ? { azp: opts.azp } : {}) });
  const code = 'SplxlOBeZQQYbYS6WxSbIA-c0de-7f3a9e';
  const areq = `${AS}/auth?${new URLSearchParams({ client_id: CLIENT, response_type: 'code', redirect_uri: `${APP}/cb`, scope: 'openid', state: STATE, nonce: 'n-0S6_WzA2Mj', code_challenge: pkceS256(VERIFIER), code_challenge_method: 'S256' })}`;
  const cb = `${APP}/cb?code=${code}&state=${STATE}&iss=${encodeURIComponent(AS)}`;
  const entries = [
    entry(`${AS}/.well-known/openid-configuration`, { json: { issuer: AS, authorization_endpoint: `${AS}/auth`, token_endpoint: `${AS}/token`, jwks_uri: `${AS}/jwks`, authorization_response_iss_parameter_supported: true, code_challenge_methods_supported: ['S256'] } }),
    entry(`${AS}/jwks`, { json: keys.jwks }),
    entry(areq, { reqHeaders: [['Referer', `${APP}/`]], redirectURL: cb }),
    entry(cb, { reqHeaders: [['Referer', `${AS}/`]] }),
    entry(`${AS}/token`, {
      method: 'POST',
      reqHeaders: [['Origin', APP]],
      form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/cb`, client_id: CLIENT, code_verifier: VERIFIER },
      json: { access_token: 'at-9f8e7d6c5b4a39281706f5e4d3c2b1a0', token_type: 'Bearer', expires_in: 300, id_token: idt, scope: 'openid' },
    }),
  ];
  return { entries, har: JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } }), idt, keys, code };
}
