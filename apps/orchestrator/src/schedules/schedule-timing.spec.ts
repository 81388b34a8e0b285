import { nextSlotAfter, slotsBetween, slotsToRun } from './schedule-timing';

const at = (iso: string) => Date.parse(iso);
const everySecond = { kind: 'interval', everyMs: 1000 } as const;

describe('nextSlotAfter', () => {
  it('keeps interval slots on the grid of the anchor, strictly after the given instant', () => {
    const anchor = 10_000;
    expect(nextSlotAfter(everySecond, anchor, 5_000)).toBe(11_000);
    expect(nextSlotAfter(everySecond, anchor, 10_000)).toBe(11_000);
    expect(nextSlotAfter(everySecond, anchor, 10_999)).toBe(11_000);
    expect(nextSlotAfter(everySecond, anchor, 11_000)).toBe(12_000);
    expect(nextSlotAfter({ kind: 'interval', everyMs: 1500 }, anchor, 20_000)).toBe(20_500);
  });

  it('reads cron expressions in the schedule time zone', () => {
    const timing = { kind: 'cron', expression: '0 9 * * *', timezone: 'Europe/Madrid' } as const;
    // 09:00 in Madrid is 08:00 UTC in winter and 07:00 UTC in summer.
    expect(new Date(nextSlotAfter(timing, 0, at('2026-01-15T10:00:00Z'))).toISOString()).toBe('2026-01-16T08:00:00.000Z');
    expect(new Date(nextSlotAfter(timing, 0, at('2026-07-15T06:00:00Z'))).toISOString()).toBe('2026-07-15T07:00:00.000Z');
  });
});

describe('slotsBetween', () => {
  it('lists slots from the first one up to the end, oldest first, within the limit', () => {
    expect(slotsBetween(everySecond, 0, 3_000, 6_500, 100)).toEqual([3_000, 4_000, 5_000, 6_000]);
    expect(slotsBetween(everySecond, 0, 3_000, 6_500, 2)).toEqual([3_000, 4_000]);
    expect(slotsBetween(everySecond, 0, 7_000, 6_500, 100)).toEqual([]);
  });
});

describe('slotsToRun', () => {
  const due = [1_000, 2_000, 3_000, 4_000, 5_000];
  const now = 5_400;
  const policy = (catchUp: 'skip' | 'once' | 'all', maxCatchUp = 100) => ({ catchUp, maxCatchUp, misfireGraceSeconds: 1 });

  it('always runs the slots still within the grace period', () => {
    expect(slotsToRun([4_500, 5_000], now, policy('skip'))).toEqual([4_500, 5_000]);
    expect(slotsToRun([4_500, 5_000], now, policy('once'))).toEqual([4_500, 5_000]);
  });

  it('skip: drops every missed slot', () => {
    expect(slotsToRun(due, now, policy('skip'))).toEqual([5_000]);
    expect(slotsToRun([1_000, 2_000], now, policy('skip'))).toEqual([]);
  });

  it('once: folds the missed slots into one run, which an on-time slot already is', () => {
    expect(slotsToRun(due, now, policy('once'))).toEqual([5_000]);
    expect(slotsToRun([1_000, 2_000, 3_000], now, policy('once'))).toEqual([3_000]);
  });

  it('all: runs the missed slots, the newest ones when there are more than the catch-up limit', () => {
    expect(slotsToRun(due, now, policy('all'))).toEqual(due);
    expect(slotsToRun(due, now, policy('all', 2))).toEqual([3_000, 4_000, 5_000]);
  });
});
