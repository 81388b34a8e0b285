import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inventory } from '../src/inventory.js';

test('adding the same SKU twice adds up the quantities', () => {
  const inventory = new Inventory();
  inventory.add({ sku: 'a', name: 'A', quantity: 2, unitPriceCents: 100 });
  inventory.add({ sku: 'a', name: 'A', quantity: 3, unitPriceCents: 100 });
  assert.equal(inventory.remove('a', 6), false);
});
