/**
 * @typedef {object} Item
 * @property {string} sku
 * @property {string} name
 * @property {number} quantity
 * @property {number} unitPriceCents
 */

/** Items in stock, by SKU. */
export class Inventory {
  /** @type {Map<string, Item>} */
  #items = new Map();

  /**
   * Adds an item, or more of an item already in stock.
   * @param {Item} item
   */
  add(item) {
    const existing = this.#items.get(item.sku);
    if (existing) {
      existing.quantity += item.quantity;
      return;
    }
    this.#items.set(item.sku, { ...item });
  }

  /**
   * Takes `quantity` of an item out of stock.
   * @param {string} sku
   * @param {number} quantity
   * @returns {boolean} false when there is not enough in stock
   */
  remove(sku, quantity) {
    const existing = this.#items.get(sku);
    if (!existing || existing.quantity < quantity) {
      return false;
    }
    existing.quantity -= quantity;
    if (existing.quantity === 0) {
      this.#items.delete(sku);
    }
    return true;
  }

  /**
   * The items whose quantity is at or below `threshold`, by SKU.
   * @param {number} threshold
   * @returns {Item[]}
   */
  lowStock(threshold) {
    const low = [];
    for (const item of this.#items.values()) {
      if (item.quantity <= threshold) {
        low.push({ ...item });
      }
    }
    low.sort((a, b) => a.sku.localeCompare(b.sku));
    return low;
  }

  /**
   * Every item, by SKU.
   * @returns {Item[]}
   */
  list() {
    return [...this.#items.values()]
      .map((item) => ({ ...item }))
      .sort((a, b) => a.sku.localeCompare(b.sku));
  }
}
