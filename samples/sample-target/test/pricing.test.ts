import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDiscount, totalValueCents } from '../src/pricing.ts';

test('totals quantity times price', () => {
  assert.equal(totalValueCents([{ sku: 'a', name: 'A', quantity: 2, unitPriceCents: 150 }]), 300);
});

test('discounts and rounds', () => {
  assert.equal(applyDiscount(999, 10), 899);
});
