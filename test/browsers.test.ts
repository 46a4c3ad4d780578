import { describe, expect, it } from 'vitest';
import { BROWSERS, plan } from '../scripts/browsers.mjs';

describe('browser set-up of npm start / npm test (scripts/browsers.mjs)', () => {
  it('does nothing when the browsers are there', () => {
    expect(plan({ missing: [], root: false, apt: false })).toEqual({ action: 'none' });
  });
  it('installs with apt-get as root on a Debian-like machine', () => {
    expect(plan({ missing: ['chromium', 'firefox-esr'], root: true, apt: true })).toEqual({ action: 'install', packages: ['chromium', 'firefox-esr'] });
  });
  it('prints the exact command otherwise', () => {
    expect(plan({ missing: ['chromium'], root: false, apt: true })).toEqual({ action: 'tell', command: 'sudo apt-get install -y chromium' });
    expect(plan({ missing: ['firefox-esr'], root: true, apt: false })).toEqual({ action: 'tell', command: 'apt-get install -y firefox-esr' });
  });
  it('looks where the lab drivers launch them', () => {
    expect(BROWSERS.chromium).toBe(process.env.COATCHECK_CHROMIUM ?? '/usr/bin/chromium');
    expect(BROWSERS['firefox-esr']).toBe(process.env.COATCHECK_FIREFOX ?? '/usr/bin/firefox-esr');
  });
});
