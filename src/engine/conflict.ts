import { type ConflictError, type RemoteDocument, TransportError } from '../errors'
import { jsonEqual } from '../json/json'
import type { Json, Transport } from '../types'
import type { Base, Ledger } from './ledger'
import type { Persist } from './persist'
import { ancestorWithOwnWrites, type Rebase } from './rebase'
import type { StatusStore } from './status'

export interface ConflictParts {
  key: string
  transport: Transport
  ledger: Ledger<unknown>
  persist: Persist
  rebase: Rebase
  status: StatusStore
  call<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T>
}

/**
 * One conflict round of a write (a 412, or a first write to a document that exists): what to
 * send next, on which base. `undefined` data: one of this device's own earlier writes had landed
 * (its answer was lost) and the ledger is already rebased onto it, so the same state goes again.
 */
export async function conflictRound(
  { key, transport, ledger, persist, rebase, status, call }: ConflictParts,
  error: ConflictError,
  target: number,
  data: Json,
  base: Base,
): Promise<{ data: Json | undefined; base: Base }> {
  let remote: RemoteDocument = error.remote ?? (await call('A read', (signal) => transport.load(key, { signal }))) ?? { data: null, version: 0 }
  // A server behind our base lost the document (deleted, reset, restored from a backup) or
  // acknowledged a write it never applied. A copy it holds that this device once had
  // acknowledged is the common ancestor: everything this device did since is ours to write.
  const behind = base.version !== null && remote.version < base.version
  const rewound = behind && (await persist.acknowledgedHere(remote.version, remote.data as Json)) ? (remote.data as Json) : undefined
  let ancestor: Json | undefined
  const { acked } = ledger
  // Another tab's newer save may have arrived while this answer was on its way: it is on the server too.
  if (acked !== base && acked.version !== null && acked.version > remote.version) remote = { version: acked.version, data: acked.data as Json }
  else if (behind) {
    ancestor = rewound
    const what = remote.data === null ? 'no longer has it' : `is at version ${remote.version}, older than version ${base.version!} this device saw saved`
    status.report(
      new TransportError(
        'REMOTE_BEHIND',
        `The server's copy of "${key}" ${what} (restored from a backup, or a write it acknowledged was lost); writing this device's state onto it`,
      ),
    )
  }
  if (ledger.unacked.some((write) => jsonEqual(write, remote.data as Json))) {
    // One of our own earlier writes landed though its answer was lost: not a conflict.
    ledger.rebaseOnto(remote.version, remote.data as Json)
    return { data: undefined, base: ledger.acked }
  }
  const merged = rebase.ontoServer(target, data, ancestor ?? ancestorWithOwnWrites(base.data, remote.data as Json, ledger.unacked), remote)
  ledger.resend(merged)
  ledger.markSending(merged)
  void persist.persist()
  return { data: merged, base: ledger.acked }
}
