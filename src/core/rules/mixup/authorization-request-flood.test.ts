import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './authorization-request-flood';

const areq = (i: number, context = 'tab:9', at?: number) =>
  obs(`https://as.example/authorize?${q({ response_type: 'code', client_id: 'c', redirect_uri: 'https://app.example/cb', state: rand(`flood-${context}-${i}`), code_challenge: rand(`cc-${i}`, 43), code_challenge_method: 'S256' })}`, { context, ...(at !== undefined ? { at } : {}) });

testRule(rule, {
  valid: [
    { name: '99 authorization requests within a minute', observations: () => Array.from({ length: 99 }, (_, i) => areq(i, 'tab:9', i * 0.5)) },
    { name: '150 over two hours (a client renewing silently every 48 s)', observations: () => Array.from({ length: 150 }, (_, i) => areq(i, 'tab:9', i * 48)) },
    { name: '100 spread over 50 tabs within a minute (two each)', observations: () => Array.from({ length: 100 }, (_, i) => areq(i, `tab:${i % 50}`, i * 0.5)) },
  ],
  invalid: [
    {
      name: '100 authorization requests from one tab within a minute: info, once',
      observations: () => Array.from({ length: 130 }, (_, i) => areq(i, 'tab:9', i * 0.4)),
      expect: [{ severity: 'info', message: /100 authorization requests from this tab within \d+ s/ }],
    },
  ],
});
