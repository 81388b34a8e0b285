/**
 * @typedef {object} Shipment
 * @property {'standard' | 'express' | 'overnight'} speed
 * @property {number} weightGrams
 * @property {string} country two-letter country code
 * @property {number} subtotalCents
 * @property {boolean} [member]
 * @property {boolean} [fragile]
 */

/**
 * What shipping a shipment costs, in cents.
 * @param {Shipment} shipment
 * @returns {number}
 */
export function shippingCostCents(shipment) {
  let cost = 0;
  if (shipment.speed === 'standard') {
    cost = 500;
  } else if (shipment.speed === 'express') {
    cost = 1200;
  } else if (shipment.speed === 'overnight') {
    cost = 2500;
  } else {
    throw new RangeError(`unknown speed ${shipment.speed}`);
  }
  if (shipment.weightGrams > 20000) {
    cost += 3000;
  } else if (shipment.weightGrams > 5000) {
    cost += 1000;
  } else if (shipment.weightGrams > 1000) {
    cost += 300;
  }
  if (shipment.country !== 'US') {
    if (shipment.country === 'CA' || shipment.country === 'MX') {
      cost += 800;
    } else {
      cost += 2000;
    }
  }
  if (shipment.fragile && shipment.speed !== 'overnight') {
    cost += 400;
  }
  if (shipment.member && shipment.subtotalCents >= 5000 && shipment.speed === 'standard') {
    cost = 0;
  }
  return cost;
}
