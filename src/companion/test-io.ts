/** Test helper: a CliIO that records output, with a canned stdin and an in-memory file system. */
import type { CliIO } from './io';

export interface FakeIO extends CliIO {
  out: string[];
  err: string[];
  readonly stdoutText: string;
  readonly stderrText: string;
}

export function fakeIO(opts: { stdin?: string; files?: Record<string, string>; color?: boolean } = {}): FakeIO {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    get stdoutText() {
      return out.join('');
    },
    get stderrText() {
      return err.join('');
    },
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    readStdin: async () => opts.stdin ?? '',
    isTTY: false,
    color: opts.color ?? false,
    fetch: globalThis.fetch,
    readFile: async (p) => {
      const f = opts.files?.[p];
      if (f === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
      return f;
    },
  };
}
