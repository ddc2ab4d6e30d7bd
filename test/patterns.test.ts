/**
 * The ID patterns and email masking shared by the constructs (synth time) and the handlers (bundled).
 */
import { maskEmail as handlerMaskEmail, maskEmails as handlerMaskEmails, redact } from '../lambda/shared/log';
import * as props from '../lambda/shared/props';
import {
  ACCOUNT_ID,
  ACCOUNT_LINK_ID,
  characterLength,
  EMAIL,
  HANDSHAKE_ID,
  maskEmail,
  maskEmails,
  ORGANIZATION_ID,
} from '../src/private/patterns';

describe('ID patterns', () => {
  test.each([
    [ACCOUNT_ID, '123456789012', ['12345678901', '1234567890123', 'abcdefghijkl', ' 123456789012']],
    [HANDSHAKE_ID, 'h-abcdef0123', ['h-abc', 'h-ABCDEF0123', 'x-abcdef0123', `h-${'a'.repeat(33)}`]],
    [ACCOUNT_LINK_ID, 'link-abcd1234efgh', ['link-1234567', 'lnk-abcd1234', `link-${'a'.repeat(25)}`]],
    [ORGANIZATION_ID, 'o-abcde12345', ['o-abc', 'o-ABCDE12345', 'r-abcde12345', `o-${'a'.repeat(33)}`]],
    [EMAIL, 'owner@example.com', ['owner', 'owner@example', 'a b@example.com', '@example.com']],
  ])('%s accepts a valid ID and rejects look-alikes', (pattern, valid, invalid) => {
    expect(pattern.test(valid)).toBe(true);
    for (const value of invalid) expect({ value, matches: pattern.test(value) }).toEqual({ value, matches: false });
  });

  test('the handlers use the very same patterns and masking', () => {
    expect(props.ACCOUNT_ID).toBe(ACCOUNT_ID);
    expect(props.EMAIL).toBe(EMAIL);
    expect(props.HANDSHAKE_ID).toBe(HANDSHAKE_ID);
    expect(handlerMaskEmail).toBe(maskEmail);
    expect(handlerMaskEmails).toBe(maskEmails);
  });
});

describe('email masking', () => {
  test('keeps the first character and the domain of a plain address', () => {
    expect(maskEmail('owner@example.com')).toBe('o***@example.com');
    expect(maskEmails('invite owner@example.com and a.b+c@sub.example.co.uk now'))
      .toBe('invite o***@example.com and a***@sub.example.co.uk now');
  });

  test.each([
    ['a quoted local part', 'sent to "john doe"@example.com today', ['john', 'doe']],
    ['a quoted local part with an @', 'sent to "john@doe"@example.com today', ['john', 'doe']],
    ['an apostrophe', "sent to o'brien@example.com today", ['brien', "o'"]],
    ['a comment before the local part', 'sent to (secret)john@example.com today', ['secret', 'john']],
    ['a comment after the local part', 'sent to john(secret)@example.com today', ['secret', 'ohn']],
    ['a comment in the domain', 'sent to john@(secret)example.com today', ['secret', 'ohn']],
    ['an address in single quotes', "targetId 'john.smith@example.com' is invalid", ['ohn', 'smith']],
    ['an address in angle brackets', 'From: John <john.smith@example.com>', ['john.smith', 'smith']],
  ])('hides %s whole', (_name, text, secrets) => {
    const masked = maskEmails(text);
    expect(masked).toContain('***@');
    for (const secret of secrets) expect({ masked, leaks: masked.includes(secret) }).toEqual({ masked, leaks: false });
  });

  test('the text around the address stays', () => {
    expect(maskEmails("targetId 'owner@example.com' is invalid")).toBe("targetId 'o***@example.com' is invalid");
    expect(maskEmails('sent to "john doe"@example.com today')).toBe('sent to ***@example.com today');
    expect(maskEmails("sent to o'brien@example.com.")).toBe('sent to o***@example.com.');
  });

  test('redact masks them in log fields too', () => {
    expect(redact({ target: '"john doe"@example.com', note: 'x' })).toEqual({ target: '***@example.com', note: '[redacted]' });
  });

  test('text without an address is unchanged', () => {
    for (const text of ['no address @ all', 'arn:aws:iam::111111111111:role/x', 'h-abcdef0123']) {
      expect(maskEmails(text)).toBe(text);
    }
  });
});

test('characterLength counts code points, not UTF-16 units', () => {
  expect(characterLength('abc')).toBe(3);
  expect(characterLength('😀😀')).toBe(2);
  expect('😀😀'.length).toBe(4);
});

test('masking long text without an address stays linear (no catastrophic backtracking)', () => {
  const text = `${'a'.repeat(200_000)} ${'x.'.repeat(50_000)}@`;
  const started = Date.now();
  expect(maskEmails(text)).toBe(text);
  // generous: the old expression took minutes on a fraction of this
  expect(Date.now() - started).toBeLessThan(5_000);
});
