import { z } from 'zod'
import { AssureError } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import type { IntendedPublic } from './settings.ts'

/**
 * The intended-public allow-list: what infrastructure-as-code declares public on purpose. Guidance, 'World' Access:
 * S3 objects are "programmatically reviewed ... against the source infrastructure-as-code" and compute is reviewed
 * "to ensure they are not internet-accessible unless explicitly designed and documented to be so". The file is that
 * documentation, in a form the rules can read (see docs/baseline-allow-list.md). Anything public and not listed (or
 * listed with a past expiry) is a finding.
 */

/** The only allow-list format version this release reads. */
export const ALLOW_LIST_VERSION = 1

/** The kinds of entry, as the file names them. */
export const ENTRY_KINDS = ['buckets', 'securityGroups', 'instances', 'ecsServices'] as const
export type EntryKind = (typeof ENTRY_KINDS)[number]

const reason = z
  .string({ error: 'Enter why the resource is meant to be public' })
  .trim()
  .min(1, 'Enter why the resource is meant to be public')
  .max(1000, 'The reason must be 1000 characters or fewer')

/** A date (the last day the entry holds) or an instant with an offset. */
const expires = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'Expiry must be a date such as 2027-03-31 or a date and time such as 2027-03-31T17:00:00Z',
})

// S3 bucket naming rules (general purpose buckets): 3-63 characters, lower case, digits, dots and hyphens.
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'Enter an S3 bucket name, such as moj-public-assets')
const groupId = z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'Enter a security group ID, such as sg-0123456789abcdef0')
const instanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'Enter an EC2 instance ID, such as i-0123456789abcdef0')
const serviceArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)?$/,
    'Enter an ECS service ARN, such as arn:aws:ecs:eu-west-2:111122223333:service/main/web',
  )

const BucketEntry = z.strictObject({ name: bucketName, reason, expires: expires.optional() })
const GroupEntry = z.strictObject({ id: groupId, reason, expires: expires.optional() })
const InstanceEntry = z.strictObject({ id: instanceId, reason, expires: expires.optional() })
const ServiceEntry = z.strictObject({ arn: serviceArn, reason, expires: expires.optional() })

/** The allow-list file. */
export const AllowListSchema = z.strictObject({
  version: z.literal(ALLOW_LIST_VERSION, {
    error: `This allow-list format version is not supported: use version ${ALLOW_LIST_VERSION}`,
  }),
  /** Where the list came from: a Terraform state, a repository, or the person who wrote it. */
  source: z.string().trim().min(1, 'Enter where the allow-list came from').max(500),
  generatedAt: z.iso.datetime({ offset: true }).optional(),
  buckets: z.array(BucketEntry).default([]),
  securityGroups: z.array(GroupEntry).default([]),
  instances: z.array(InstanceEntry).default([]),
  ecsServices: z.array(ServiceEntry).default([]),
})
export type AllowListFile = z.input<typeof AllowListSchema>
type AllowList = z.output<typeof AllowListSchema>

/** Why an allow-list or a Terraform state could not be read. */
export type AllowListErrorKind = 'invalid-json' | 'invalid-allow-list' | 'unsupported-state-version' | 'invalid-state'

/** An allow-list or state file refused, with which of the ways it went wrong. */
export class AllowListError extends AssureError {
  readonly kind: AllowListErrorKind

  constructor(kind: AllowListErrorKind, message: string, options: ConstructorParameters<typeof AssureError>[2] = {}) {
    super('VALIDATION_FAILED', message, options)
    this.name = 'AllowListError'
    this.kind = kind
  }
}

/** An entry left out because its expiry has passed: reported so someone renews it or lets the finding stand. */
export interface ExpiredEntry {
  readonly kind: EntryKind
  readonly id: string
  readonly reason: string
  readonly expires: string
}

