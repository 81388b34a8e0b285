import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDiscount, totalValueCents } from '../src/pricing.js';

test('totals quantity times price', () => {
  assert.equal(
    totalValueCents([
      { sku: 'a', name: 'A', quantity: 2, unitPriceCents: 150 },
      { sku: 'b', name: 'B', quantity: 1, unitPriceCents: 99 },
    ]),
    399,
  );
});

test('discounts and rounds', () => {
  assert.equal(applyDiscount(999, 10), 899);
});

test('refuses a discount outside 0..100', () => {
  assert.throws(() => applyDiscount(100, 101), RangeError);
});
