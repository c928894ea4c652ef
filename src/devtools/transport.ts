import { TransportError, type Transport } from 'autosave-kit'
import { takeFailure } from './registry'

/**
 * Wraps a transport so the devtools' "Fail next save" switch can make its next write fail
 * (a retryable 503, as a struggling server would answer), to watch retries and the status text.
 * Passes everything else through unchanged.
 *
 * @example
 * ```ts
 * const transport = devtoolsTransport(fetchTransport({ baseUrl: '/api/storage/projects' }))
 * const saver = createAutosave({ key: 'project:42', transport })
 * ```
 */
export function devtoolsTransport<T extends Transport>(inner: T): T {
  const wrapped: Transport = {
    ...inner,
    load: (key, options) => inner.load(key, options),
    async write(request) {
      if (takeFailure())
        throw new TransportError('TRANSPORT_HTTP', `Failed by the devtools ("Fail next save") for "${request.key}"`, { status: 503, retryable: true })
      return inner.write(request)
    },
  }
  return wrapped as T
}
