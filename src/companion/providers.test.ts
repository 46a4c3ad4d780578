import { describe, expect, it } from 'vitest';
import { PROVIDER_TABLE } from '../core';
import { main } from './cli';
import { providersCommand } from './providers';
import { fakeIO } from './test-io';

describe('coatcheck providers', () => {
  it('prints every row with its iss behaviour, issuers, sources and check date', async () => {
    const io = fakeIO();
    expect(await providersCommand([], io)).toBe(0);
    const text = io.stdoutText;
    for (const r of PROVIDER_TABLE) {
      expect(text).toContain(`${r.name} [${r.id}]`);
      expect(text).toContain(`checked ${r.checked}`);
      for (const s of r.sources) expect(text).toContain(s.url);
    }
    expect(text).toContain('GitHub [github]  iss: always since 2026-04-09');
    expect(text).toContain('issuer    https://github.com/login/oauth');
    expect(text).toContain('Google [google]  iss: some accounts since');
    expect(text).toContain('https://sts.windows.net/{tenantid}/');
    expect(text).toContain('docs/providers.md');
  });
  it('--format json and one provider', async () => {
    const io = fakeIO();
    expect(await providersCommand(['--format', 'json', 'github'], io)).toBe(0);
    const rows = JSON.parse(io.stdoutText);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 'github', issuers: ['https://github.com/login/oauth'], iss: { kind: 'always', since: '2026-04-09' }, issBehaviour: 'always since 2026-04-09' });
  });
  it('bad input: exit 2 with a message, never a stack', async () => {
    for (const argv of [['nosuch'], ['--format', 'xml'], ['--bogus'], ['github', 'google']]) {
      const io = fakeIO();
      expect(await providersCommand(argv, io)).toBe(2);
      expect(io.stderrText).toMatch(/^coatcheck providers: /);
      expect(io.stdoutText).toBe('');
    }
  });
  it('is wired into the CLI and its help', async () => {
    const io = fakeIO();
    expect(await main(['providers', 'apple'], io)).toBe(0);
    expect(io.stdoutText).toContain('Apple [apple]  iss: not seen');
    const help = fakeIO();
    expect(await main(['--help'], help)).toBe(0);
    expect(help.stdoutText).toContain('  providers ');
  });
});
