/**
 * Core benchmarks: how many requests a burst of edits costs, how many bytes a one-field edit
 * puts on the wire, and what save() costs on the caller's stack. Run: `npm run bench`.
 * Every figure is printed beside a baseline measured in the same run.
 */
import FakeTimers from '@sinonjs/fake-timers'
import { createAutosave, diffDocuments, fetchTransport, memoryStore, memoryTransport, OnlineManager, PageLifecycle } from '../src/index'
import { createSerializer, serialize } from '../src/serialize'
import type { Json, Transport } from '../src/types'

export function chatState(messages: number) {
  return {
    currentStep: 'video_styles',
    chat: Array.from({ length: messages }, (_, i) => ({
      id: `msg-${i}`,
      role: i % 2 ? 'assistant' : 'user',
      content: `Message ${i}: a dreamy synthwave track with a slow build and a female vocal, around 90 bpm.`,
      timestamp: 1_764_000_000_000 + i * 1000,
    })),
    data: {
      musicDescription: 'dreamy synthwave',
      isInstrumental: false,
      videoDescription: 'neon city at night',
      videoStyles: ['retro', 'anime'],
      referenceImages: [],
      uploadedAudio: null,
    },
  }
}

function environment() {
  const fake = FakeTimers.createClock(0)
  const clock = { now: () => fake.now, setTimeout: fake.setTimeout, clearTimeout: fake.clearTimeout }
  return { fake, environment: { clock, online: new OnlineManager(() => {}), lifecycle: new PageLifecycle(() => {}) } }
}

async function requestsForBurst(edits: number, spreadMs: number) {
  const { fake, environment: env } = environment()
  const transport = memoryTransport()
  const saver = createAutosave({ key: 'bench', transport, store: memoryStore(), environment: env })
  const state = chatState(100)
  for (let i = 0; i < edits; i++) {
    saver.save({ ...state, data: { ...state.data, musicDescription: `edit ${i}` } })
    await fake.tickAsync(spreadMs / edits)
  }
  await fake.tickAsync(60_000)
  await saver.dispose()
  return transport.backend.writes.length
}

/** Bytes the fetch transport actually puts on the wire for the second of two writes. */
async function wireBytesForOneFieldEdit(messages: number) {
  const bodies: number[] = []
  const fake: typeof fetch = async (_url, init) => {
    bodies.push(typeof init?.body === 'string' ? new TextEncoder().encode(init.body).length : 0)
    return new Response(JSON.stringify({ version: bodies.length, updatedAt: 'now' }), { status: 200 })
  }
  const transport: Transport = fetchTransport({ baseUrl: 'http://bench.local/docs', fetch: fake })
  const { environment: env } = environment()
  const saver = createAutosave({ key: 'bench', transport, store: memoryStore(), environment: env })
  const state = chatState(messages)
  saver.save(state)
  await saver.flush()
  saver.save({ ...state, data: { ...state.data, musicDescription: 'lo-fi hip hop' } })
  await saver.flush()
  await saver.dispose()
  return { full: bodies[0]!, patch: bodies[1]! }
}

function medianNs(fn: () => void, rounds = 21, perRound = 2000) {
  const samples: number[] = []
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < perRound; i++) fn()
    samples.push(Number(process.hrtime.bigint() - start) / perRound)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)]!
}

function saveCost(messages: number) {
  const { environment: env } = environment()
  const saver = createAutosave({ key: 'bench', transport: memoryTransport(), store: memoryStore(), environment: env })
  const states = [chatState(messages), chatState(messages)]
  let i = 0
  const save = medianNs(() => saver.save(states[i++ & 1]!))
  const stringify = medianNs(() => JSON.stringify(states[0]), 7, 20)
  void saver.dispose()
  return { save, stringify }
}

