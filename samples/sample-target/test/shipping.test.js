import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shippingCostCents } from '../src/shipping.js';

test('standard shipping of a light parcel inside the US', () => {
  assert.equal(
    shippingCostCents({ speed: 'standard', weightGrams: 500, country: 'US', subtotalCents: 1000 }),
    500,
  );
});

test('express, heavy, abroad and fragile add up', () => {
  assert.equal(
    shippingCostCents({
      speed: 'express',
      weightGrams: 6000,
      country: 'DE',
      subtotalCents: 1000,
      fragile: true,
    }),
    1200 + 1000 + 2000 + 400,
  );
});

test('members ship standard orders over $50 for free', () => {
  assert.equal(
    shippingCostCents({
      speed: 'standard',
      weightGrams: 500,
      country: 'US',
      subtotalCents: 5000,
      member: true,
    }),
    0,
  );
});