/** A parsed allow-list: the intended sets the rules read, where they came from, and what was left out as expired. */
export interface ParsedAllowList extends IntendedPublic {
  readonly source: string
  readonly expired: readonly ExpiredEntry[]
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new AllowListError('invalid-json', `The ${what} is not valid JSON`, {
      problems: [{ path: '', message: error instanceof Error ? error.message : String(error) }],
      cause: error,
    })
  }
}

/** When an entry stops counting: a bare date holds to the end of that day (UTC). */
export function expiryInstant(value: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(Date.parse(`${value}T00:00:00Z`) + 86_400_000) : new Date(value)
}

/** An entry's identifier, whichever field holds it: a bucket's `name`, a group's or instance's `id`, a service's `arn`. */
const idOf = (item: { name?: string; id?: string; arn?: string }): string => item.name ?? item.arn ?? item.id ?? ''

/**
 * Reads an allow-list file (its text, or the parsed JSON) into the intended sets. Entries whose expiry has passed at
 * `now` are left out and reported; a file that is not JSON, not this version or not valid is refused whole.
 */
export function parseAllowList(input: string | unknown, now: Date): ParsedAllowList {
  const json = typeof input === 'string' ? parseJson(input, 'allow-list') : input
  const result = AllowListSchema.safeParse(json)
  if (!result.success)
    throw new AllowListError('invalid-allow-list', 'The allow-list is not valid', {
      problems: problemsFrom(result.error),
    })
  const list: AllowList = result.data
  const duplicates = ENTRY_KINDS.flatMap(kind => {
    const seen = new Set<string>()
    return list[kind].flatMap((item, index) => {
      const id = idOf(item)
      if (!seen.has(id)) {
        seen.add(id)
        return []
      }
      return [{ path: `${kind}.${index}`, message: `${id} is listed more than once` }]
    })
  })
  if (duplicates.length > 0)
    throw new AllowListError('invalid-allow-list', 'The allow-list is not valid', { problems: duplicates })

  const expired: ExpiredEntry[] = []
  const current = (kind: EntryKind): Set<string> =>
    new Set(
      list[kind].flatMap(item => {
        const id = idOf(item)
        if (item.expires !== undefined && expiryInstant(item.expires) <= now) {
          expired.push({ kind, id, reason: item.reason, expires: item.expires })
          return []
        }
        return [id]
      }),
    )
  return {
    source: list.source,
    buckets: current('buckets'),
    securityGroups: current('securityGroups'),
    instances: current('instances'),
    ecsServices: current('ecsServices'),
    expired,
  }
}

// Terraform state, format version 4 (Terraform 0.12 and later): only what the generator reads.
const StateInstance = z.looseObject({
  index_key: z.union([z.string(), z.number()]).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
})
const StateResource = z.looseObject({
  module: z.string().optional(),
  mode: z.string(),
  type: z.string(),
  name: z.string(),
  instances: z.array(StateInstance).default([]),
})
const StateSchema = z.looseObject({
  version: z.number(),
  lineage: z.string().optional(),
  serial: z.number().optional(),
  resources: z.array(StateResource).default([]),
})

type Attributes = Readonly<Record<string, unknown>>
interface Declared {
  readonly address: string
  readonly attributes: Attributes
}

const WORLD = new Set(['0.0.0.0/0', '::/0'])
const PUBLIC_ACLS = new Set(['public-read', 'public-read-write'])
const PUBLIC_GRANTEES = new Set([
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
])

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
const list = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : [])
const record = (value: unknown): Attributes =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Attributes) : {}
const strings = (value: unknown): string[] => list(value).flatMap(item => (typeof item === 'string' ? [item] : []))

/** A canned ACL or explicit grants (`access_control_policy` or the bucket's `grant` blocks) to everyone. */
function aclIsPublic(attributes: Attributes): boolean {
  if (PUBLIC_ACLS.has(text(attributes.acl) ?? '')) return true
  const grants = [
    ...list(attributes.grant),
    ...list(attributes.access_control_policy).flatMap(policy => list(record(policy).grant)),
  ]
  return grants.some(grant => {
    const g = record(grant)
    const uris = [text(g.uri), ...list(g.grantee).map(grantee => text(record(grantee).uri))]
    return uris.some(uri => uri !== null && PUBLIC_GRANTEES.has(uri))
  })
}

