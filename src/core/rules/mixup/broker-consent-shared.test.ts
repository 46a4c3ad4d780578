import { expect, it } from 'vitest';
import { resetBuilders, run } from '../../testing/builders';
import { brokeredChain, sharedConsentAttack } from '../../testing/broker-scenarios';
import { keycloakBrokeringToGoogle } from '../../testing/mixup-fixtures';
import { testRule } from '../../testing/rule-tester';
import rule from './broker-consent-shared';

const first = () => brokeredChain({ client: 'budget-app', cb: 'https://budget-app.example/cb', upstreamClient: 'broker-upstream', upstreamPage: true });

testRule(rule, {
  valid: [
    { name: 'one brokered chain', observations: first },
    { name: 'Keycloak brokering to Google (one downstream client)', observations: keycloakBrokeringToGoogle },
    {
      name: 'per-client upstream registration: the broker uses another upstream client_id for the second client (countermeasure 1)',
      observations: () => sharedConsentAttack({ upstreamClient: 'broker-upstream-thirdparty-tool' }),
    },
    {
      name: "the broker shows its own consent page naming the second client before it goes upstream (countermeasure 2)",
      observations: () => sharedConsentAttack({ brokerConsent: true }),
    },
    { name: 'the upstream AS shows a sign-in page in the second chain', observations: () => sharedConsentAttack({ upstreamPage: true }) },
    {
      name: 'G5: prompt=none renewal of the SAME downstream client',
      observations: () => [...first(), ...brokeredChain({ client: 'budget-app', cb: 'https://budget-app.example/cb', upstreamClient: 'broker-upstream', promptNone: true, seed: 'renew' })],
    },
    {
      name: 'the same upstream client_id string at another upstream AS',
      observations: () => sharedConsentAttack({ upstream: 'https://other-idp.example' }),
    },
    {
      name: 'the same upstream client_id through another broker',
      observations: () => sharedConsentAttack({ broker: 'https://other-broker.example' }),
    },
    {
      name: 'the first chain was never answered upstream (the user cancelled): no consent to reuse',
      observations: () => [
        ...brokeredChain({ client: 'budget-app', cb: 'https://budget-app.example/cb', upstreamClient: 'broker-upstream', upstreamPage: true, upstreamError: true }),
        ...brokeredChain({ client: 'thirdparty-tool', cb: 'https://tool.thirdparty.example/oauth/cb', upstreamClient: 'broker-upstream' }),
      ],
    },
    {
      name: 'the second client came first: its own chain had the upstream page, the later silent one is the first client again',
      observations: () => [
        ...brokeredChain({ client: 'thirdparty-tool', cb: 'https://tool.thirdparty.example/oauth/cb', upstreamClient: 'broker-upstream', upstreamPage: true, seed: 'a' }),
        ...brokeredChain({ client: 'thirdparty-tool', cb: 'https://tool.thirdparty.example/oauth/cb', upstreamClient: 'broker-upstream', seed: 'b' }),
      ],
    },
  ],
  invalid: [
    {
      name: 'two clients on two sites behind one upstream registration, the second answered silently (medium)',
      observations: () => sharedConsentAttack(),
      expect: [{ severity: 'medium', count: 1, param: 'client_id', message: /thirdparty-tool.*broker-upstream.*budget-app/ }],
    },
    {
      name: "one organisation's apps behind its own broker (one site): low",
      observations: () => [
        ...brokeredChain({ client: 'app1', cb: 'https://app1.corp.example/cb', broker: 'https://sso.corp.example', upstreamClient: 'corp-sso', upstreamPage: true }),
        ...brokeredChain({ client: 'app2', cb: 'https://app2.corp.example/cb', broker: 'https://sso.corp.example', upstreamClient: 'corp-sso' }),
      ],
      expect: [{ severity: 'low', count: 1 }],
    },
    {
      name: 'the second chain in another tab',
      observations: () => [...first(), ...brokeredChain({ client: 'thirdparty-tool', cb: 'https://tool.thirdparty.example/oauth/cb', upstreamClient: 'broker-upstream', context: 'tab:2' })],
      expect: [{ severity: 'medium' }],
    },
    {
      name: 'a broker consent page in the FIRST chain only: the second client is never named to the user',
      observations: () => [
        ...brokeredChain({ client: 'budget-app', cb: 'https://budget-app.example/cb', upstreamClient: 'broker-upstream', upstreamPage: true, brokerConsent: true }),
        ...brokeredChain({ client: 'thirdparty-tool', cb: 'https://tool.thirdparty.example/oauth/cb', upstreamClient: 'broker-upstream' }),
      ],
      expect: [{ severity: 'medium' }],
    },
  ],
});

it('cites the WG draft §2.4 with its revision, and names both clients, the upstream registration and the broker in its evidence', () => {
  resetBuilders();
  const f = run(sharedConsentAttack()).findings.find((x) => x.ruleId === 'broker-consent-shared')!;
  expect(f.references).toEqual(['draft-ietf-oauth-security-topics-update-03 §2.4 (Shared Consent in Brokered OAuth)']);
  expect(f.confidence).toBe('heuristic');
  const notes = f.evidence.map((e) => e.note).join(' | ');
  for (const s of ['budget-app', 'thirdparty-tool', 'broker-upstream', 'https://broker.example', 'https://idp.example']) expect(notes).toContain(s);
  expect(f.context).toBe('tab:1');
});