/** save()'s 99th percentile, each call timed alone, over immutable one-field edits of a chat state. */
function saveP99(messages: number, calls = 20_000) {
  const { environment: env } = environment()
  const saver = createAutosave({ key: 'bench', transport: memoryTransport(), store: memoryStore(), environment: env })
  const base = chatState(messages)
  const states = Array.from({ length: 64 }, (_, i) => ({ ...base, data: { ...base.data, musicDescription: `edit ${i}` } }))
  const samples: number[] = []
  for (let i = 0; i < calls; i++) {
    const state = states[i & 63]!
    const start = process.hrtime.bigint()
    saver.save(state)
    samples.push(Number(process.hrtime.bigint() - start))
  }
  void saver.dispose()
  samples.sort((a, b) => a - b)
  return { p50: samples[Math.floor(calls * 0.5)]!, p99: samples[Math.floor(calls * 0.99)]! }
}

/** The engine's serialization of a one-field edit (remembering serializer) against a fresh serialize() of the same state. */
function serializeAfterEdit(messages: number) {
  const toJson = createSerializer()
  let state = chatState(messages)
  toJson(state)
  let n = 0
  const remembered = medianNs(
    () => {
      state = { ...state, data: { ...state.data, musicDescription: `edit ${n++}` } }
      toJson(state)
    },
    11,
    200,
  )
  const fresh = medianNs(() => serialize(state), 7, 5)
  return { remembered, fresh }
}

function fmt(ns: number) {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`
}

export async function runCoreBench() {
  const rows: string[][] = []
  const requests = await requestsForBurst(1000, 10_000)
  rows.push(['requests for 1,000 edits over 10 s', String(requests), '1,000 (one per edit)', `${((requests / 1000) * 100).toFixed(1)} %`, '≤ 2'])
  const wire = await wireBytesForOneFieldEdit(1000)
  rows.push([
    'bytes on the wire, one-field edit, 1,000-message chat',
    `${wire.patch} B (PATCH)`,
    `${wire.full} B (full PUT)`,
    `${((wire.patch / wire.full) * 100).toFixed(3)} %`,
    '≤ 1 %',
  ])
  for (const messages of [10, 1000, 10_000]) {
    const cost = saveCost(messages)
    rows.push([
      `median save() time, ${messages.toLocaleString('en')}-message chat`,
      fmt(cost.save),
      `${fmt(cost.stringify)} (one JSON.stringify)`,
      `${((cost.save / cost.stringify) * 100).toFixed(4)} %`,
      '≤ 2 µs, flat',
    ])
  }
  for (const messages of [50, 500, 5000]) {
    const { p50, p99 } = saveP99(messages)
    rows.push([`save() p99 (p50), ${messages.toLocaleString('en')}-message chat, each call timed alone`, `${fmt(p99)} (${fmt(p50)})`, '', '', '≤ 2 µs, flat'])
  }
  for (const messages of [50, 500, 5000]) {
    const cost = serializeAfterEdit(messages)
    rows.push([
      `serialize a one-field edit, ${messages.toLocaleString('en')}-message chat (engine's serializer)`,
      fmt(cost.remembered),
      `${fmt(cost.fresh)} (serialize() from scratch)`,
      `${((cost.remembered / cost.fresh) * 100).toFixed(3)} %`,
      'flat',
    ])
  }
  const base = chatState(1000) as unknown as Json
  const edited = structuredClone(chatState(1000)) as ReturnType<typeof chatState>
  edited.data.musicDescription = 'lo-fi hip hop'
  const diffNs = medianNs(() => diffDocuments(base, edited as unknown as Json), 7, 20)
  rows.push([
    'diff against last ack (1,000 messages, off the save path)',
    fmt(diffNs),
    `${fmt(saveCost(1000).stringify)} (JSON.stringify)`,
    '',
    'informational',
  ])
  return rows
}

export function printTable(title: string, header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' | ')} |`
  console.log(`\n${title}\n`)
  console.log(line(header))
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`)
  for (const row of rows) console.log(line(row))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(
    `autosave-kit core — node ${process.version}, ${process.platform}/${process.arch}`,
    ['measure', 'autosave-kit', 'baseline', 'ratio', 'target'],
    await runCoreBench(),
  )
}