const wildcard = (principal: unknown): boolean => {
  if (principal === '*') return true
  const aws = record(principal).AWS
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'))
}

/**
 * A bucket policy statement that allows everyone with no condition. A conditioned statement (a source VPC endpoint,
 * an organisation ID) is not world access, and declaring it intended would excuse the policy if the condition were
 * later removed outside Terraform.
 */
function policyIsPublic(policy: unknown): boolean {
  const document = typeof policy === 'string' && policy !== '' ? safeJson(policy) : record(policy)
  const statements = record(document).Statement
  return (Array.isArray(statements) ? statements : [statements]).some(statement => {
    const s = record(statement)
    return s.Effect === 'Allow' && wildcard(s.Principal) && s.Condition === undefined
  })
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown
  } catch {
    return {}
  }
}

const blocksNothing = (attributes: Attributes) =>
  ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every(
    flag => attributes[flag] === false,
  )

const worldCidrs = (attributes: Attributes): boolean =>
  [
    ...strings(attributes.cidr_blocks),
    ...strings(attributes.ipv6_cidr_blocks),
    text(attributes.cidr_ipv4),
    text(attributes.cidr_ipv6),
  ].some(cidr => cidr !== null && WORLD.has(cidr))

/** The service's ARN: the provider's `id`, or built from the cluster's ARN and the name for older state files. */
function serviceArnOf(attributes: Attributes): string | null {
  const id = text(attributes.id)
  if (id?.startsWith('arn:') === true) return id
  const cluster = text(attributes.cluster)
  const name = text(attributes.name)
  if (cluster?.startsWith('arn:') !== true || name === null) return null
  return `${cluster.replace(':cluster/', ':service/')}/${name}`
}

/** Options for generating an allow-list from a state file. */
export interface FromStateOptions {
  /** Where the state came from, written into the file's `source`; default: the state's lineage and serial. */
  readonly source?: string
  /** When the list was generated, written into the file's `generatedAt`. */
  readonly now?: Date
}

/**
 * Generates an allow-list from a Terraform state file (format version 4): the public access the infrastructure-as-code
 * declares. Buckets made public by a canned ACL or grants (on `aws_s3_bucket` or `aws_s3_bucket_acl`), by an
 * unconditioned `Allow` to `"Principal": "*"` (`aws_s3_bucket_policy` or the bucket's own `policy`), or by an
 * `aws_s3_bucket_public_access_block` with every flag false; security groups with ingress from 0.0.0.0/0 or ::/0
 * (inline, `aws_security_group_rule` or `aws_vpc_security_group_ingress_rule`); instances with
 * `associate_public_ip_address` in such a group; ECS services with `assign_public_ip`. Data sources are ignored:
 * they read resources, they do not declare them.
 */
