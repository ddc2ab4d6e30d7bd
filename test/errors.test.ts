import { awsError } from './util/events';
import { TRANSIENT_OR_FIX, failedWith, hintFor, toUserFacing, InvitationError } from '../lambda/shared/errors';

describe('failedWith: the one "X failed with Y. Do Z." sentence', () => {
  const HINTS = { SOME_REASON: 'Do what the reason asks.', SomeException: 'Do what the error asks.' };

  test('names the error, its reason code and the service message, then the hint for the reason code', () => {
    const error = awsError('SomeException', 'the service says no.', { Reason: 'SOME_REASON' });
    expect(failedWith('Inviting account 222222222222', error, { hints: HINTS }).message)
      .toBe('Inviting account 222222222222 failed with SomeException (SOME_REASON): the service says no. Do what the reason asks.');
  });

  test('falls back to the error name, then to the given fallback, then to the generic next step', () => {
    expect(failedWith('X', awsError('SomeException', 'no'), { hints: HINTS }).message).toBe('X failed with SomeException: no. Do what the error asks.');
    expect(failedWith('X', awsError('Other', 'no'), { hints: HINTS, fallback: 'Fallback.' }).message).toBe('X failed with Other: no. Fallback.');
    expect(failedWith('X', awsError('Other', 'no')).message).toBe(`X failed with Other: no. ${TRANSIENT_OR_FIX}`);
  });

  test('tables are searched in order; `next` is added after any hint', () => {
    const error = awsError('SomeException', 'no');
    expect(hintFor(error, { SomeException: 'first' }, { SomeException: 'second' })).toBe('first');
    expect(failedWith('X', error, { hints: [{}, HINTS], next: 'Then retry the delete.' }).message)
      .toBe('X failed with SomeException: no. Do what the error asks. Then retry the delete.');
  });

  test('emails in the service message are masked, and the cause is kept', () => {
    const error = awsError('ValidationException', 'owner@example.com is not valid');
    const wrapped = failedWith('X', error);
    expect(wrapped).toBeInstanceOf(InvitationError);
    expect(wrapped.message).toContain('o***@example.com is not valid');
    expect(wrapped.cause).toBe(error);
  });

  test('toUserFacing uses the same sentence and lets user-facing errors through', () => {
    expect(toUserFacing(awsError('ServiceException', 'boom', {}, 500), 'Create of the thing').message)
      .toBe(`Create of the thing failed with ServiceException: boom. ${TRANSIENT_OR_FIX}`);
    const done = new InvitationError('Already user-facing.');
    expect(toUserFacing(done, 'X')).toBe(done);
  });

  test('no hint ever points to the logs', () => {
    expect(TRANSIENT_OR_FIX).not.toMatch(/\blogs?\b/);
  });
});
