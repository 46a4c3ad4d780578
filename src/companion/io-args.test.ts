import { describe, expect, it } from 'vitest';
import { argTokens, CommandError } from './io';

/** Reads argv the way a command does: options that take a value call value(). */
function walk(argv: string[], takesValue: string[] = ['--format', '--key', '--output']) {
  const out: (string | [string, string])[] = [];
  for (const t of argTokens(argv)) out.push(t.option && takesValue.includes(t.name) ? [t.name, t.value()] : t.option ? t.name : `pos:${t.arg}`);
  return out;
}

describe('argTokens', () => {
  it.each([
    [['--format', 'json', 'a.har'], [['--format', 'json'], 'pos:a.har']],
    [['--format=sarif', '-'], [['--format', 'sarif'], 'pos:-']],
    [['--reveal', '--', '--not-an-option', '-x'], ['--reveal', 'pos:--not-an-option', 'pos:-x']],
    [['-h', 'x'], ['-h', 'pos:x']],
    // a PEM key is a value, not an option
    [['--key', '-----BEGIN PUBLIC KEY-----'], [['--key', '-----BEGIN PUBLIC KEY-----']]],
    [['--format='], [['--format', '']]],
  ])('%j', (argv, expected) => {
    expect(walk(argv)).toEqual(expected);
  });

  it.each([[['--format']], [['--output', '--reveal']]])('a missing value is an error: %j', (argv) => {
    expect(() => walk(argv)).toThrow(CommandError);
    expect(() => walk(argv)).toThrow(/needs a value/);
  });

  it('uses the error type the command asks for', () => {
    class Mine extends Error {}
    expect(() => [...argTokens(['--x'], (m) => new Mine(m))].forEach((t) => t.value())).toThrow(Mine);
  });
});
