import { formatCents } from './format.js';
import { totalValueCents } from './pricing.js';

export function summarize(items) {
  const units = items.reduce((sum, item) => sum + item.quantity, 0);
  return `${items.length} products, ${units} units, worth ${formatCents(totalValueCents(items))}`;
}

export function topByValue(items, count) {
  return [...items]
    .sort((a, b) => b.quantity * b.unitPriceCents - a.quantity * a.unitPriceCents)
    .slice(0, count)
    .map((item) => item.sku);
}
