import { createHash } from 'node:crypto'
import { GENESIS_HASH, type LedgerEntry } from '../entry.ts'
import type { LedgerSource } from './forwarder.ts'

/** Shared by the SIEM tests: ledger entries and an in-memory ledger. Not used by the service. */

/** Every action family the service records, as the brief and the code name them. */
export const SAMPLE_ACTIONS: readonly string[] = [
  'auth.sign_in.success',
  'auth.sign_in.failure',
  'auth.lockout',
  'auth.unlock',
  'auth.account.locked',
  'auth.account.unlocked',
  'auth.step_up',
  'auth.sign_out',
  'auth.session.ended',
  'auth.mfa.added',
  'auth.mfa.removed',
  'auth.recovery_codes.issued',
  'auth.disconnect',
  'identity.person.invited',
  'identity.person.joined',
  'identity.person.suspended',
  'identity.person.reactivated',
  'identity.person.disconnected',
  'identity.invitation.sent',
  'identity.invitation.accepted',
  'identity.setup_link.created',
  'identity.setup.completed',
  'identity.roles.changed',
  'identity.pending_change.requested',
  'identity.pending_change.approved',
  'identity.pending_change.rejected',
  'identity.pending_change.expired',
  'identity.dual_authorisation.requested',
  'identity.dual_authorisation.decided',
  'identity.api_token.created',
  'identity.api_token.used',
  'identity.api_token.revoked',
  'api.token.created',
  'api.token.used',
  'api.token.revoked',
  'identity.privileged_review.created',
  'identity.privileged_review.signed_off',
  'audit.ledger.read',
  'audit.ledger.verified',
  'audit.ledger.verification_failed',
  'audit.ledger.pruned',
  'audit.checkpoint.signed',
  'authz.denied',
  'access.denied',
  'organisation.created',
  'catalogue.control.created',
  'catalogue.control.updated',
  'catalogue.control.retired',
  'assessment.submitted',
  'assessment.reviewed',
  'letter.issued',
  'letter.viewed',
  'incident.reported',
  'incident.closed',
  'baseline.account.checked',
  'baseline.drift.detected',
  'something.entirely.new',
]

/** A plausible entry for `action`; `overrides` replace any field. Hashes are real SHA-256 values of the sequence. */
export function sampleEntry(action: string, sequence = 1, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  const outcome = action.endsWith('.failure') || action.endsWith('verification_failed') ? 'failure' : 'success'
  const denied = action.endsWith('.denied')
  const anonymous = action === 'auth.sign_in.failure'
  const system = action.startsWith('audit.') && action !== 'audit.ledger.read'
  const hashOf = (n: number) => (n === 0 ? GENESIS_HASH : createHash('sha256').update(String(n)).digest('hex'))
  let actorType: 'anonymous' | 'system' | 'user' = 'user'
  if (anonymous) actorType = 'anonymous'
  else if (system) actorType = 'system'
  const actorIds = { anonymous: null, system: 'audit-retention', user: 'user-1' }
  let reason: string | null = null
  if (denied) reason = 'needs catalogue:write'
  else if (outcome === 'failure') reason = 'wrong password'
  return {
    sequence,
    at: new Date(Date.UTC(2026, 11, 3, 21, 36, 42, 123) + sequence * 1000).toISOString(),
    actorType,
    actorId: actorIds[actorType],
    userId: anonymous || system ? null : 'user-1',
    organisationId: anonymous || system ? null : 'org-1',
    sessionRef: anonymous || system ? null : 'sess-ab12',
    ip: system ? null : '203.0.113.7',
    action,
    targetType: action.startsWith('identity.') || action.startsWith('auth.sign_in') ? 'user' : null,
    targetId: action.startsWith('identity.') || action.startsWith('auth.sign_in') ? 'user-2' : null,
    outcome: denied ? 'denied' : outcome,
    reason,
    requestId: system ? null : `req-${sequence}`,
    details: action === 'identity.roles.changed' ? { from: ['reader'], to: ['reader', 'administrator'] } : {},
    prevHash: hashOf(sequence - 1),
    hash: hashOf(sequence),
    ...overrides,
  }
}

/** An in-memory ledger and cursor, standing in for the store. `append` adds entries as the service would. */
export interface MemoryLedger extends LedgerSource {
  readonly entries: LedgerEntry[]
  cursor: number
  append(count: number): void
}

export function memoryLedger(initial = 0): MemoryLedger {
  const ledger: MemoryLedger = {
    entries: [],
    cursor: 0,
    append(count) {
      for (let i = 0; i < count; i += 1) {
        const sequence = ledger.entries.length + 1
        const action = SAMPLE_ACTIONS[sequence % SAMPLE_ACTIONS.length] ?? 'auth.sign_in.success'
        ledger.entries.push(sampleEntry(action, sequence, { details: { note: `événement n°${sequence} – “ok”` } }))
      }
    },
    loadCursor: async () => ledger.cursor,
    saveCursor: async sequence => {
      ledger.cursor = sequence
    },
    readAfter: async (sequence, limit) => ledger.entries.filter(e => e.sequence > sequence).slice(0, limit),
  }
  ledger.append(initial)
  return ledger
}

/** A stateful RFC 6587 octet-counting parser: feed it chunks, get back each complete SYSLOG-MSG (as UTF-8 text). */
export function octetFrameParser(): (chunk: Buffer) => string[] {
  let buffer = Buffer.alloc(0)
  return chunk => {
    buffer = Buffer.concat([buffer, chunk])
    const messages: string[] = []
    for (;;) {
      const space = buffer.indexOf(0x20)
      if (space === -1) break
      const length = Number(buffer.subarray(0, space).toString('ascii'))
      if (!Number.isSafeInteger(length) || length < 1) throw new Error(`Bad frame length ${buffer.subarray(0, space)}`)
      if (buffer.length < space + 1 + length) break
      messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'))
      buffer = buffer.subarray(space + 1 + length)
    }
    return messages
  }
}

/** The ledger sequence in a syslog message's structured data. */
export function sequenceOf(message: string): number {
  const match = /\[assure@32473 seq="(\d+)"/.exec(message)
  if (match === null) throw new Error(`No sequence in ${message.slice(0, 120)}`)
  return Number(match[1])
}

/**
 * Waits on conditions without clocks: `check()` after anything that might change them re-tests every waiter.
 * The test's own timeout is the only time limit.
 */
export function conditions(): { until(test: () => boolean): Promise<void>; check(): void } {
  const waiters = new Set<{ test: () => boolean; resolve: () => void }>()
  return {
    until(test) {
      if (test()) return Promise.resolve()
      return new Promise(resolve => {
        waiters.add({ test, resolve })
      })
    },
    check() {
      for (const waiter of waiters) {
        if (waiter.test()) {
          waiters.delete(waiter)
          waiter.resolve()
        }
      }
    },
  }
}
