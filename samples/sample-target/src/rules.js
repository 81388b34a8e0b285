/**
 * Compiles a discount rule such as `quantity >= 10` into a predicate over an item.
 * @param {string} expression a JavaScript expression over `quantity` and `unitPriceCents`
 * @returns {(item: { quantity: number, unitPriceCents: number }) => boolean}
 */
export function compileRule(expression) {
  const test = new Function('quantity', 'unitPriceCents', `return (${expression});`);
  return (item) => Boolean(test(item.quantity, item.unitPriceCents));
}
