import { functionSummary, splitWords, thirdPerson, typeSummary, valueSummary } from './doc-summary';

describe('doc summaries from names', () => {
  it.each([
    ['getUserName', ['get', 'user', 'name']],
    ['parseURL', ['parse', 'URL']],
    ['DEFAULT_RATE', ['default', 'rate']],
    ['HTTPServer', ['HTTP', 'server']],
    ['_private_thing', ['private', 'thing']],
  ])('splits %s', (name, words) => {
    expect(splitWords(name)).toEqual(words);
  });

  it.each([
    ['get', 'gets'],
    ['fetch', 'fetches'],
    ['apply', 'applies'],
    ['play', 'plays'],
    ['process', 'processes'],
    ['do', 'does'],
  ])('conjugates %s as %s', (verb, conjugated) => {
    expect(thirdPerson(verb)).toBe(conjugated);
  });

  it.each([
    ['applyDiscount', ['cents', 'percent'], 'Applies discount.'],
    ['summarize', ['items'], 'Summarizes `items`.'],
    ['isEven', ['n'], 'Whether `n` is even.'],
    ['hasStock', ['item', 'sku'], 'Whether it has stock.'],
    ['toString', [], 'Converts to string.'],
    ['topByValue', ['items', 'count'], 'The top by value for `items` and `count`.'],
    ['onClick', ['event'], 'Handles click.'],
  ])('summarizes function %s(%j)', (name, params, summary) => {
    expect(functionSummary(name, params)).toBe(summary);
  });

  it('summarizes types and values', () => {
    expect(typeSummary('Inventory', 'class')).toBe('An inventory.');
    expect(typeSummary('LineItem', 'interface')).toBe('A line item.');
    expect(typeSummary('Tier', 'enum')).toBe('The tier options.');
    expect(valueSummary('MAX_RETRIES')).toBe('The max retries.');
  });
});
