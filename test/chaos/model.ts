/**
 * The chaos suite's model: the commands a schedule is made of, the fast-check arbitraries
 * that generate them, and what the contract promises about the server document afterwards.
 *
 * Writers own disjoint parts of the document, so the promised result is computable:
 * - tab A (the user's main tab) edits `currentStep`, `data.musicDescription`, the file
 *   metadata (`data.uploadedAudio`, `data.referenceImages`) and appends chat messages `A-n`;
 * - tab B (a second tab on the same store and BroadcastChannel) edits `data.videoStyles`
 *   and appends chat messages `B-n`;
 * - another device writes the server directly: `data.videoDescription` and messages `R-n`.
 * Every value carries its writer's sequence number, so "reordered" is checkable on every
 * version the server ever held, not only on the last one.
 */
import fc from 'fast-check'
import { jsonEqual } from '../../src/json/json'
import type { Json } from '../../src/types'

export type TabName = 'A' | 'B'
export type AField = 'music' | 'step' | 'chat' | 'audio' | 'image'
export type BField = 'styles' | 'chat'

/** What a request meets on its way: each fault hits one write attempt. */
export type Fault =
  | { kind: 'network' }
  | { kind: 'timeout' }
  | { kind: 'lost-response' }
  | { kind: 'status'; status: 500 | 503 | 429; retryAfter?: number | undefined }

export type Command =
  | { t: 'edit'; tab: 'A'; field: AField }
  | { t: 'edit'; tab: 'B'; field: BField }
  | { t: 'advance'; ms: number }
  | { t: 'flush'; tab: TabName }
  | { t: 'online'; online: boolean }
  | { t: 'fault'; fault: Fault; count: number }
  /** Another device writes: now, or just before the next client write reaches the server (a sure 412). */
  | { t: 'remote'; when: 'now' | 'next-write'; chat: boolean }
  /**
   * dispose() + a new instance on the same store, then restore(); `pagehide` first if set.
   * `crash`: the page is gone once dispose() has stored what it promised, before the rest of
   * its store work commits (a closed tab's IndexedDB transactions that never finish): every
   * store write it starts from then on (the clean-up after an answer still on its way) is lost.
   */
  | { t: 'reload'; tab: TabName; pagehide: boolean; crash?: boolean }
  /** The tab goes to the background (visibilitychange → hidden) and keeps running. */
  | { t: 'hidden'; tab: TabName }
  /** The wall clock is changed (NTP, the user): `Date.now()` jumps, timers keep their delays. */
  | { t: 'clock-jump'; ms: number }

export interface ChaosConfig {
  debounceMs: number
  maxWaitMs: number
  localDelayMs: number
  retries: number
  minTimeout: number
  /** Fake-clock latency of each request, each way. */
  latencyMs: number
  /** The fetch transport's timeoutMs (a 'timeout' fault hangs until it fires). */
  timeoutMs: number
  /** Whether tab B exists. */
  secondTab: boolean
}

export interface Schedule {
  config: ChaosConfig
  commands: Command[]
}

// --- generators --------------------------------------------------------------------------

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.constant<Fault>({ kind: 'network' }),
  fc.constant<Fault>({ kind: 'timeout' }),
  fc.constant<Fault>({ kind: 'lost-response' }),
  fc.record({ kind: fc.constant('status' as const), status: fc.constant(500 as const) }),
  fc.record({
    kind: fc.constant('status' as const),
    status: fc.constantFrom(503 as const, 429 as const),
    retryAfter: fc.option(fc.constantFrom(0, 1, 3), { nil: undefined }),
  }),
)

