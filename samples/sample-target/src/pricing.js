import { formatCents } from './format.js';

/**
 * The total value of `items`: quantity times unit price, summed.
 * @param {import('./inventory.js').Item[]} items
 * @returns {number} cents
 */
export function totalValueCents(items) {
  let total = 0;
  for (const item of items) {
    total += item.quantity * item.unitPriceCents;
  }
  return total;
}

/**
 * Takes `percent` off `cents`, rounded to the nearest cent.
 * @param {number} cents
 * @param {number} percent between 0 and 100
 * @returns {number}
 */
export function applyDiscount(cents, percent) {
  if (percent < 0 || percent > 100) {
    throw new RangeError('percent must be between 0 and 100');
  }
  return Math.round((cents * (100 - percent)) / 100);
}
