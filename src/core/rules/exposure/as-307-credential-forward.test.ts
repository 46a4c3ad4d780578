import { obs, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule, { isCredentialField } from './as-307-credential-forward';
import { describe, expect, it } from 'vitest';

const AS = 'https://as.example';
const APP = 'https://app.example';
const areq = () =>
  obs(`${AS}/authorize?${q({ response_type: 'code', client_id: 'c1', redirect_uri: `${APP}/cb`, state: rand('s'), code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`, { initiator: APP });
const login = (status: number, location: string, form: Record<string, string> | [string, string][], url = `${AS}/login`) =>
  obs(url, { method: 'POST', form, status, location, initiator: AS });

testRule(rule, {
  valid: [
    {
      name: '303 after the login POST (RFC 9700 §4.12)',
      observations: () => [areq(), login(303, `${APP}/cb?code=${rand('c')}&state=${rand('s')}`, { username: 'alice', password: rand('pw') })],
    },
    {
      name: '302 after the login POST',
      observations: () => [areq(), login(302, `${APP}/cb?code=${rand('c')}&state=${rand('s')}`, { username: 'alice', password: rand('pw') })],
    },
    {
      name: '307 within the AS origin (to its MFA step)',
      observations: () => [areq(), login(307, `${AS}/mfa`, { username: 'alice', password: rand('pw') })],
    },
    {
      name: '307 to another origin, but no credential field (consent form)',
      observations: () => [areq(), login(307, `${APP}/cb?code=${rand('c')}`, { consent: 'allow', scope: 'openid', csrf_token: rand('x') })],
    },
    {
      name: 'a 307 credential POST on a site that is no authorization server of this tab',
      observations: () => [login(307, 'https://other.example/welcome', { user: 'alice', password: rand('pw') }, 'https://shop.example/login')],
    },
    {
      name: 'fields that only look alike (passport_country, bypass, compass, spinner)',
      observations: () => [areq(), login(307, `${APP}/next`, { passport_country: 'DE', bypass_cache: '1', compass: 'n', spinner: 'on' })],
    },
  ],
  invalid: [
    {
      name: 'login POST answered 307 to the client: the password is re-POSTed to it',
      observations: () => [areq(), ...redirect(`${AS}/login`, `${APP}/cb?code=${rand('c')}&state=${rand('s')}`, { method: 'POST', form: { username: 'alice', password: rand('pw') }, status: 307, initiator: AS })],
      expect: [{ severity: 'high', variant: '307', param: 'password', message: /\(the client\)/ }],
    },
    {
      name: 'MFA step answered 308 with an OTP field (camelCase)',
      observations: () => [areq(), login(308, `${APP}/cb?code=${rand('c')}`, { otpCode: '123456' })],
      expect: [{ severity: 'high', variant: '308', param: 'otpCode' }],
    },
    {
      name: 'Microsoft-style passwd field, AS known from metadata only (no flow in this tab)',
      observations: () => [
        obs(`${AS}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: AS, authorization_endpoint: `${AS}/authorize`, token_endpoint: `${AS}/token` } }),
        obs(`${AS}/common/login`, { method: 'POST', form: { login: 'alice@example.com', passwd: rand('pw') }, status: 307, location: 'https://attacker.example/x', context: 'tab:2' }),
      ],
      expect: [{ param: 'passwd' }],
    },
    {
      name: 'JSON login body with a nested password',
      observations: () => [areq(), obs(`${AS}/api/login`, { method: 'POST', body: JSON.stringify({ credentials: { email: 'a@example.com', password: rand('pw') } }), headers: { 'Content-Type': 'application/json' }, status: 307, location: `${APP}/landing`, type: 'xhr' })],
      expect: [{ param: 'password' }],
    },
    {
      name: 'an authorization request POSTed with the credentials (login form posts back to /authorize)',
      observations: () => [
        obs(`${AS}/authorize`, { method: 'POST', form: { client_id: 'c1', response_type: 'code', redirect_uri: `${APP}/cb`, state: rand('s2'), username: 'alice', pwd: rand('pw') }, status: 307, location: `${APP}/cb?code=${rand('c2')}&state=${rand('s2')}` }),
      ],
      expect: [{ param: 'pwd' }],
    },
  ],
});

describe('isCredentialField', () => {
  it('recognises password and one-time-code names', () => {
    for (const n of ['password', 'Passwd', 'user[password]', 'newPassword', 'pwd', 'pin', 'otp', 'totp_code', 'verification_code', 'smsCode', 'oneTimeCode', 'mfa-code', 'passcode']) expect(isCredentialField(n), n).toBe(true);
    for (const n of ['username', 'email', 'code', 'state', 'passport', 'bypass', 'spinner', 'compass', 'client_secret', 'remember_me']) expect(isCredentialField(n), n).toBe(false);
  });
});
