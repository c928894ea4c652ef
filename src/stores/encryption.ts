import { StorageError } from '../errors'
import type { AutosaveStore } from '../types'

/**
 * Options of `encryptedStore`: the AES-GCM key and how ciphertext is stored.
 *
 * @example
 * ```ts
 * encryptedStore(localStorageStore({ namespace: userId }), { key, encoding: 'base64' })
 * ```
 */
export interface EncryptionOptions {
  /** An AES-GCM key allowed to `encrypt` and `decrypt` (e.g. from `crypto.subtle.importKey`). */
  key: CryptoKey
  /**
   * How ciphertext is stored: `'bytes'` (Uint8Array, for IndexedDB and memory) or `'base64'`
   * (strings, for stores that keep JSON such as `localStorageStore`). Default `'bytes'`.
   */
  encoding?: 'bytes' | 'base64'
}

/**
 * What an encrypted store keeps per record in place of the value.
 *
 * @example
 * ```ts
 * const inner = memoryStore()
 * const store = encryptedStore(inner, { key })
 * await store.setMany([['draft', { step: 1 }]])
 * const sealed = (await inner.get('draft')) as EncryptedRecord // { iv, ciphertext }: unreadable without the key
 * ```
 */
export interface EncryptedRecord {
  /** The random 12-byte nonce of this record. */
  readonly iv: Uint8Array | string
  /** AES-GCM of the value's JSON, authenticated together with the record key. */
  readonly ciphertext: Uint8Array | string
}

const encode = (text: string) => new TextEncoder().encode(text)

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  // In slices: spreading megabytes into one call overflows the stack.
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000))
  return btoa(binary)
}

const toBytes = (stored: Uint8Array | string): Uint8Array<ArrayBuffer> =>
  typeof stored === 'string' ? Uint8Array.from(atob(stored), (char) => char.charCodeAt(0)) : new Uint8Array(stored)

function subtle(): SubtleCrypto {
  const found = globalThis.crypto?.subtle
  // Browsers hide WebCrypto outside secure contexts (plain http other than localhost).
  if (!found) throw new StorageError('STORAGE_UNAVAILABLE', 'WebCrypto is not available here (it needs https)')
  return found
}

/**
 * Wraps a store so that every value is kept AES-GCM encrypted through WebCrypto: a random
 * 12-byte IV per record, the record key bound in as additional data (a record copied under
 * another key does not decrypt). Values must be JSON. Record keys stay readable — they are
 * document keys such as `outbox:project:42:…`, so do not put secrets in document keys.
 * A record that does not decrypt (wrong key, tampered, written unencrypted) rejects with a
 * `StorageError` of code `'STORAGE_DECRYPT'`.
 *
 * @example
 * ```ts
 * const key = await crypto.subtle.importKey('raw', keyBytesFromYourServer, 'AES-GCM', false, ['encrypt', 'decrypt'])
 * const store = encryptedStore(localStorageStore({ namespace: userId }), { key, encoding: 'base64' })
 * // or simply: indexedDBStore({ namespace: userId, encryption: { key } })
 * ```
 */
export function encryptedStore(inner: AutosaveStore, { key, encoding = 'bytes' }: EncryptionOptions): AutosaveStore {
  async function seal(recordKey: string, value: unknown): Promise<readonly [string, EncryptedRecord]> {
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
    const plaintext = encode(JSON.stringify(value))
    const ciphertext = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: encode(recordKey) }, key, plaintext))
    return [recordKey, encoding === 'base64' ? { iv: toBase64(iv), ciphertext: toBase64(ciphertext) } : { iv, ciphertext }]
  }

  return {
    id: inner.id,
    ...(inner.isDurable && { isDurable: () => inner.isDurable!() }),
    async get(recordKey) {
      const stored = (await inner.get(recordKey)) as EncryptedRecord | undefined
      if (stored === undefined) return undefined
      const crypto = subtle()
      try {
        const plaintext = await crypto.decrypt({ name: 'AES-GCM', iv: toBytes(stored.iv), additionalData: encode(recordKey) }, key, toBytes(stored.ciphertext))
        return JSON.parse(new TextDecoder().decode(plaintext))
      } catch (error) {
        throw new StorageError('STORAGE_DECRYPT', `The stored record "${recordKey}" does not decrypt with this key`, { cause: error })
      }
    },
    setMany: async (entries) => inner.setMany(await Promise.all(entries.map(([recordKey, value]) => seal(recordKey, value)))),
    delMany: (keys) => inner.delMany(keys),
    keys: () => inner.keys(),
    clear: () => inner.clear(),
    ...(inner.onError && { onError: (listener) => inner.onError!(listener) }),
  }
}
