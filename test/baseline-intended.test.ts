import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import {
  AllowListError,
  allowListFromTerraformState,
  parseAllowList,
  type AllowListErrorKind,
} from '../src/baseline/intended.ts'
import { evaluateAccount } from '../src/baseline/rules/index.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { seen, type AccountSnapshot } from '../src/baseline/snapshot.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import {
  ACCOUNT,
  SCANNED_AT,
  SECURITY_BUCKET,
  bucket,
  compliantAccount,
  compliantRegion,
} from './fixtures/baseline/accounts.ts'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/baseline/${name}`, import.meta.url), 'utf8')
const STATE = fixture('terraform-public.tfstate.json')

const WEB_SG = 'sg-0a1b2c3d4e5f60718'
const BASTION_SG = 'sg-0123456789abcdef0'
const LEGACY_SG = 'sg-0aaaabbbbccccdddd'
const PUBLIC_API = `arn:aws:ecs:eu-west-2:${ACCOUNT}:service/main/public-api`

/** Asserts the call throws an AllowListError of this kind, with exactly these problems. */
function assertRefused(
  call: () => unknown,
  kind: AllowListErrorKind,
  message: string,
  problems?: ReadonlyArray<{ path: string; message: string }>,
) {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof AllowListError)
    assert.equal(error.kind, kind)
    assert.equal(error.code, 'VALIDATION_FAILED')
    assert.equal(error.message, message)
    if (problems !== undefined) assert.deepEqual(error.problems, problems)
    return true
  })
}

const validList = {
  version: 1,
  source: 'github.com/ministryofjustice/case-notes-infra (main)',
  buckets: [{ name: 'moj-case-notes-public-assets', reason: 'Static assets served through CloudFront' }],
  securityGroups: [{ id: WEB_SG, reason: 'Public load balancer listener' }],
  instances: [{ id: 'i-0abc1234def567890', reason: 'SFTP endpoint agreed with the Authority', expires: '2027-03-31' }],
  ecsServices: [{ arn: PUBLIC_API, reason: 'Public API' }],
}

describe('parsing an allow-list', () => {
  it('reads every kind of entry into the intended sets, with its source', () => {
    const parsed = parseAllowList(JSON.stringify(validList), SCANNED_AT)
    assert.equal(parsed.source, 'github.com/ministryofjustice/case-notes-infra (main)')
    assert.deepEqual(parsed.buckets, new Set(['moj-case-notes-public-assets']))
    assert.deepEqual(parsed.securityGroups, new Set([WEB_SG]))
    assert.deepEqual(parsed.instances, new Set(['i-0abc1234def567890']))
    assert.deepEqual(parsed.ecsServices, new Set([PUBLIC_API]))
    assert.deepEqual(parsed.expired, [])
  })

  it('treats a missing kind as an empty list', () => {
    const parsed = parseAllowList({ version: 1, source: 'manual' }, SCANNED_AT)
    assert.equal(parsed.buckets.size + parsed.securityGroups.size + parsed.instances.size + parsed.ecsServices.size, 0)
  })

  it('refuses text that is not JSON', () => {
    assertRefused(
      () => parseAllowList('{"version": 1,', SCANNED_AT),
      'invalid-json',
      'The allow-list is not valid JSON',
    )
  })

  it('refuses another format version', () => {
    assertRefused(
      () => parseAllowList({ ...validList, version: 2 }, SCANNED_AT),
      'invalid-allow-list',
      'The allow-list is not valid',
      [{ path: 'version', message: 'This allow-list format version is not supported: use version 1' }],
    )
  })

  it('lists every invalid entry with where it is and what is wrong', () => {
    assertRefused(
      () =>
        parseAllowList(
          {
            version: 1,
            source: ' ',
            buckets: [{ name: 'Case_Notes', reason: 'x' }],
            securityGroups: [{ id: 'web', reason: '' }],
            instances: [{ id: 'i-0abc1234def567890', reason: 'x', expires: 'next March' }],
            ecsServices: [{ arn: PUBLIC_API, reason: 'x', owner: 'me' }],
          },
          SCANNED_AT,
        ),
      'invalid-allow-list',
      'The allow-list is not valid',
      [
        { path: 'source', message: 'Enter where the allow-list came from' },
        { path: 'buckets.0.name', message: 'Enter an S3 bucket name, such as moj-public-assets' },
        { path: 'securityGroups.0.id', message: 'Enter a security group ID, such as sg-0123456789abcdef0' },
        { path: 'securityGroups.0.reason', message: 'Enter why the resource is meant to be public' },
        {
          path: 'instances.0.expires',
          message: 'Expiry must be a date such as 2027-03-31 or a date and time such as 2027-03-31T17:00:00Z',
        },
        { path: 'ecsServices.0.owner', message: 'owner is not a recognised field' },
      ],
    )
  })

  it('refuses a resource listed twice', () => {
    assertRefused(
      () =>
        parseAllowList(
          { ...validList, securityGroups: [...validList.securityGroups, { id: WEB_SG, reason: 'again' }] },
          SCANNED_AT,
        ),
      'invalid-allow-list',
      'The allow-list is not valid',
      [{ path: 'securityGroups.1', message: `${WEB_SG} is listed more than once` }],
    )
  })

  it('ignores and reports entries past their expiry: a date holds to the end of that day', () => {
    const parsed = parseAllowList(
      {
        version: 1,
        source: 'manual',
        buckets: [
          { name: 'moj-expired-yesterday', reason: 'Campaign site', expires: '2026-12-03' },
          { name: 'moj-expires-today', reason: 'Campaign site', expires: '2026-12-04' },
        ],
        instances: [{ id: 'i-0abc1234def567890', reason: 'Migration', expires: '2026-12-04T08:59:59Z' }],
        securityGroups: [{ id: WEB_SG, reason: 'Load balancer', expires: '2026-12-04T09:00:01+00:00' }],
      },
      SCANNED_AT,
    )
    assert.deepEqual(parsed.buckets, new Set(['moj-expires-today']))
    assert.deepEqual(parsed.instances, new Set())
    assert.deepEqual(parsed.securityGroups, new Set([WEB_SG]))
    assert.deepEqual(parsed.expired, [
      { kind: 'buckets', id: 'moj-expired-yesterday', reason: 'Campaign site', expires: '2026-12-03' },
      { kind: 'instances', id: 'i-0abc1234def567890', reason: 'Migration', expires: '2026-12-04T08:59:59Z' },
    ])
  })
})

describe('generating an allow-list from Terraform state', () => {
  const generated = allowListFromTerraformState(STATE, { now: SCANNED_AT })
  const ids = <T>(entries: readonly T[] | undefined, key: keyof T) => (entries ?? []).map(entry => entry[key])

  it('declares exactly the public buckets: canned ACL (both styles), Principal "*" policy, all blocks off', () => {
    assert.deepEqual(ids(generated.buckets, 'name'), [
      'moj-case-notes-public-assets',
      'moj-downloads',
      'moj-legacy-site',
      'moj-open-data',
    ])
    assert.deepEqual(generated.buckets?.[0], {
      name: 'moj-case-notes-public-assets',
      reason: 'Declared in Terraform: aws_s3_bucket_acl.public_assets grants public access',
    })
  })

  it('leaves out a private bucket, a policy for one role, and a Principal "*" allow conditioned on a VPC endpoint', () => {
    const names = ids(generated.buckets, 'name')
    assert.ok(!names.includes('case-notes-store'))
    assert.ok(!names.includes('moj-reports'))
  })

  it('declares groups open to 0.0.0.0/0 or ::/0 from inline ingress and both kinds of rule resource, not internal ones', () => {
    assert.deepEqual(ids(generated.securityGroups, 'id'), [BASTION_SG, WEB_SG, LEGACY_SG])
    // The internal group's only world CIDR is an egress rule; the shared group is a data source, not declared here.
    assert.deepEqual(generated.securityGroups?.[0], {
      id: BASTION_SG,
      reason: 'Declared in Terraform: aws_vpc_security_group_ingress_rule.bastion_ssh allows ingress from the internet',
    })
  })

  it('declares instances with a public IP in a public group, named by module address and index', () => {
    assert.deepEqual(generated.instances, [
      {
        id: 'i-0abc1234def567890',
        reason: `Declared in Terraform: module.web.aws_instance.web[0] has a public IP in ${WEB_SG}`,
      },
      {
        id: 'i-0abc1234def567891',
        reason: `Declared in Terraform: module.web.aws_instance.web[1] has a public IP in ${WEB_SG}`,
      },
    ])
  })

  it('declares ECS services that assign public IPs, by ARN', () => {
    assert.deepEqual(generated.ecsServices, [
      { arn: PUBLIC_API, reason: 'Declared in Terraform: aws_ecs_service.public_api assigns public IPs to its tasks' },
    ])
  })

  it('writes a file parseAllowList reads back, sourced from the state’s lineage and serial', () => {
    assert.equal(generated.source, 'Terraform state 5d3e6a1c-2f0b-4c8e-9a7d-1b2c3d4e5f60 serial 42')
    assert.equal(generated.generatedAt, '2026-12-04T09:00:00.000Z')
    const parsed = parseAllowList(JSON.stringify(generated), SCANNED_AT)
    assert.equal(parsed.buckets.size, 4)
    assert.equal(parsed.securityGroups.size, 3)
  })

  it('declares nothing for a state with no public resources', () => {
    const empty = allowListFromTerraformState({ version: 4, serial: 1, lineage: 'l', resources: [] }, { source: 'x' })
    assert.deepEqual(empty, {
      version: 1,
      source: 'x',
      buckets: [],
      securityGroups: [],
      instances: [],
      ecsServices: [],
    })
  })

  it('refuses the pre-0.12 state format, text that is not JSON, and JSON that is not a state', () => {
    assertRefused(
      () => allowListFromTerraformState(fixture('terraform-v3.tfstate.json')),
      'unsupported-state-version',
      'Terraform state format version 3 is not supported: only version 4 (Terraform 0.12 and later) is read',
    )
    assertRefused(
      () => allowListFromTerraformState('not json'),
      'invalid-json',
      'The Terraform state is not valid JSON',
    )
    assertRefused(
      () => allowListFromTerraformState({ version: 4, resources: 'none' }),
      'invalid-state',
      'The file is not a Terraform state',
    )
    assertRefused(
      () => allowListFromTerraformState({ resources: [] }),
      'invalid-state',
      'The file is not a Terraform state',
      [{ path: 'version', message: 'Invalid input: expected number, received undefined' }],
    )
  })
})

describe('the rules with a generated allow-list', () => {
  const catalogue = loadCatalogue()
  const region = 'eu-west-2'
  const worldRule = (ruleId: string) => ({
    ruleId,
    protocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    cidrIpv4: '0.0.0.0/0',
    cidrIpv6: null,
  })
  const instance = (id: string, groups: string[]) => ({
    id,
    arn: `arn:aws:ec2:${region}:${ACCOUNT}:instance/${id}`,
    state: 'running',
    publicIp: '18.130.10.20',
    securityGroupIds: groups,
  })
  const group = (id: string) => ({
    id,
    arn: `arn:aws:ec2:${region}:${ACCOUNT}:security-group/${id}`,
    ingress: [worldRule(`sgr-${id}`)],
  })
  /** Public resources: some declared in the state fixture, some made by hand in the console. */
  const snapshot: AccountSnapshot = compliantAccount({
    accountPublicAccessBlock: seen(null),
    buckets: seen([
      bucket({ name: 'moj-downloads', publicAccessBlock: null, policyIsPublic: true }),
      bucket({ name: 'case-notes-store', publicAccessBlock: null, policyIsPublic: true }),
    ]),
    regions: [
      compliantRegion(region, {
        instances: seen([
          instance('i-0abc1234def567890', [WEB_SG]),
          instance('i-0eee5555fff666777', ['sg-0ddddeeeeffff0000']),
        ]),
        securityGroups: seen([group(WEB_SG), group('sg-0ddddeeeeffff0000')]),
        ecsServices: seen([
          { arn: PUBLIC_API, assignPublicIp: true },
          { arn: `arn:aws:ecs:${region}:${ACCOUNT}:service/main/console-made`, assignPublicIp: true },
        ]),
      }),
      compliantRegion('eu-west-1'),
    ],
  })
  const worldFindings = (intended?: ReturnType<typeof parseAllowList>) =>
    evaluateAccount(
      snapshot,
      baselineSettings(catalogue, {
        securityLogBucket: SECURITY_BUCKET,
        ...(intended === undefined ? {} : { intended }),
      }),
    )
      .filter(evaluation => evaluation.ruleId === 'AWS-S3W-02' || evaluation.ruleId === 'AWS-CMP-04')
      .flatMap(evaluation => evaluation.findings.map(finding => finding.resourceArn))
      .sort()

  it('removes exactly the findings the infrastructure-as-code declares', () => {
    const intended = parseAllowList(JSON.stringify(allowListFromTerraformState(STATE)), SCANNED_AT)
    assert.deepEqual(worldFindings(), [
      `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0abc1234def567890`,
      `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0eee5555fff666777`,
      `arn:aws:ecs:${region}:${ACCOUNT}:service/main/console-made`,
      PUBLIC_API,
      'arn:aws:s3:::case-notes-store',
      'arn:aws:s3:::moj-downloads',
    ])
    assert.deepEqual(worldFindings(intended), [
      `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0eee5555fff666777`,
      `arn:aws:ecs:${region}:${ACCOUNT}:service/main/console-made`,
      'arn:aws:s3:::case-notes-store',
    ])
  })
})
