/**
 * The token endpoint index of the AS directory: what it answers is what a walk over every
 * metadata document answers (mcp/ledger.ts issuerForTokenEndpoint), as documents come, are
 * replaced, move to the newest place, are pushed out by the cap and are restored.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issuerForTokenEndpoint } from '../mcp/ledger';
import { siteOf } from '../util/url';
import { AsDirectory } from './as-directory';
import { emptyBatch } from './journal';

const hosts = ['https://as.example', 'https://login.as.example', 'https://other.example', 'https://as.example:8443'];
const paths = ['/token', '/oauth/token', '/token?x=1', '/token#f', '/token/', ''];

describe('AsDirectory token endpoint index', () => {
  it('answers as the walk over every document, through replacements, the cap and a restore', () => {
    const doc = fc.record({
      issuer: fc.oneof(fc.constantFrom(...hosts), fc.integer({ min: 0, max: 260 }).map((i) => `https://i${i}.as.example`)),
      token: fc.option(fc.tuple(fc.constantFrom(...hosts), fc.constantFrom(...paths)).map(([h, p]) => h + p), { nil: undefined }),
    });
    const bases = hosts.flatMap((h) => ['/token', '/oauth/token', '/token/', '', '/token?x=1'].map((p) => h + p));
    fc.assert(
      fc.property(fc.array(doc, { maxLength: 320 }), fc.nat(320), (docs, restoreAt) => {
        let d = new AsDirectory([]);
        const check = () => {
          for (const b of bases) expect(d.issuerOfTokenEndpoint(b), b).toBe(issuerForTokenEndpoint(d.metadata.values(), b, siteOf));
        };
        docs.forEach((x, i) => {
          d.recordMetadata(`${x.issuer}/.well-known/openid-configuration`, { issuer: x.issuer, ...(x.token !== undefined ? { token_endpoint: x.token } : {}) });
          if (i === restoreAt) {
            const b = emptyBatch();
            d.markAll();
            d.flush(b);
            d = new AsDirectory([]);
            d.restore(b.set);
          }
          if (i % 5 === 0) check();
        });
        check();
      }),
      { numRuns: 150 },
    );
  });

  it('answers as the walk when few issuers share few token endpoints (documents that come again, in place or moved)', () => {
    const doc = fc.record({ issuer: fc.constantFrom(...hosts), token: fc.option(fc.constantFrom('https://as.example/token', 'https://as.example/token?x=1', 'https://other.example/token'), { nil: undefined }) });
    const bases = ['https://as.example/token', 'https://other.example/token'];
    fc.assert(
      fc.property(fc.array(doc, { maxLength: 30 }), (docs) => {
        const d = new AsDirectory([]);
        for (const x of docs) {
          d.recordMetadata(`${x.issuer}/.well-known/openid-configuration`, { issuer: x.issuer, ...(x.token !== undefined ? { token_endpoint: x.token } : {}) });
          for (const b of bases) expect(d.issuerOfTokenEndpoint(b), b).toBe(issuerForTokenEndpoint(d.metadata.values(), b, siteOf));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a document the cap pushed out no longer answers', () => {
    const d = new AsDirectory([]);
    for (let i = 0; i < 210; i++) d.recordMetadata(`https://i${i}.as.example/.well-known/openid-configuration`, { issuer: `https://i${i}.as.example`, token_endpoint: 'https://as.example/token' });
    expect(d.metadata.has('https://i0.as.example')).toBe(false);
    expect(d.issuerOfTokenEndpoint('https://as.example/token')).toBe(issuerForTokenEndpoint(d.metadata.values(), 'https://as.example/token', siteOf));
    expect(d.issuerOfTokenEndpoint('https://as.example/token')).toBe('https://i10.as.example');
  });
});
