import { AutosaveError } from '../errors'

/**
 * Reads outside a send (restore, revalidation), one at a time: a send waits for the read on the
 * wire (one request per document at a time), and a page-exit send cuts it short instead.
 */
export function createReads(
  call: <T>(what: string, run: (signal: AbortSignal) => Promise<T>, control?: (abort: (reason: unknown) => void) => void) => Promise<T>,
  key: string,
) {
  let reading: Promise<unknown> | undefined
  let abortRead: (() => void) | undefined

  return {
    async read<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
      // One read at a time too (a restore() and a revalidation).
      while (reading) await reading
      const result = call(what, work, (abort) => {
        abortRead = () => abort(new AutosaveError('ABORTED', `${what} of "${key}" gave way to a page-exit save`))
      })
      const settled: Promise<unknown> = result
        .catch(() => {})
        .finally(() => {
          if (reading === settled) reading = undefined
        })
      reading = settled
      return result
    },
    /** A page-exit send cannot wait out a read: it settles at once. */
    cutShort() {
      if (reading) abortRead?.()
    },
    /** The read on the wire, settling (never rejecting) when it is done; undefined when none is. */
    get current() {
      return reading
    },
  }
}
