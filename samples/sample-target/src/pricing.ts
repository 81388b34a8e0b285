import { Item } from './inventory';

export function totalValueCents(items: Item[]): number {
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    total = total + items[i].quantity * items[i].unitPriceCents;
  }
  return total;
}

export function applyDiscount(cents: number, percent: number): number {
  if (percent < 0 || percent > 100) throw new RangeError('percent must be between 0 and 100');
  return Math.round(cents * (100 - percent) / 100);
}