export function allowListFromTerraformState(input: string | unknown, options: FromStateOptions = {}): AllowListFile {
  const json = typeof input === 'string' ? parseJson(input, 'Terraform state') : input
  const { version } = record(json)
  if (typeof version === 'number' && version !== 4)
    throw new AllowListError(
      'unsupported-state-version',
      `Terraform state format version ${version} is not supported: only version 4 (Terraform 0.12 and later) is read`,
    )
  const result = StateSchema.safeParse(json)
  if (!result.success)
    throw new AllowListError('invalid-state', 'The file is not a Terraform state', {
      problems: problemsFrom(result.error),
    })
  const state = result.data
  const declared = (type: string): Declared[] =>
    state.resources
      .filter(resource => resource.mode === 'managed' && resource.type === type)
      .flatMap(resource =>
        resource.instances.map(instance => ({
          address: [
            resource.module,
            `${resource.type}.${resource.name}${instance.index_key === undefined ? '' : `[${JSON.stringify(instance.index_key)}]`}`,
          ]
            .filter(part => part !== undefined)
            .join('.'),
          attributes: instance.attributes,
        })),
      )

  // Several resources can declare one thing public; the reasons are joined so each is traceable to its address.
  const reasons = new Map<EntryKind, Map<string, string[]>>(ENTRY_KINDS.map(kind => [kind, new Map()]))
  const declare = (kind: EntryKind, id: string | null, why: string) => {
    if (id === null) return
    const byId = reasons.get(kind) ?? new Map<string, string[]>()
    byId.set(id, [...(byId.get(id) ?? []), why])
  }

  for (const { address, attributes } of declared('aws_s3_bucket')) {
    const name = text(attributes.bucket) ?? text(attributes.id)
    if (aclIsPublic(attributes)) declare('buckets', name, `${address} grants public access in its ACL`)
    if (policyIsPublic(attributes.policy)) declare('buckets', name, `${address} has a policy allowing "Principal": "*"`)
  }
  for (const { address, attributes } of declared('aws_s3_bucket_acl'))
    if (aclIsPublic(attributes)) declare('buckets', text(attributes.bucket), `${address} grants public access`)
  for (const { address, attributes } of declared('aws_s3_bucket_policy'))
    if (policyIsPublic(attributes.policy))
      declare('buckets', text(attributes.bucket), `${address} allows "Principal": "*"`)
  for (const { address, attributes } of declared('aws_s3_bucket_public_access_block'))
    if (blocksNothing(attributes))
      declare('buckets', text(attributes.bucket), `${address} turns off every public access block`)

  for (const { address, attributes } of declared('aws_security_group'))
    if (list(attributes.ingress).some(rule => worldCidrs(record(rule))))
      declare('securityGroups', text(attributes.id), `${address} allows ingress from the internet`)
  for (const { address, attributes } of declared('aws_security_group_rule'))
    if (attributes.type === 'ingress' && worldCidrs(attributes))
      declare('securityGroups', text(attributes.security_group_id), `${address} allows ingress from the internet`)
  for (const { address, attributes } of declared('aws_vpc_security_group_ingress_rule'))
    if (worldCidrs(attributes))
      declare('securityGroups', text(attributes.security_group_id), `${address} allows ingress from the internet`)

  const publicGroups = reasons.get('securityGroups') ?? new Map<string, string[]>()
  for (const { address, attributes } of declared('aws_instance')) {
    if (attributes.associate_public_ip_address !== true) continue
    const groups = [...strings(attributes.vpc_security_group_ids), ...strings(attributes.security_groups)]
    const open = groups.filter(group => publicGroups.has(group))
    if (open.length > 0) declare('instances', text(attributes.id), `${address} has a public IP in ${open.join(', ')}`)
  }
  for (const { address, attributes } of declared('aws_ecs_service'))
    if (list(attributes.network_configuration).some(config => record(config).assign_public_ip === true))
      declare('ecsServices', serviceArnOf(attributes), `${address} assigns public IPs to its tasks`)

  const entries = (kind: EntryKind) =>
    [...(reasons.get(kind) ?? new Map<string, string[]>())]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, why]) => ({ id, reason: `Declared in Terraform: ${why.join('; ')}` }))
  return {
    version: ALLOW_LIST_VERSION,
    source:
      options.source ??
      `Terraform state${state.lineage === undefined ? '' : ` ${state.lineage}`}${state.serial === undefined ? '' : ` serial ${state.serial}`}`,
    ...(options.now === undefined ? {} : { generatedAt: options.now.toISOString() }),
    buckets: entries('buckets').map(({ id, reason: why }) => ({ name: id, reason: why })),
    securityGroups: entries('securityGroups'),
    instances: entries('instances'),
    ecsServices: entries('ecsServices').map(({ id, reason: why }) => ({ arn: id, reason: why })),
  }
}
