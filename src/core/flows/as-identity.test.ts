/**
 * resolveAs builds its AS identities as records (records.ts AsRecord + withTable) instead of the
 * literals it built before: the same keys in the same order, the same JSON and values, for every
 * source (metadata, id_token, provider, origin), with and without the provider table's pattern,
 * aliases and own scope. The reference is the old resolveAs, copied here, over the same directory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUrl, type ParsedUrl } from '../util/url';
import { AsDirectory } from './as-directory';
import type { AsIdentity } from './flow';
import { tableSendsIss, type ProviderMatch } from './providers';

/** the private state the old code read */
interface DirectoryInternals {
  endpointIssuer: Map<string, string>;
  md: { map: Map<string, { issParameterSupported?: boolean }> };
  iss: { map: Map<string, unknown> };
  idt: { map: Map<string, string> };
  providerFor(base: string): ProviderMatch | undefined;
}

function oldResolveAs(dir: AsDirectory, url: ParsedUrl, time: number): AsIdentity {
  const self = dir as unknown as DirectoryInternals;
  const fromMd = self.endpointIssuer.get(url.base);
  if (fromMd) {
    const md = self.md.map.get(fromMd);
    return { origin: url.origin, issuer: fromMd, source: 'metadata', endpoint: url.base, sendsIss: md?.issParameterSupported };
  }
  const provider = self.providerFor(url.base);
  const table = provider
    ? {
        provider: provider.row.id,
        ...(provider.aliases.length ? { issuerAliases: [...provider.aliases] } : {}),
        ...(provider.ownScope ? { ownScope: provider.ownScope } : {}),
      }
    : {};
  const sendsIss = (provider && tableSendsIss(provider.row, time)) || self.iss.map.has(url.base) || undefined;
  const fromId = self.idt.map.get(url.base);
  if (fromId) return { origin: url.origin, issuer: fromId, source: 'id_token', endpoint: url.base, sendsIss, ...table };
  if (provider) {
    return {
      origin: url.origin,
      issuer: provider.issuer,
      source: 'provider',
      endpoint: url.base,
      sendsIss,
      ...(provider.pattern ? { issuerPattern: provider.pattern } : {}),
      ...table,
    };
  }
  return { origin: url.origin, issuer: url.origin, source: 'origin', endpoint: url.base, sendsIss };
}

const endpoints = [
  'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
  'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
  'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/authorize',
  'https://accounts.google.com/o/oauth2/v2/auth',
  'https://github.com/login/oauth/authorize',
  'https://dev-1.okta.com/oauth2/default/v1/authorize',
  'https://dev-1.okta.com/oauth2/v1/authorize',
  'https://tenant-a.us.auth0.com/authorize',
  'https://acme.my.salesforce.com/services/oauth2/authorize',
  'https://as.example/authorize',
  'https://idp.example:8443/oauth/authorize',
  'https://kc.example/realms/r1/protocol/openid-connect/auth',
];

describe('resolveAs records are the literals they replace', () => {
  it('every source, learnt or not, at any time', () => {
    const step = fc.record({
      at: fc.constantFrom(...endpoints),
      learn: fc.constantFrom('none', 'metadata', 'iss', 'id_token'),
      issParameterSupported: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2028, 0, 1) }), (steps, time) => {
        const d = new AsDirectory([]);
        for (const s of steps) {
          const u = parseUrl(s.at)!;
          if (s.learn === 'metadata') {
            d.recordMetadata(`${u.origin}/.well-known/openid-configuration`, {
              issuer: u.origin,
              authorization_endpoint: u.base,
              authorization_response_iss_parameter_supported: s.issParameterSupported,
            });
          } else if (s.learn === 'iss') d.learnFromResponse(d.resolveAs(u, time), `${u.origin}/`, time, undefined);
          else if (s.learn === 'id_token') d.learnFromResponse(d.resolveAs(u, time), undefined, time, `${u.origin}/tenant`);
          for (const e of endpoints) {
            const url = parseUrl(e)!;
            const a = d.resolveAs(url, time);
            const b = oldResolveAs(d, url, time);
            expect(Object.keys(a)).toEqual(Object.keys(b));
            expect(JSON.stringify(a)).toBe(JSON.stringify(b));
            expect({ ...a }).toStrictEqual({ ...b });
          }
        }
      }),
      { numRuns: 120 },
    );
  });

  it('covers the provider table keys (pattern, aliases, own scope) and an id_token issuer over a provider row', () => {
    const d = new AsDirectory([]);
    const seen = new Set<string>();
    for (const e of endpoints) for (const k of Object.keys(d.resolveAs(parseUrl(e)!, Date.UTC(2027, 0, 1)))) seen.add(k);
    expect([...seen]).toEqual(expect.arrayContaining(['issuerPattern', 'issuerAliases', 'ownScope', 'provider']));
  });
});
