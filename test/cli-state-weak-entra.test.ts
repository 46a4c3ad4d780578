/**
 * state-weak through `coatcheck scan` (issue #21 item 2): the shape of a Microsoft Entra (v1
 * endpoint) sign-in of SharePoint Online — hybrid `code id_token`, `form_post`, a 113-character
 * nonce, a 4-character state — is low (the nonce protects the flow, RFC 9700 §2.1); the same
 * request without the nonce is medium. Values made up here; no real capture.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCommand } from '../src/companion/scan';
import { har, q, rnd } from './cli-har';

const dir = mkdtempSync(join(tmpdir(), 'coatcheck-entra-'));
const TENANT = '72f988bf-0000-4000-8000-2d7cd011db47';

function entra(nonce: string | undefined): string {
  const p: Record<string, string> = {
    client_id: '00000003-0000-0ff1-ce00-000000000000',
    response_mode: 'form_post',
    response_type: 'code id_token',
    resource: '00000003-0000-0ff1-ce00-000000000000',
    scope: 'openid',
    redirect_uri: 'https://contoso.sharepoint.com/_forms/default.aspx',
    state: 'OD0w',
  };
  if (nonce !== undefined) p.nonce = nonce;
  return `https://login.microsoftonline.com/${TENANT}/oauth2/authorize?${q(p)}`;
}

async function stateWeak(name: string, url: string): Promise<{ severity: string; confidence: string }[]> {
  const path = join(dir, name);
  writeFileSync(path, har([{ url: 'https://contoso.sharepoint.com/', at: 0 }, { url, at: 1 }]));
  let out = '';
  await scanCommand(['--format', 'json', path], { stdout: (t) => (out += t), stderr: () => {}, stderrIsTTY: false });
  return (JSON.parse(out).findings as { ruleId: string; severity: string; confidence: string }[]).filter((f) => f.ruleId === 'state-weak').map(({ severity, confidence }) => ({ severity, confidence }));
}

describe('coatcheck scan: state-weak on the Entra SharePoint shape', () => {
  it('a short state beside a 113-character nonce → low, heuristic', async () => {
    const nonce = `638712345678901234.${rnd(70)}`.slice(0, 113);
    expect(nonce).toHaveLength(113);
    expect(await stateWeak('entra-nonce.har', entra(nonce))).toEqual([{ severity: 'low', confidence: 'heuristic' }]);
  });
  it('the same request with neither nonce nor PKCE → medium', async () => {
    expect((await stateWeak('entra-bare.har', entra(undefined))).map((f) => f.severity)).toEqual(['medium']);
  });
});