const editA = fc.record({
  t: fc.constant('edit' as const),
  tab: fc.constant('A' as const),
  field: fc.constantFrom<AField>('music', 'music', 'step', 'chat', 'chat', 'audio', 'image'),
})
const editB = fc.record({ t: fc.constant('edit' as const), tab: fc.constant('B' as const), field: fc.constantFrom<BField>('styles', 'chat') })
const tab = fc.constantFrom<TabName>('A', 'B')

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: editA, weight: 8 },
  { arbitrary: editB, weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.constantFrom(0, 1, 10, 50, 100, 299, 300, 1000, 3000, 10_000, 60_000) }), weight: 8 },
  { arbitrary: fc.record({ t: fc.constant('flush' as const), tab }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('online' as const), online: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('fault' as const), fault, count: fc.integer({ min: 1, max: 4 }) }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('remote' as const), when: fc.constantFrom('now' as const, 'next-write' as const), chat: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('reload' as const), tab, pagehide: fc.boolean(), crash: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('hidden' as const), tab }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('clock-jump' as const), ms: fc.constantFrom(-3_600_000, -5_000, 5_000, 2 * 86_400_000) }), weight: 1 },
)

export const configArbitrary: fc.Arbitrary<ChaosConfig> = fc.record({
  // Zero debounce and local delay put a reload closest to a failed write (issue #21).
  debounceMs: fc.constantFrom(0, 0, 100, 3000),
  maxWaitMs: fc.constantFrom(1000, 10_000),
  localDelayMs: fc.constantFrom(0, 0, 300),
  retries: fc.constantFrom(2, 8),
  minTimeout: fc.constantFrom(1, 100, 500),
  latencyMs: fc.constantFrom(0, 0, 5, 50),
  timeoutMs: fc.constantFrom(200, 1000),
  secondTab: fc.boolean(),
})

/** A whole schedule; B's commands are dropped when there is no second tab. */
export function scheduleArbitrary(maxCommands = 40, without: readonly Command['t'][] = []): fc.Arbitrary<Schedule> {
  return fc
    .record({ config: configArbitrary, commands: fc.array(command, { minLength: 1, maxLength: maxCommands, size: 'max' }) })
    .map(({ config, commands }) => ({
      config,
      commands: commands.filter((c) => (config.secondTab || !('tab' in c) || c.tab === 'A') && !without.includes(c.t)),
    }))
}

// --- what the contract promises ----------------------------------------------------------

export interface Message {
  id: string
  role: 'user' | 'assistant'
  content: string
  timestamp: number
}

export type WizardJson = {
  currentStep: string
  chat: Message[]
  data: {
    musicDescription: string
    isInstrumental: boolean
    videoDescription: string
    videoStyles: string[]
    referenceImages: Json[]
    uploadedAudio: Json
  }
}

export const KEY = 'project:chaos'

export function initialDocument(): WizardJson {
  return {
    currentStep: 'track_input',
    chat: [],
    data: { musicDescription: '', isInstrumental: false, videoDescription: '', videoStyles: [], referenceImages: [], uploadedAudio: null },
  }
}

export const fileMeta = (name: string, size: number, type: string, lastModified: number): Json => ({ name, size, type, lastModified })

/**
 * The latest value each writer gave each field it owns, and how many chat messages each
 * appended: after the network heals and flush() resolves, the server must hold exactly this.
 */
export class Expectation {
  step = 'track_input'
  music = ''
  audio: Json = null
  images: Json[] = []
  styles: string[] = []
  videoDescription = ''
  chat: Record<'A' | 'B' | 'R', number> = { A: 0, B: 0, R: 0 }

  document(): Omit<WizardJson, 'chat'> {
    return {
      currentStep: this.step,
      data: {
        musicDescription: this.music,
        isInstrumental: false,
        videoDescription: this.videoDescription,
        videoStyles: this.styles,
        referenceImages: this.images,
        uploadedAudio: this.audio,
      },
    }
  }
}

/** Violations of the promise for the final server document. */
export function checkFinal(doc: Json | undefined, expected: Expectation): string[] {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return [`the server holds no document: ${JSON.stringify(doc)}`]
  const { chat, ...rest } = doc as unknown as WizardJson
  const problems: string[] = []
  const want = expected.document()
  if (!jsonEqual(rest as unknown as Json, want as unknown as Json)) {
    problems.push(`server document ≠ the promised merge:\n  got      ${JSON.stringify(rest)}\n  expected ${JSON.stringify(want)}`)
  }
  for (const author of ['A', 'B', 'R'] as const) {
    const have = chatIndexes(chat, author)
    const count = expected.chat[author]
    const wanted = Array.from({ length: count }, (_, i) => i + 1)
    if (!jsonEqual(have, wanted)) problems.push(`chat messages of ${author}: got [${have.join(',')}], expected [${wanted.join(',')}] (each once, in order)`)
  }
  return problems
}

