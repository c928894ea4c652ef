/**
 * A Map-backed `Storage`, handed to the stores in place of the browser's localStorage, with an
 * optional byte quota like a browser's (keys and values counted by length).
 */
export class MapStorage implements Storage {
  readonly items = new Map<string, string>()
  constructor(private readonly quota = Infinity) {}
  get length() {
    return this.items.size
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null
  }
  getItem(key: string) {
    return this.items.get(key) ?? null
  }
  setItem(key: string, value: string) {
    const used = [...this.items].reduce((sum, [k, v]) => sum + (k === key ? 0 : k.length + v.length), 0)
    if (used + key.length + value.length > this.quota) throw new DOMException('full', 'QuotaExceededError')
    this.items.set(key, value)
  }
  removeItem(key: string) {
    this.items.delete(key)
  }
  clear() {
    this.items.clear()
  }
}
