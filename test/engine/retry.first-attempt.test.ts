import { describe, expect, it } from 'vitest'
import { systemClock } from '../../src/environment/clock'
import { AutosaveError, ConflictError, TransportError } from '../../src/errors'
import { defaultRetry, retrying, withRetry, type RetryContext } from '../../src/engine/retry'

/**
 * withRetry runs the first attempt without p-retry and hands a failure over to it. Whatever
 * happens, the caller must see what p-retry alone (`retrying`, the path every attempt took
 * before) would have done: the same result or error, the same attempts, the same waits.
 */

type Step = 'ok' | Error | string | { abortThen: 'ok' | Error }

interface Outcome {
  settled: string
  attempts: number
  retries: Array<{ attempt: number; delayMs: number; error: string }>
}

const http = (status: number, retryAfterMs?: number) =>
  new TransportError('TRANSPORT_HTTP', `HTTP ${status}`, { status, retryable: status >= 500 || status === 429, retryAfterMs })
const network = () => new TransportError('TRANSPORT_NETWORK', 'offline', { retryable: true })
const disposed = () => new AutosaveError('DISPOSED', 'disposed')

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.constructor.name}:${(error as { code?: string }).code ?? ''}:${error.message}` : `thrown ${String(error)}`

/** Runs `steps` (one per attempt) through `run`; `abortBefore` aborts the signal before anything. */
async function play(
  run: <T>(attempt: () => Promise<T>, context: RetryContext) => Promise<T>,
  steps: Step[],
  { abortBefore = false, retries = 3, reason = disposed as () => unknown } = {},
): Promise<Outcome> {
  const controller = new AbortController()
  if (abortBefore) controller.abort(reason())
  const outcome: Outcome = { settled: '', attempts: 0, retries: [] }
  const attempt = async () => {
    const step = steps[outcome.attempts++] ?? 'ok'
    const then = typeof step === 'object' && 'abortThen' in step ? (controller.abort(reason()), step.abortThen) : step
    if (then === 'ok') return `result of attempt ${outcome.attempts}`
    throw then
  }
  const context: RetryContext = {
    options: { ...defaultRetry, retries, randomize: false },
    clock: systemClock,
    signal: controller.signal,
    onRetry: ({ attempt, delayMs, error, wake }) => {
      outcome.retries.push({ attempt, delayMs, error: describeError(error) })
      wake()
    },
  }
  try {
    outcome.settled = `resolved ${await run(attempt, context)}`
  } catch (error) {
    outcome.settled = `rejected ${describeError(error)}`
  }
  return outcome
}

const scenarios: Array<[string, Step[], Parameters<typeof play>[2]?]> = [
  ['the first attempt succeeds', ['ok']],
  ['a 503, then success', [http(503), 'ok']],
  ['a 503 with Retry-After, then success', [http(503, 2000), 'ok']],
  ['network failures never use up the budget', [network(), network(), network(), network(), network(), 'ok']],
  ['a refusal is final', [http(400)]],
  ['a conflict is final', [new ConflictError('changed', { data: 1, version: 2 })]],
  ['the HTTP budget runs out', [http(503), http(502), http(500), http(503), http(503)]],
  ['network failures after the budget are still retried', [http(503), http(503), http(503), network(), 'ok'], { retries: 2 }],
  ['a non-Error thrown', ['boom']],
  ['a TypeError thrown', [new TypeError('a bug in a transport')]],
  ['no retries at all: the first failure is final', [http(503)], { retries: 0 }],
  ['aborted before the first attempt', ['ok'], { abortBefore: true }],
  ['aborted during a first attempt that then succeeds', [{ abortThen: 'ok' }]],
  ['aborted during a first attempt refused', [{ abortThen: http(400) }]],
  ['aborted during a first attempt that failed retryably', [{ abortThen: http(503) }]],
  ['aborted during a first attempt that threw a TypeError', [{ abortThen: new TypeError('bug') }]],
  ['aborted during a later attempt', [http(503), { abortThen: http(503) }]],
  ['aborted without a reason during the first attempt', [{ abortThen: http(503) }], { reason: () => undefined }],
  ['aborted with a retryable reason during the first attempt', [{ abortThen: http(503) }], { reason: () => http(503) }],
]

describe('the first attempt outside p-retry', () => {
  it.each(scenarios)('%s: the same as p-retry running every attempt', async (_name, steps, settings) => {
    const reference = await play(retrying, steps, settings)
    expect(await play(withRetry, steps, settings)).toEqual(reference)
  })

  it('a save that succeeds at once makes one attempt and schedules no retry', async () => {
    expect(await play(withRetry, ['ok'])).toEqual({ settled: 'resolved result of attempt 1', attempts: 1, retries: [] })
  })

  it('a failed first attempt is not made again: p-retry takes it over as its first', async () => {
    expect(await play(withRetry, [http(503), 'ok'])).toEqual({
      settled: 'resolved result of attempt 2',
      attempts: 2,
      retries: [{ attempt: 1, delayMs: 500, error: describeError(http(503)) }],
    })
  })

  it('leaves no listener on the engine signal once settled', async () => {
    const controller = new AbortController()
    let listeners = 0
    const { addEventListener, removeEventListener } = controller.signal
    controller.signal.addEventListener = function (...args: Parameters<AbortSignal['addEventListener']>) {
      listeners++
      return addEventListener.apply(this, args)
    }
    controller.signal.removeEventListener = function (...args: Parameters<AbortSignal['removeEventListener']>) {
      listeners--
      return removeEventListener.apply(this, args)
    }
    let attempts = 0
    await withRetry(
      async () => {
        if (++attempts < 3) throw http(503)
        return 'ok'
      },
      { options: { ...defaultRetry, randomize: false }, clock: systemClock, signal: controller.signal, onRetry: ({ wake }) => wake() },
    )
    expect(listeners).toBe(0)
  })
})
