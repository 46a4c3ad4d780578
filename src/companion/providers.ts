/**
 * `coatcheck providers`: print CoatCheck's provider table (detectors.md §3) — what it knows about
 * each provider's issuer(s) and RFC 9207 `iss` behaviour, dated, with its sources — so a user can
 * see what a verdict "from CoatCheck's provider table" rests on, and report a change
 * (docs/providers.md).
 */
import { describeIss, PROVIDER_TABLE } from '../core';
import { CommandError, type CliIO } from './io';

export const PROVIDERS_HELP = `Usage: coatcheck providers [--format text|json] [<id>]

Print CoatCheck's provider table: for each provider its authorization endpoint, issuer value(s),
RFC 9207 iss behaviour (always since <date>, some accounts since <date>, not seen), sources and
the date it was last checked. Knowledge from this table is soft: an iss on the provider's own
origin that differs from it is reported as info (the table is out of date), never as a mix-up.
How to report a change: docs/providers.md.

Options:
  --format text|json   output format (default text)
  -h, --help           this help
`;

export async function providersCommand(argv: string[], io: Pick<CliIO, 'stdout' | 'stderr'>): Promise<number> {
  let format = 'text';
  let only: string | undefined;
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '-h' || a === '--help') {
        io.stdout(PROVIDERS_HELP);
        return 0;
      }
      if (a === '--format' || a.startsWith('--format=')) {
        format = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
        if (format !== 'text' && format !== 'json') throw new CommandError(`--format must be text or json, not '${format}'`);
      } else if (a.startsWith('-')) throw new CommandError(`unknown option '${a}'`);
      else if (only === undefined) only = a;
      else throw new CommandError(`one provider id at most (got '${only}' and '${a}')`);
    }
    const rows = PROVIDER_TABLE.filter((r) => only === undefined || r.id === only.toLowerCase());
    if (rows.length === 0) throw new CommandError(`no provider '${only}' (known: ${PROVIDER_TABLE.map((r) => r.id).join(', ')})`);
    if (format === 'json') {
      const out = rows.map((r) => ({ id: r.id, name: r.name, endpoint: r.endpointShape, issuers: r.issuers, iss: r.iss, issBehaviour: describeIss(r.iss), checked: r.checked, sources: r.sources, ...(r.notes ? { notes: r.notes } : {}) }));
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const lines: string[] = [`CoatCheck provider table (${rows.length} of ${PROVIDER_TABLE.length} providers)`, ''];
    for (const r of rows) {
      lines.push(`${r.name} [${r.id}]  iss: ${describeIss(r.iss)}  checked ${r.checked}`);
      lines.push(`  endpoint  ${r.endpointShape}`);
      for (const i of r.issuers) lines.push(`  issuer    ${i}`);
      for (const s of r.sources) lines.push(`  source    ${s.title} <${s.url}>: ${s.note}`);
      if (r.notes) lines.push(`  note      ${r.notes}`);
      lines.push('');
    }
    lines.push('A provider changed? See docs/providers.md: how to report it and re-check a row.');
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof CommandError) {
      io.stderr(`coatcheck providers: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
