/** The example app's printer (examples/print.ts): masks email addresses in values without garbling the JSON. */
import { maskedJson } from '../examples/print';

test('masks each address and keeps the JSON intact', () => {
  const printed = maskedJson({ TargetId: 'owner@example.com', TargetType: 'EMAIL', Members: [{ AccountId: '222222222222', Email: 'sec.team@example.org' }] });
  expect(printed).toBe('{"TargetId":"o***@example.com","TargetType":"EMAIL","Members":[{"AccountId":"222222222222","Email":"s***@example.org"}]}');
  expect(JSON.parse(printed).TargetType).toBe('EMAIL');
});

test('addresses inside free text are masked too', () => {
  expect(maskedJson({ Notes: 'Ask owner@example.com first' })).toBe('{"Notes":"Ask o***@example.com first"}');
});
