import { obs, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './callback-context-mismatch';
import { areq, clean, coat, HONEST, mixup, P } from './scenarios';

import { restartAtAnotherProvider, formPostFlow } from './fixtures';

testRule(rule, {
  valid: [
    { name: 'a user restarting at another provider with per-provider callbacks (both issued by the client)', observations: () => restartAtAnotherProvider() },
    { name: 'form_post response to the issued callback', observations: formPostFlow },
    { name: 'a clean flow', observations: () => clean() },
    { name: 'mix-up with a shared redirect URI lands where the state was issued', observations: () => mixup() },
    { name: 'trailing slash and http→https normalisation', observations: () => clean({ cb: `${P}/cb/honest-tool/` }) },
    {
      name: 'internal re-dispatch after the callback (only the first code-bearing navigation counts)',
      observations: () => {
        const S = rand('rd');
        const code = rand('rdc');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          ...redirect(`${P}/cb?${q({ code, state: S })}`, `${P}/app/finish?${q({ code, state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
    },
    {
      name: 'form_post: the POST target is the callback',
      observations: () => {
        const S = rand('fp');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/auth/callback`, state: S, response_mode: 'form_post' }), { referer: `${P}/` }),
          obs(`${P}/auth/callback`, { method: 'POST', type: 'main_frame', form: { code: rand('fpc'), state: S }, referer: `${HONEST}/` }),
        ];
      },
    },
  ],
  invalid: [
    { name: 'COAT: the honest code comes back through the other tool\'s callback', observations: () => coat(), expect: [{ severity: 'high', param: 'state', message: /cb\/honest-tool/ }] },
    {
      name: 'a state returning on another path of the client',
      observations: () => {
        const S = rand('x');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/tool-a`, state: S }), { referer: `${P}/` }),
          obs(`${P}/cb/tool-b?${q({ code: rand('xc'), state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
      expect: [{ severity: 'high' }],
    },
  ],
});
