/**
 * Sales tax on `cents` for a US state, rounded to the nearest cent.
 * @param {number} cents
 * @param {string} state two-letter state code
 * @returns {number}
 */
export function taxCents(cents, state) {
  var rates = { CA: 0.0725, NY: 0.04, TX: 0.0625 };
  let rate = rates[state];
  if (rate == undefined) {
    return 0;
  }
  return Math.round(cents * rate);
}
