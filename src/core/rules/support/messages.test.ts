import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine';
import { obs } from '../../testing/builders';
import { defineRule } from '../types';
import { formatMessage, ruleMessage } from './messages';

describe('meta.messages', () => {
  it('fills {placeholders} from data: strings as they are, the rest as JSON; a placeholder without data stays', () => {
    expect(formatMessage('aud {aud} for "{client}" ({n}, {missing})', { aud: ['a', 'b'], client: 'c1', n: 2 })).toBe('aud ["a","b"] for "c1" (2, {missing})');
    expect(formatMessage('{x}{x}', { x: '$&' })).toBe('$&$&');
  });

  it('an unknown message id is an error, not an empty finding', () => {
    expect(() => ruleMessage({ id: 'r', messages: { a: 'A' } }, 'b')).toThrow(/rule r has no message "b"/);
  });

  it('the engine renders a report by messageId with the rule\'s table; a plain message still works', () => {
    const rule = defineRule({
      meta: { id: 'demo', title: 'Demo', severity: 'low', confidence: 'strong', references: [], description: '', tier: 2, on: 'any', vantage: ['HAR'], messages: { seen: 'Saw {url}.' } },
      check(ctx) {
        ctx.report({ messageId: 'seen', data: { url: ctx.msg.obs.url }, variant: 'a', evidence: [] });
        ctx.report({ message: 'plain', variant: 'b', evidence: [] });
        ctx.report({ messageId: 'nope', variant: 'c', evidence: [] });
      },
    });
    const e = new Engine({ rules: [rule] });
    e.push(obs('https://app.example/x'));
    expect(e.findings.map((f) => f.message)).toEqual(['Saw https://app.example/x.', 'plain']);
    expect(e.errors).toEqual([expect.objectContaining({ ruleId: 'demo', message: 'rule demo has no message "nope"' })]);
  });
});
