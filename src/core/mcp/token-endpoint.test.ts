import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issuerForTokenEndpoint } from './ledger';
import { parseUrl, siteOf } from '../util/url';

describe('issuerForTokenEndpoint', () => {
  /** as it was: every document's token endpoint cut at ? or # by a regex */
  function reference(mds: { issuer: string; tokenEndpoint?: string }[], base: string): string | undefined {
    let any: string | undefined;
    const host = parseUrl(base)?.hostname;
    for (const md of mds) {
      if (!md.tokenEndpoint) continue;
      const i = md.tokenEndpoint.search(/[?#]/);
      if ((i < 0 ? md.tokenEndpoint : md.tokenEndpoint.slice(0, i)) !== base) continue;
      const ih = parseUrl(md.issuer)?.hostname;
      if (host && ih && siteOf(host) === siteOf(ih)) return md.issuer;
      any ??= md.issuer;
    }
    return any;
  }
  it('names the issuer as the scan with a regex did', () => {
    const urls = ['https://as.example/token', 'https://as.example/token?x=1', 'https://as.example/token#f', 'https://as.example/tokens', 'https://as.example/tok', 'https://other.example/token', '', '?', 'https://as.example/token?'];
    const issuers = ['https://as.example', 'https://login.as.example/t1', 'https://other.example', 'not a url'];
    const doc = fc.record({ issuer: fc.constantFrom(...issuers), tokenEndpoint: fc.option(fc.constantFrom(...urls), { nil: undefined }) });
    fc.assert(fc.property(fc.array(doc, { maxLength: 6 }), fc.constantFrom(...urls), (mds, base) => {
      expect(issuerForTokenEndpoint(mds, base, siteOf)).toBe(reference(mds, base));
    }), { numRuns: 1000 });
  });
});
