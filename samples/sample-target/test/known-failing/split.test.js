// KNOWN FAILING, on purpose: src/split.js drops the remainder cents, and
// this test shows it. It is kept out of `npm test` (see the README) so that
// checks of other changes stay meaningful; `npm run test:known-failing`
// runs it, and `npm run reports` records its failure in reports/junit.xml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitEvenly } from '../../src/split.js';

test('the parts add up to the amount', () => {
  const parts = splitEvenly(100, 3);
  assert.equal(
    parts.reduce((sum, part) => sum + part, 0),
    100,
  );
});

test('the parts differ by at most one cent', () => {
  const parts = splitEvenly(100, 3);
  assert.ok(Math.max(...parts) - Math.min(...parts) <= 1);
});