/** The sequence numbers of one author's messages, in document order. */
function chatIndexes(chat: unknown, author: string): number[] {
  if (!Array.isArray(chat)) return [-1]
  return chat
    .filter((m): m is Message => typeof (m as Message)?.id === 'string' && (m as Message).id.startsWith(`${author}-`))
    .map((m) => Number(m.id.slice(2)))
}

/** One version the server held, as the test backend recorded it when it was applied. */
export interface AppliedWrite {
  version: number
  by: 'client' | 'remote'
  idempotencyKey?: string | undefined
  data: Json
  previous: Json | undefined
}

const owned: Array<[string, (doc: WizardJson) => unknown, RegExp]> = [
  ['currentStep (A)', (d) => d.currentStep, /^s(\d+)$/],
  ['musicDescription (A)', (d) => d.data?.musicDescription, /^m(\d+)$/],
  ['uploadedAudio (A)', (d) => (d.data?.uploadedAudio as { name?: string } | null)?.name, /^a(\d+)\.mp3$/],
  ['referenceImages (A)', (d) => (d.data?.referenceImages as Array<{ name?: string }> | undefined)?.at(-1)?.name, /^i(\d+)\.png$/],
  ['videoStyles (B)', (d) => d.data?.videoStyles?.[0], /^v(\d+)$/],
  ['videoDescription (device)', (d) => d.data?.videoDescription, /^r(\d+)$/],
]

/**
 * Checks every version the server held, in order: versions grow by one; no writer's value
 * ever goes back to an older one of the same writer (a later state overwritten by an earlier
 * one); each writer's chat messages are a prefix 1..k that only grows, never duplicated;
 * each Idempotency-Key is applied once and no client write re-applies the document it landed
 * on (the signature of a write applied twice).
 */
export function checkHistory(applied: readonly AppliedWrite[], firstVersion: number): string[] {
  const problems: string[] = []
  const seenKeys = new Map<string, number>()
  const high = new Map<string, number>()
  const chatHigh = { A: 0, B: 0, R: 0 }
  let expectedVersion = firstVersion + 1
  for (const write of applied) {
    const at = `v${write.version} (${write.by})`
    if (write.version !== expectedVersion) problems.push(`${at}: version should be ${expectedVersion}`)
    expectedVersion = write.version + 1
    if (write.by === 'client') {
      if (write.idempotencyKey !== undefined) {
        const earlier = seenKeys.get(write.idempotencyKey)
        if (earlier !== undefined) problems.push(`${at}: Idempotency-Key ${write.idempotencyKey} applied again (first at v${earlier})`)
        seenKeys.set(write.idempotencyKey, write.version)
      }
      if (write.previous !== undefined && jsonEqual(write.previous, write.data))
        problems.push(`${at}: a write that changed nothing was applied (a repeat of v${write.version - 1})`)
    }
    const doc = write.data as unknown as WizardJson
    for (const [name, get, pattern] of owned) {
      const value = get(doc)
      const n = typeof value === 'string' && pattern.exec(value) ? Number(pattern.exec(value)![1]) : 0
      const before = high.get(name) ?? 0
      if (n < before) problems.push(`${at}: ${name} went back from #${before} to #${n} (${JSON.stringify(value)}): an earlier state overwrote a later one`)
      high.set(name, Math.max(before, n))
    }
    for (const author of ['A', 'B', 'R'] as const) {
      const have = chatIndexes(doc.chat, author)
      const k = have.length
      if (
        !jsonEqual(
          have,
          Array.from({ length: k }, (_, i) => i + 1),
        )
      )
        problems.push(`${at}: chat of ${author} is [${have.join(',')}], not 1..${k} once each in order`)
      if (k < chatHigh[author]) problems.push(`${at}: chat of ${author} lost messages (${chatHigh[author]} → ${k})`)
      chatHigh[author] = Math.max(chatHigh[author], k)
    }
  }
  return problems
}
