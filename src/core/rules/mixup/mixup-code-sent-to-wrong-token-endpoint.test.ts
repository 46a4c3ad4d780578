import type { Observation } from '../../observe/observation';
import { obs, post } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-code-sent-to-wrong-token-endpoint';
import { googleWithIss } from './fixtures';
import { ATTACKER, clean, coat, HONEST, mixup, P } from './scenarios';

/** The client (server-side, seen by a proxy HAR) redeems the code of the last response at `tokenUrl`. */
function redeem(observations: Observation[], tokenUrl: string): Observation[] {
  const last = observations[observations.length - 1];
  const code = new URL(last.url).searchParams.get('code')!;
  return [...observations, post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: last.url.split('?')[0], client_id: 'c' }, { context: 'proxy:1' })];
}

function md(issuer: string, token: string): Observation {
  return obs(`${issuer}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: token } });
}

testRule(rule, {
  valid: [
    { name: 'a clean flow redeemed at its AS', observations: () => redeem(clean(), `${HONEST}/token`) },
    { name: 'COAT, but the client redeems at the AS that minted the code (it checked iss)', observations: () => redeem(coat(), `${HONEST}/token`) },
    { name: 'mix-up, the client posts the code to its own back end (BFF): proves nothing', observations: () => redeem(mixup(), `${P}/api/token`) },
    { name: 'Google: token endpoint on oauth2.googleapis.com (provider table)', observations: () => redeem(googleWithIss(), 'https://oauth2.googleapis.com/token') },
    {
      name: 'metadata token endpoint on another site than the authorization endpoint',
      observations: () => [md(HONEST, 'https://tokens.honest-cdn.example/oauth/token'), ...redeem(coat(), 'https://tokens.honest-cdn.example/oauth/token')],
    },
  ],
  invalid: [
    {
      name: 'COAT: the honest code is redeemed at the attacker AS token endpoint (the theft)',
      observations: () => redeem(coat(), `${ATTACKER}/token`),
      expect: [{ severity: 'critical', param: 'code', message: /attacker-as\.example/ }],
    },
    {
      name: 'classic mix-up without iss: the AS that redirected the response minted the code',
      observations: () => redeem(mixup({ iss: false }), `${ATTACKER}/oauth/token`),
      expect: [{ severity: 'critical' }],
    },
    {
      name: 'mix-up with metadata: the code goes to the token endpoint the attacker metadata names',
      observations: () => [md(ATTACKER, 'https://tok.attacker-infra.example/t'), ...redeem(mixup(), 'https://tok.attacker-infra.example/t')],
      expect: [{ severity: 'critical' }],
    },
  ],
});

