import { randomBytes, randomInt } from 'node:crypto'
import type { Budget } from '../aws/budget.ts'
import type { AwsClients } from '../aws/clients.ts'
import { callError, undoCalls, type AppliedAction, type CallError } from './actions.ts'
import { keyOf, sendCall } from './calls.ts'

export { undoCalls }

/**
 * Rolling back: the undo calls each change recorded, sent for the changes in reverse order, so the account goes
 * back through the same states (a recorder stopped before its delivery channel is deleted). A failed action is
 * rolled back as far as it got. The first failing undo stops the rollback and is reported, never thrown.
 */

/** One undo call as sent. */
export interface RolledBackCall {
  readonly service: string
  readonly command: string
  readonly region: string
  /** The input as sent, except a generated password, which is never recorded. */
  readonly input: Readonly<Record<string, unknown>>
  readonly requestId: string | null
  readonly note?: string
}

/** What a rollback did. */
export interface RolledBackAction {
  readonly actionVersion: 1
  readonly accountId: string
  readonly resourceArn: string
  readonly remediation: AppliedAction['remediation']
  readonly status: 'rolled-back' | 'failed'
  readonly calls: readonly RolledBackCall[]
  readonly error?: CallError
}

const SYMBOLS = '!@#$%^&*()-_=+'

/**
 * A password for a recreated login profile: 24 random base64url characters plus one of each class an account
 * password policy may require, so CreateLoginProfile is not refused.
 */
function randomPassword(): string {
  const symbol = SYMBOLS[randomInt(SYMBOLS.length)] ?? '!'
  return `${randomBytes(18).toString('base64url')}Aa9${symbol}`
}

/**
 * Rolls an applied action back with the calls it recorded. Console access removed by a suspension is given back as
 * a login profile with a random password that must be reset: IAM never reveals a password, so the old one cannot be
 * restored, and storing or logging the new one would put a live credential in Assure's store and ledger. Nobody
 * knows the new password, so an administrator still sets one the user is told (UpdateLoginProfile); the rollback
 * restores that the user has console access, not the ability to sign in unaided.
 */
export async function rollbackAction(
  clients: AwsClients,
  budget: Budget,
  applied: AppliedAction,
): Promise<RolledBackAction> {
  const record = {
    actionVersion: 1 as const,
    accountId: applied.accountId,
    resourceArn: applied.resourceArn,
    remediation: applied.remediation,
  }
  const calls: RolledBackCall[] = []
  for (const undo of undoCalls(applied)) {
    const password = keyOf(undo) === 'iam:CreateLoginProfile'
    const sent = password ? { ...undo, input: { ...undo.input, Password: randomPassword() } } : undo
    try {
      const answer = await sendCall(clients, budget, applied.accountId, sent)
      calls.push({
        service: undo.service,
        command: undo.command,
        region: undo.region,
        input: undo.input,
        requestId: answer.requestId,
        ...(password ? { note: 'a random password was set, not recorded; the user must reset it' } : {}),
      })
    } catch (error) {
      return { ...record, status: 'failed', calls, error: callError(undo, error) }
    }
  }
  return { ...record, status: 'rolled-back', calls }
}
