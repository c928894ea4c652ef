/**
 * `AutosaveErrorCode` names every code autosave-kit throws: a code added in src/ without it
 * would escape `switch (error.code)` in users' code (as TRANSPORT_KEY and STORAGE_BLOCKED once did).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AutosaveErrorCode } from '../src/index'

const SRC = join(import.meta.dirname, '../src')
/** Source without its comments: TSDoc examples show codes of one's own (e.g. 'GRAPHQL'). */
const code = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts')).map((file) => join(SRC, file))

/** The quoted codes in src/errors.ts's unions (everything before the first class). */
function declaredCodes(): Set<string> {
  const errors = code(join(SRC, 'errors.ts'))
  const unions = errors.slice(0, errors.indexOf('export class'))
  return new Set([...unions.matchAll(/'([A-Z][A-Z_]+)'/g)].map((match) => match[1]!))
}

/** Codes passed to an error constructor, or handed to toStorageError / failed ??= { code }. */
function thrownCodes(): Map<string, string> {
  const found = new Map<string, string>()
  for (const file of files) {
    const text = code(file)
    const patterns = [
      /new (?:Autosave|Serialization|Transport|Storage)Error\(\s*'([A-Z][A-Z_]+)'/g,
      /new ConflictError\([^;]*?'(CONFLICT[A-Z_]*)'\)/g,
      /super\(\s*'([A-Z][A-Z_]+)'/g,
      /toStorageError\([^)]*'([A-Z][A-Z_]+)'/g,
      /code: '([A-Z][A-Z_]+)'/g,
      /\?\s*'(STORAGE_[A-Z_]+|TRANSPORT_[A-Z_]+|VALIDATION_[A-Z_]+)'/g,
      /^\s*'(SERVER_[A-Z_]+|STORAGE_[A-Z_]+|REMOTE_BEHIND)',$/gm,
    ]
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.set(match[1]!, file.slice(SRC.length + 1))
  }
  return found
}

describe('AutosaveErrorCode', () => {
  it('lists every code thrown in src/', () => {
    const declared = declaredCodes()
    const missing = [...thrownCodes()].filter(([code]) => !declared.has(code)).map(([code, file]) => `${code} (${file})`)
    expect(missing, 'codes thrown but not in AutosaveErrorCode').toEqual([])
  })

  it('knows the codes that once escaped a `| string` union', () => {
    const known: AutosaveErrorCode[] = ['TRANSPORT_KEY', 'STORAGE_BLOCKED', 'TRANSPORT_HEADERS', 'TRANSPORT_BEACON', 'CONFLICT_UNRESOLVED']
    const declared = declaredCodes()
    for (const code of known) expect(declared.has(code), code).toBe(true)
    expect(thrownCodes().size).toBeGreaterThan(30)
  })
})
