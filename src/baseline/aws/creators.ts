import { LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail'
import { GLOBAL } from '../findings.ts'
import type { Budget } from './budget.ts'
import { GLOBAL_REGION, type AwsClients } from './clients.ts'

/**
 * Who created a resource, for the ladders' "creator" audience. Guidance, Tagging: the "creating AWS user is notified";
 * Regions, Encryption and 'World' Access alert the "resource creator" too. The issue: found from CloudTrail
 * `LookupEvents` (2 requests per second per region, queued by the budget's lane), falling back to the `owner` tag and
 * then the account owner.
 */

/** Where the creator came from, so a notice can say why it went to this person. */
export type CreatorSource = 'cloudtrail' | 'owner-tag' | 'account-owner'

/** The person to notify as a resource's creator. */
export interface Creator {
  readonly who: string
  readonly source: CreatorSource
}

/** What to look up: the resource, its `owner` tag if it has one, and the account owner to fall back on. */
export interface CreatorLookup {
  readonly accountId: string
  /** The resource's region, or `global` for account-wide resources (looked up in us-east-1). */
  readonly region: string
  readonly resourceArn: string
  /** The name CloudTrail records for the resource: an instance ID, a bucket name, a security group ID. */
  readonly resourceId: string
  readonly ownerTag?: string
  readonly accountOwner: string
}

/** CloudTrail answers per resource, shared by every lookup of one run so a resource is looked up once. */
export type CreatorCache = Map<string, Promise<string | null>>

/** A cache for one run (a scan or an enforcement), passed to every `findCreator` of it. */
export const creatorCache = (): CreatorCache => new Map()

/** Budgets' own caches, for callers that pass none: a budget lives for one run. */
const perBudget = new WeakMap<Budget, CreatorCache>()

/** Event history is paged 50 at a time; a resource's own events rarely run past a few pages. */
const MAX_PAGES = 5

const CREATING = /^(Create|Run)/

/** The identity of an event: its `Username`, else the `userIdentity.arn` of the full record. */
function actor(event: Event): string | null {
  if (event.Username !== undefined && event.Username !== '') return event.Username
  try {
    const record = JSON.parse(event.CloudTrailEvent ?? '{}') as { userIdentity?: { arn?: unknown } }
    const arn = record.userIdentity?.arn
    return typeof arn === 'string' && arn !== '' ? arn : null
  } catch {
    return null
  }
}

/** The earliest creating event's identity in the region's 90 days of event history, or null for none or an error. */
async function fromCloudTrail(deps: { clients: AwsClients; budget: Budget }, lookup: CreatorLookup) {
  const region = lookup.region === GLOBAL ? GLOBAL_REGION : lookup.region
  const client = deps.clients.cloudTrail(region)
  const events: Event[] = []
  try {
    let token: string | undefined
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const input = {
        LookupAttributes: [{ AttributeKey: 'ResourceName' as const, AttributeValue: lookup.resourceId }],
        ...(token === undefined ? {} : { NextToken: token }),
      }
      const answer = await deps.budget.call('cloudtrail:LookupEvents', `${lookup.accountId}|${region}`, () =>
        client.send(new LookupEventsCommand(input)),
      )
      events.push(...(answer.Events ?? []))
      token = answer.NextToken
      if (token === undefined || token === '') break
    }
  } catch {
    // Access denied, throttled past the budget's retries, CloudTrail not available: the fallbacks still name someone.
    return null
  }
  const creating = events
    .filter(event => CREATING.test(event.EventName ?? '') && event.EventTime !== undefined)
    .sort((a, b) => (a.EventTime?.getTime() ?? 0) - (b.EventTime?.getTime() ?? 0))
  for (const event of creating) {
    const who = actor(event)
    if (who !== null) return who
  }
  return null
}

/** The email of an MoJ `owner` tag, `<team>: <email>`; null when the tag does not follow the standard. */
export function ownerTagEmail(tag: string | undefined): string | null {
  const match = /^[^:]+:\s*([^\s@:]+@[^\s@:]+\.[^\s@:]+)\s*$/.exec(tag ?? '')
  return match?.[1] ?? null
}

/**
 * Finds who to notify as a resource's creator: CloudTrail's earliest Create* or Run* event for it, else the email of
 * its `owner` tag, else the account owner. CloudTrail errors fall back rather than throw.
 */
export async function findCreator(
  deps: { clients: AwsClients; budget: Budget; cache?: CreatorCache },
  lookup: CreatorLookup,
): Promise<Creator> {
  let cache = deps.cache ?? perBudget.get(deps.budget)
  if (cache === undefined) {
    cache = creatorCache()
    perBudget.set(deps.budget, cache)
  }
  const key = `${lookup.accountId}|${lookup.region}|${lookup.resourceArn}`
  let found = cache.get(key)
  if (found === undefined) {
    found = fromCloudTrail(deps, lookup)
    cache.set(key, found)
  }
  const who = await found
  if (who !== null) return { who, source: 'cloudtrail' }
  const email = ownerTagEmail(lookup.ownerTag)
  if (email !== null) return { who: email, source: 'owner-tag' }
  return { who: lookup.accountOwner, source: 'account-owner' }
}
