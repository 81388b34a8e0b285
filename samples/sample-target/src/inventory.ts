export interface Item {
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
}

export class Inventory {
  private readonly items = new Map<string, Item>();

  add(item: Item): void {
    const existing = this.items.get(item.sku);
    if (existing) {
      existing.quantity += item.quantity;
      return;
    }
    this.items.set(item.sku, { ...item });
  }

  remove(sku: string, quantity: number): boolean {
    const existing = this.items.get(sku);
    if (!existing || existing.quantity < quantity) return false;
    existing.quantity -= quantity;
    if (existing.quantity === 0) this.items.delete(sku);
    return true;
  }

  list(): Item[] {
    return [...this.items.values()].sort((a, b) => a.sku.localeCompare(b.sku));
  }
}
