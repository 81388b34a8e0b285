import { Cron } from 'croner';
import type { ScheduleTiming } from './schedule.model';

/** The first slot strictly after `afterMs`. */
export function nextSlotAfter(timing: ScheduleTiming, anchorMs: number, afterMs: number): number {
  if (timing.kind === 'interval') {
    if (afterMs < anchorMs) return anchorMs + timing.everyMs;
    return anchorMs + (Math.floor((afterMs - anchorMs) / timing.everyMs) + 1) * timing.everyMs;
  }
  const next = new Cron(timing.expression, { timezone: timing.timezone, paused: true }).nextRun(new Date(afterMs));
  if (!next) throw new Error(`cron "${timing.expression}" has no run after ${new Date(afterMs).toISOString()}`);
  return next.getTime();
}

/** Slots from `fromMs` (inclusive, itself a slot) up to `untilMs`, at most `limit`, oldest first. */
export function slotsBetween(timing: ScheduleTiming, anchorMs: number, fromMs: number, untilMs: number, limit: number): number[] {
  const slots: number[] = [];
  let slot = fromMs;
  while (slot <= untilMs && slots.length < limit) {
    slots.push(slot);
    slot = nextSlotAfter(timing, anchorMs, slot);
  }
  return slots;
}

/**
 * Which of the due slots to run now, given the catch-up policy. Slots within
 * the grace period are on time and always run; older ones are "missed".
 */
export function slotsToRun(
  due: number[],
  nowMs: number,
  policy: { catchUp: 'skip' | 'once' | 'all'; maxCatchUp: number; misfireGraceSeconds: number },
): number[] {
  const graceMs = policy.misfireGraceSeconds * 1000;
  const onTime = due.filter((slot) => nowMs - slot <= graceMs);
  const missed = due.filter((slot) => nowMs - slot > graceMs);
  if (missed.length === 0 || policy.catchUp === 'skip') return onTime;
  if (policy.catchUp === 'once') return onTime.length ? onTime : [missed[missed.length - 1]];
  return [...missed.slice(-policy.maxCatchUp), ...onTime];
}
