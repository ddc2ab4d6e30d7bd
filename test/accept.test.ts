import { Adopted, InvitationEndedError, Sighting, acceptOrAdopt, acceptWhenInvited, describeDuration } from '../lambda/shared/accept';
import { ACT_RESERVE_MS, boundedBudget, delayAfter, looksWithin, pollUntil } from '../lambda/shared/wait';

/** A fake clock: `sleep` advances it instead of waiting. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => { sleeps.push(ms); t += ms; },
    sleeps,
  };
}

describe('pollUntil', () => {
  test('backs off 1, 2, 4, 8, 16 s, then every 30 s, and never waits past the budget', async () => {
    const clock = fakeClock();
    const result = await pollUntil(async () => ({ done: false as const }), { timeoutMs: 100_000, ...clock });
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 9000]);
    expect(result).toMatchObject({ done: false, looks: 9, waitedMs: 100_000 });
  });

  test('stops at the first look that is done', async () => {
    const clock = fakeClock();
    let n = 0;
    const result = await pollUntil(async () => (++n === 3 ? { done: true as const, value: 'x' } : { done: false as const }),
      { timeoutMs: 60_000, ...clock });
    expect(result).toMatchObject({ done: true, value: 'x', looks: 3 });
  });

  test('a budget of 0 looks once', async () => {
    const clock = fakeClock();
    const result = await pollUntil(async () => ({ done: false as const }), { timeoutMs: 0, ...clock });
    expect(result.looks).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  test('an aborted signal stops the wait', async () => {
    const controller = new AbortController();
    const wait = pollUntil(async () => ({ done: false as const }), { timeoutMs: 60_000, firstDelayMs: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('deadline')), 10);
    await expect(wait).rejects.toThrow('deadline');
  });

  test('a deadline ends the wait ACT_RESERVE_MS before it, and the result says the deadline cut it', async () => {
    const clock = fakeClock();
    const result = await pollUntil(async () => ({ done: false as const }), { timeoutMs: 300_000, deadline: 90_000, ...clock });
    expect(result).toMatchObject({ done: false, waitedMs: 90_000 - ACT_RESERVE_MS, budgetMs: 90_000 - ACT_RESERVE_MS, cutByDeadline: true });
  });

  test('a deadline further away than the budget changes nothing; one already past looks once', async () => {
    expect(boundedBudget(60_000, 0, 600_000)).toEqual({ budgetMs: 60_000, cutByDeadline: false });
    expect(boundedBudget(60_000, 0, undefined)).toEqual({ budgetMs: 60_000, cutByDeadline: false });
    const clock = fakeClock();
    const result = await pollUntil(async () => ({ done: false as const }), { timeoutMs: 60_000, deadline: 5_000, ...clock });
    expect(result).toMatchObject({ looks: 1, budgetMs: 0, cutByDeadline: true });
    expect(clock.sleeps).toEqual([]);
  });

  test('a 5-minute wait makes at most 15 looks; 10 minutes at most 25', () => {
    expect(delayAfter(6, 1000, 30_000)).toBe(30_000);
    expect(looksWithin(5 * 60_000)).toBe(15);
    expect(looksWithin(10 * 60_000)).toBe(25);
  });
});

describe('acceptWhenInvited', () => {
  const base = { what: 'test invitation', inviter: 'account 111111111111', invitee: 'account 222222222222', otherInviterHint: 'Leave it first.' };

  function spec(looks: Array<Sighting<string>>, timeoutMs = 10_000) {
    const clock = fakeClock();
    let i = 0;
    const look = jest.fn(async () => looks[Math.min(i++, looks.length - 1)]);
    return { ...base, look, wait: { timeoutMs, ...clock } };
  }

  test('accepts an invitation that arrives during the wait', async () => {
    const accept = jest.fn(async () => 'accepted-attrs');
    const s = spec([{ kind: 'none' }, { kind: 'none' }, { kind: 'pending', id: 'inv-1', accept }]);
    await expect(acceptWhenInvited(s)).resolves.toBe('accepted-attrs');
    expect(accept).toHaveBeenCalledTimes(1);
    expect(s.look).toHaveBeenCalledTimes(3);
  });

  test('adopts an accepted invitation without accepting', async () => {
    await expect(acceptWhenInvited(spec([{ kind: 'accepted', attributes: 'a' }]))).resolves.toBe('a');
  });

  test('another inviter fails at once, naming both', async () => {
    const s = spec([{ kind: 'other-inviter', inviter: 'organization o-other12345' }]);
    await expect(acceptWhenInvited(s)).rejects.toThrow(
      'The account 222222222222 is associated with organization o-other12345, not with the expected account 111111111111. Nothing was changed. Leave it first.');
    expect(s.look).toHaveBeenCalledTimes(1);
  });

  test('nothing within the wait names the inviter and what to do', async () => {
    await expect(acceptWhenInvited(spec([{ kind: 'none' }], 300_000))).rejects.toThrow(
      /No test invitation from account 111111111111 reached account 222222222222 within 5 minutes\. Deploy the inviting stack first/);
  });

  test('only an ended invitation: keeps waiting, then says it ended and with which state', async () => {
    const accept = jest.fn(async () => 'x');
    const s = spec([{ kind: 'ended', id: 'inv-1', state: 'CANCELED' }]);
    await expect(acceptWhenInvited(s)).rejects.toThrow(/\(inv-1\) ended with state CANCELED.*must send a new invitation/);
    expect(s.look.mock.calls.length).toBeGreaterThan(1);
    expect(accept).not.toHaveBeenCalled();
  });

  test('an invitation that ends between the look and the accept: keeps waiting, accepts the next one', async () => {
    const gone = jest.fn(async (): Promise<string> => { throw new InvitationEndedError('inv-1', 'CANCELED'); });
    const accept = jest.fn(async () => 'attrs-2');
    const s = spec([{ kind: 'pending', id: 'inv-1', accept: gone }, { kind: 'none' }, { kind: 'pending', id: 'inv-2', accept }]);
    await expect(acceptWhenInvited(s)).resolves.toBe('attrs-2');
    expect(gone).toHaveBeenCalledTimes(1);
    expect(accept).toHaveBeenCalledTimes(1);
  });

  test('an invitation that ends at the accept and no new one: the failure names its state', async () => {
    const gone = jest.fn(async (): Promise<string> => { throw new InvitationEndedError('inv-1', 'DECLINED'); });
    const s = spec([{ kind: 'pending', id: 'inv-1', accept: gone }, { kind: 'none' }]);
    await expect(acceptWhenInvited(s)).rejects.toThrow(/\(inv-1\) ended with state DECLINED/);
  });

  test('acceptOrAdopt tells what this request accepted from what it found in place', async () => {
    await expect(acceptOrAdopt(spec([{ kind: 'accepted', attributes: 'a' }]))).resolves.toEqual({ outcome: 'adopted', attributes: 'a' });
    await expect(acceptOrAdopt(spec([{ kind: 'pending', id: 'inv-1', accept: async () => 'b' }])))
      .resolves.toEqual({ outcome: 'accepted', attributes: 'b' });
    // the accept found it accepted already (another stack, by hand): adopted, so that Delete keeps it
    await expect(acceptOrAdopt(spec([{ kind: 'pending', id: 'inv-1', accept: async () => new Adopted('c') }])))
      .resolves.toEqual({ outcome: 'adopted', attributes: 'c' });
  });

  test('a wait cut by the deadline says how long it could wait', async () => {
    const s = spec([{ kind: 'none' }], 300_000);
    await expect(acceptWhenInvited({ ...s, wait: { ...s.wait, deadline: 60_000 } })).rejects.toThrow(
      /reached account 222222222222 within 40 seconds \(the time the function had left\)\. Deploy the inviting stack first/);
  });

  test('durations read naturally', () => {
    expect(describeDuration(0)).toBe('0 seconds');
    expect(describeDuration(60_000)).toBe('1 minute');
    expect(describeDuration(90_000)).toBe('90 seconds');
  });
});
