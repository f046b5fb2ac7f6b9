import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadCatalogue } from '../src/catalogue/load.ts'
import type { Catalogue } from '../src/catalogue/catalogue.ts'
import { ACCOUNT_WIDE_RULES, evaluateAccount, RULE_IDS } from '../src/baseline/rules/index.ts'
import { baselineSettings, NOTHING_INTENDED, type BaselineSettings } from '../src/baseline/settings.ts'
import { seen, unseen, type AccountSnapshot, type RegionSnapshot } from '../src/baseline/snapshot.ts'
import { GLOBAL, type Evaluation } from '../src/baseline/findings.ts'
import {
  ACCOUNT,
  ROOT,
  SECURITY_BUCKET,
  bucket,
  compliantAccount,
  compliantRegion,
  daysBefore,
  resource,
  user,
} from './fixtures/baseline/accounts.ts'

const catalogue = loadCatalogue()
const settings = baselineSettings(catalogue, { securityLogBucket: SECURITY_BUCKET })

const run = (snapshot: AccountSnapshot, using: BaselineSettings = settings) => evaluateAccount(snapshot, using)
const findings = (snapshot: AccountSnapshot, ruleId: string, using: BaselineSettings = settings) =>
  run(snapshot, using)
    .filter(evaluation => evaluation.ruleId === ruleId)
    .flatMap(evaluation => evaluation.findings)
const evaluationsOf = (snapshot: AccountSnapshot, ruleId: string): Evaluation[] =>
  run(snapshot).filter(evaluation => evaluation.ruleId === ruleId)

/** The account with its first region (eu-west-2) changed. */
const withRegion = (overrides: Partial<RegionSnapshot>) =>
  compliantAccount({ regions: [compliantRegion('eu-west-2', overrides), compliantRegion('eu-west-1')] })

describe('the AWS baseline rules on a compliant account', () => {
  it('find nothing, and observe every scope', () => {
    const evaluations = run(compliantAccount())
    assert.deepEqual(
      evaluations.flatMap(evaluation => evaluation.findings),
      [],
    )
    assert.ok(evaluations.every(evaluation => evaluation.observed))
  })

  it('cover one rule per row of the guidance’s table, each a catalogue requirement', () => {
    assert.deepEqual(
      [...new Set(run(compliantAccount()).map(evaluation => evaluation.ruleId))].sort(),
      [...RULE_IDS].sort(),
    )
    const ids = new Set(catalogue.requirements.map(requirement => requirement.id))
    for (const id of RULE_IDS) assert.ok(ids.has(id), `${id} is in the catalogue`)
  })

  it('run the account-wide rules once for the account and the others once per enabled region', () => {
    const evaluations = run(compliantAccount())
    const global = evaluations.filter(evaluation => evaluation.region === GLOBAL).map(evaluation => evaluation.ruleId)
    assert.deepEqual(global.sort(), [...ACCOUNT_WIDE_RULES].sort())
    const regional = evaluations.filter(evaluation => evaluation.region !== GLOBAL)
    assert.deepEqual([...new Set(regional.map(evaluation => evaluation.region))].sort(), ['eu-west-1', 'eu-west-2'])
    for (const ruleId of RULE_IDS.filter(id => !ACCOUNT_WIDE_RULES.has(id)))
      assert.equal(regional.filter(evaluation => evaluation.ruleId === ruleId).length, 2, ruleId)
  })
})

describe('the GuardDuty rules', () => {
  it('finds a region with no detector', () => {
    const [finding] = findings(withRegion({ guardDuty: seen({ detectors: [], findings: [] }) }), 'AWS-GD-02')
    assert.equal(finding?.resourceArn, `arn:aws:guardduty:eu-west-2:${ACCOUNT}:detector/none`)
    assert.equal(finding?.region, 'eu-west-2')
  })

  it('finds a suspended detector, which the API reports as DISABLED', () => {
    const snapshot = withRegion({ guardDuty: seen({ detectors: [{ id: 'det-1', status: 'DISABLED' }], findings: [] }) })
    const [finding] = findings(snapshot, 'AWS-GD-02')
    assert.equal(finding?.resourceArn, `arn:aws:guardduty:eu-west-2:${ACCOUNT}:detector/det-1`)
    assert.deepEqual(finding?.evidence, { detectorId: 'det-1', status: 'DISABLED' })
  })

  it('alerts on findings of severity 7.0 and above (the catalogue’s HIGH), not on 6.9', () => {
    const snapshot = withRegion({
      guardDuty: seen({
        detectors: [{ id: 'det-1', status: 'ENABLED' }],
        findings: [
          { id: 'f-high', type: 'UnauthorizedAccess:EC2/SSHBruteForce', severity: 7, title: 'SSH brute force' },
          { id: 'f-medium', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 6.9, title: 'Port probe' },
          { id: 'f-critical', type: 'CryptoCurrency:EC2/BitcoinTool.B', severity: 8.8, title: 'Bitcoin tool' },
        ],
      }),
    })
    assert.deepEqual(
      findings(snapshot, 'AWS-GD-04').map(finding => finding.evidence.findingId),
      ['f-high', 'f-critical'],
    )
  })

  it('leaves a region it could not read unobserved, neither compliant nor in violation', () => {
    const [evaluation] = evaluationsOf(
      withRegion({ guardDuty: unseen('ThrottlingException: Rate exceeded') }),
      'AWS-GD-02',
    )
    assert.equal(evaluation?.observed, false)
    assert.equal(evaluation?.error, 'ThrottlingException: Rate exceeded')
    assert.deepEqual(evaluation?.findings, [])
  })
})

describe('the CloudTrail rules', () => {
  const trail = (overrides: object) =>
    compliantAccount({
      trails: seen([
        {
          name: 'organisation-trail',
          arn: `arn:aws:cloudtrail:eu-west-2:${ACCOUNT}:trail/organisation-trail`,
          homeRegion: 'eu-west-2',
          isMultiRegion: true,
          isLogging: true,
          includesManagementEvents: true,
          s3BucketName: SECURITY_BUCKET,
          latestDeliveryError: null,
          ...overrides,
        },
      ]),
    })

  it('finds a stopped trail (GetTrailStatus.IsLogging false), and so no copy to Cyber Security either', () => {
    const [finding] = findings(trail({ isLogging: false }), 'AWS-CT-02')
    assert.deepEqual(finding?.evidence, {
      trails: [
        {
          name: 'organisation-trail',
          arn: `arn:aws:cloudtrail:eu-west-2:${ACCOUNT}:trail/organisation-trail`,
          homeRegion: 'eu-west-2',
          bucket: SECURITY_BUCKET,
          problems: ['not logging'],
        },
      ],
    })
    assert.equal(findings(trail({ isLogging: false }), 'AWS-CT-03').length, 1)
  })

  it('finds a single-region trail, one without management events, and one whose delivery is failing', () => {
    assert.equal(findings(trail({ isMultiRegion: false }), 'AWS-CT-02').length, 1)
    assert.equal(findings(trail({ includesManagementEvents: false }), 'AWS-CT-02').length, 1)
    assert.equal(findings(trail({ latestDeliveryError: 'AccessDenied' }), 'AWS-CT-02').length, 1)
  })

  it('finds an account with no trail at all', () => {
    const [finding] = findings(compliantAccount({ trails: seen([]) }), 'AWS-CT-02')
    assert.equal(finding?.summary, 'The account has no CloudTrail trail')
  })

  it('finds a logging trail that delivers to the account’s own bucket, not the Cyber Security one', () => {
    const snapshot = trail({ s3BucketName: 'my-own-logs' })
    assert.equal(findings(snapshot, 'AWS-CT-02').length, 0)
    assert.equal(findings(snapshot, 'AWS-CT-03')[0]?.evidence.expectedBucket, SECURITY_BUCKET)
  })

  it('cannot judge the carbon copy without a configured security bucket', () => {
    const [evaluation] = run(compliantAccount(), baselineSettings(catalogue)).filter(e => e.ruleId === 'AWS-CT-03')
    assert.equal(evaluation?.observed, false)
    assert.match(evaluation?.error ?? '', /No Cyber Security log bucket/)
  })
})

describe('the AWS Config rule', () => {
  it('finds Security Hub’s service-linked recorder present but the account’s own missing', () => {
    const snapshot = withRegion({
      config: seen({
        recorders: [
          {
            name: 'AWSConfigurationRecorderForSecurityHub',
            recording: true,
            servicePrincipal: 'securityhub.amazonaws.com',
          },
        ],
        deliveryChannels: [],
      }),
    })
    const [finding] = findings(snapshot, 'AWS-CFG-02')
    assert.equal(finding?.summary, 'AWS Config has no recorder of the account’s own in eu-west-2')
  })

  it('finds a recorder that is stopped, and one with no delivery channel', () => {
    const stopped = withRegion({
      config: seen({
        recorders: [{ name: 'default', recording: false, servicePrincipal: null }],
        deliveryChannels: [{ name: 'default', s3BucketName: 'b' }],
      }),
    })
    assert.equal(
      findings(stopped, 'AWS-CFG-02')[0]?.summary,
      'AWS Config recorder default in eu-west-2 is not recording',
    )
    const undelivered = withRegion({
      config: seen({ recorders: [{ name: 'default', recording: true, servicePrincipal: null }], deliveryChannels: [] }),
    })
    assert.equal(findings(undelivered, 'AWS-CFG-02')[0]?.summary, 'AWS Config in eu-west-2 has no delivery channel')
  })
})

describe('the Security Hub and security contact rules', () => {
  it('finds a region where Security Hub is not enabled', () => {
    const [finding] = findings(withRegion({ securityHubEnabled: seen(false) }), 'AWS-SH-02')
    assert.equal(finding?.resourceArn, `arn:aws:securityhub:eu-west-2:${ACCOUNT}:hub/default`)
  })

  it('finds a missing security contact and a wrong one, matching the catalogue’s contact case-insensitively', () => {
    assert.equal(findings(compliantAccount({ securityContact: seen(null) }), 'AWS-CONTACT-01').length, 1)
    const wrong = compliantAccount({ securityContact: seen({ name: 'Ops', title: 'Mx', email: 'ops@example.com' }) })
    assert.match(
      findings(wrong, 'AWS-CONTACT-01')[0]?.summary ?? '',
      /ops@example.com, not OperationalSecurityTeam@justice.gov.uk/,
    )
    const cased = compliantAccount({
      securityContact: seen({
        name: 'operational security team',
        title: 'MX',
        email: 'operationalsecurityteam@JUSTICE.gov.uk',
      }),
    })
    assert.equal(findings(cased, 'AWS-CONTACT-01').length, 0)
  })
})

describe('the tagging rule', () => {
  it('finds a resource that was never tagged', () => {
    const snapshot = withRegion({ resources: seen([resource({ type: 'AWS::EC2::Volume', id: 'vol-1', tags: {} })]) })
    const [finding] = findings(snapshot, 'AWS-TAG-02')
    assert.equal(finding?.summary, 'AWS::EC2::Volume vol-1 has no tags')
    assert.deepEqual(finding?.evidence.missing, ['business-unit', 'application', 'is-production', 'owner'])
    assert.equal(finding?.evidence.neverTagged, true)
  })

  it('finds values the MoJ standard does not allow: business unit, is-production, owner format', () => {
    const tags = {
      'business-unit': 'Home Office',
      application: 'x',
      'is-production': 'yes',
      owner: 'just-an-email@justice.gov.uk',
    }
    const [finding] = findings(
      withRegion({ resources: seen([resource({ type: 'AWS::S3::Bucket', id: 'b', tags })]) }),
      'AWS-TAG-02',
    )
    assert.deepEqual(finding?.evidence.invalid, {
      'business-unit': 'Home Office',
      'is-production': 'yes',
      owner: 'just-an-email@justice.gov.uk',
    })
    assert.deepEqual(finding?.evidence.missing, [])
  })

  it('accepts every business unit the catalogue lists and ignores the default security group AWS made', () => {
    const resources = settings.businessUnits.map((unit, index) =>
      resource({
        type: 'AWS::Lambda::Function',
        id: `fn-${index}`,
        tags: { 'business-unit': unit, application: 'a', 'is-production': 'false', owner: 'Team: t@justice.gov.uk' },
      }),
    )
    assert.equal(findings(withRegion({ resources: seen(resources) }), 'AWS-TAG-02').length, 0)
    assert.equal(
      findings(compliantAccount(), 'AWS-TAG-02').length,
      0,
      'the fixture’s untagged default group is AWS-managed',
    )
  })
})

describe('the regions rule', () => {
  it('finds a resource outside the catalogue’s EU regions, but not a security group', () => {
    const snapshot = compliantAccount({
      regions: [
        compliantRegion('eu-west-2'),
        compliantRegion('us-east-1', {
          resources: seen([
            resource({ type: 'AWS::EC2::Instance', id: 'i-virginia' }, 'us-east-1'),
            resource({ type: 'AWS::EC2::SecurityGroup', id: 'sg-virginia' }, 'us-east-1'),
          ]),
        }),
      ],
    })
    const found = findings(snapshot, 'AWS-REG-02')
    assert.deepEqual(
      found.map(finding => [finding.region, finding.evidence.resourceType]),
      [['us-east-1', 'AWS::EC2::Instance']],
    )
  })
})

describe('the IAM rules', () => {
  const report = (...rows: Parameters<typeof user>[0][]) => seen([ROOT, ...rows.map(user)])

  it('finds a user idle for 30 days (the catalogue’s threshold), not one idle for 29', () => {
    const snapshot = compliantAccount({
      credentialReport: report(
        {
          user: 'idle',
          passwordLastUsed: daysBefore(30),
          accessKeys: [{ active: true, lastRotated: daysBefore(90), lastUsed: daysBefore(45) }],
        },
        { user: 'recent', passwordLastUsed: daysBefore(29) },
        {
          user: 'key-only',
          passwordEnabled: false,
          passwordLastUsed: null,
          accessKeys: [{ active: true, lastRotated: daysBefore(90), lastUsed: daysBefore(2) }],
        },
      ),
    })
    assert.deepEqual(
      findings(snapshot, 'AWS-IAM-10').map(finding => finding.evidence.user),
      ['idle'],
    )
  })

  it('counts a user who never signed in from its creation', () => {
    const snapshot = compliantAccount({
      credentialReport: report(
        { user: 'new', userCreationTime: daysBefore(3), passwordLastUsed: null },
        { user: 'forgotten', userCreationTime: daysBefore(31), passwordLastUsed: null },
      ),
    })
    const [finding] = findings(snapshot, 'AWS-IAM-10')
    assert.equal(finding?.evidence.user, 'forgotten')
    assert.equal(finding?.evidence.lastActivity, null)
  })

  it('finds console users without MFA, not API-only users', () => {
    const snapshot = compliantAccount({
      credentialReport: report(
        { user: 'no-mfa', mfaActive: false },
        { user: 'api-only', passwordEnabled: false, mfaActive: false },
      ),
    })
    assert.deepEqual(
      findings(snapshot, 'AWS-IAM-11').map(finding => finding.evidence.user),
      ['no-mfa'],
    )
  })

  it('finds root access keys', () => {
    const snapshot = compliantAccount({
      credentialReport: seen([
        { ...ROOT, accessKeys: [{ active: true, lastRotated: daysBefore(100), lastUsed: null }] },
      ]),
    })
    assert.equal(findings(snapshot, 'AWS-IAM-07')[0]?.evidence.activeKeys, 1)
  })

  describe('root use and rotation', () => {
    const usedAt = daysBefore(8)
    const rootUsedAt = { ...ROOT, passwordLastUsed: usedAt }

    it('alerts on root use at once, and on credentials not updated 7 days after it', () => {
      const snapshot = compliantAccount({ credentialReport: seen([rootUsedAt]) })
      assert.equal(findings(snapshot, 'AWS-IAM-12')[0]?.evidence.usedAt, usedAt.toISOString())
      assert.equal(findings(snapshot, 'AWS-IAM-15')[0]?.evidence.deadline, daysBefore(1).toISOString())
    })

    it('does not raise the rotation alert before 7 days have passed', () => {
      const snapshot = compliantAccount({ collectedAt: daysBefore(2), credentialReport: seen([rootUsedAt]) })
      assert.equal(findings(snapshot, 'AWS-IAM-12').length, 1)
      assert.equal(findings(snapshot, 'AWS-IAM-15').length, 0)
    })

    it('takes root’s password change from CloudTrail, since the report says not_supported; a change before the use does not count', () => {
      const before = compliantAccount({
        credentialReport: seen([rootUsedAt]),
        rootPasswordChanges: seen([daysBefore(9)]),
      })
      assert.equal(findings(before, 'AWS-IAM-15').length, 1)
      const after = compliantAccount({
        credentialReport: seen([rootUsedAt]),
        rootPasswordChanges: seen([daysBefore(7)]),
      })
      assert.equal(findings(after, 'AWS-IAM-12').length, 0)
      assert.equal(findings(after, 'AWS-IAM-15').length, 0)
    })

    it('clears once credentials are rotated, even late: the scan before the rotation found it, the one after does not', () => {
      const lateRotation = daysBefore(0.5)
      const beforeRotation = compliantAccount({ collectedAt: daysBefore(1), credentialReport: seen([rootUsedAt]) })
      assert.equal(findings(beforeRotation, 'AWS-IAM-15').length, 1)
      const afterRotation = compliantAccount({
        credentialReport: seen([rootUsedAt]),
        rootPasswordChanges: seen([lateRotation]),
      })
      assert.equal(findings(afterRotation, 'AWS-IAM-15').length, 0)
    })

    it('counts a root access key rotated after the use as an update', () => {
      const snapshot = compliantAccount({
        credentialReport: seen([
          {
            ...ROOT,
            passwordLastUsed: null,
            accessKeys: [{ active: true, lastRotated: daysBefore(3), lastUsed: daysBefore(8) }],
          },
        ]),
      })
      assert.equal(findings(snapshot, 'AWS-IAM-15').length, 0)
    })

    it('cannot judge rotation when CloudTrail could not be read', () => {
      const snapshot = compliantAccount({
        credentialReport: seen([rootUsedAt]),
        rootPasswordChanges: unseen('AccessDenied'),
      })
      const [evaluation] = evaluationsOf(snapshot, 'AWS-IAM-15')
      assert.equal(evaluation?.observed, false)
    })
  })
})

describe('the S3 rules', () => {
  const withBucket = (overrides: Parameters<typeof bucket>[0], account = {}) =>
    compliantAccount({ buckets: seen([bucket(overrides)]), ...account })
  const openAccount = { accountPublicAccessBlock: seen(null) }

  it('finds a bucket without default encryption, and SSE-S3 only where KMS is required', () => {
    assert.equal(findings(withBucket({ name: 'plain', defaultEncryption: null }), 'AWS-ENC-03').length, 1)
    assert.equal(findings(withBucket({ name: 'sse-s3', defaultEncryption: 'AES256' }), 'AWS-ENC-03').length, 0)
    const kmsOnly = baselineSettings(catalogue, { encryption: 'sse-kms' })
    const [finding] = findings(withBucket({ name: 'sse-s3', defaultEncryption: 'AES256' }), 'AWS-ENC-03', kmsOnly)
    assert.equal(finding?.summary, 'S3 bucket sse-s3 uses AES256; SSE-KMS is required')
  })

  it('finds public ACLs, public objects and a public policy that no Public Access Block neutralises', () => {
    const open = {
      publicAccessBlock: null,
      aclPublicGrantees: ['http://acs.amazonaws.com/groups/global/AllUsers'],
      publicObjectKeys: ['report.pdf'],
      policyIsPublic: true,
    }
    const [finding] = findings(withBucket({ name: 'leaky', ...open }, openAccount), 'AWS-S3W-02')
    assert.deepEqual(finding?.evidence.exposure, ['bucket ACL', 'object ACLs', 'bucket policy'])
  })

  it('does not count public ACLs the account’s IgnorePublicAcls neutralises, but still a public policy', () => {
    const account = {
      accountPublicAccessBlock: seen({
        blockPublicAcls: false,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      }),
    }
    const [finding] = findings(
      withBucket(
        { name: 'half', publicAccessBlock: null, aclPublicGrantees: ['AllUsers'], policyIsPublic: true },
        account,
      ),
      'AWS-S3W-02',
    )
    assert.deepEqual(finding?.evidence.exposure, ['bucket policy'])
  })

  it('leaves a bucket declared public in infrastructure-as-code alone', () => {
    const intended = { ...NOTHING_INTENDED, buckets: new Set(['public-website']) }
    const using = baselineSettings(catalogue, { securityLogBucket: SECURITY_BUCKET, intended })
    const snapshot = withBucket({ name: 'public-website', publicAccessBlock: null, policyIsPublic: true }, openAccount)
    assert.equal(findings(snapshot, 'AWS-S3W-02', using).length, 0)
    assert.equal(findings(snapshot, 'AWS-S3W-02').length, 1)
  })
})

describe('the compute rule', () => {
  const exposed = (overrides: Partial<RegionSnapshot> = {}) =>
    withRegion({
      instances: seen([
        {
          id: 'i-web',
          arn: `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-web`,
          state: 'running',
          publicIp: '203.0.113.10',
          securityGroupIds: ['sg-web'],
        },
      ]),
      securityGroups: seen([
        {
          id: 'sg-web',
          arn: `arn:aws:ec2:eu-west-2:${ACCOUNT}:security-group/sg-web`,
          ingress: [
            { ruleId: 'sgr-https', protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0', cidrIpv6: null },
            { ruleId: 'sgr-ssh6', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: null, cidrIpv6: '::/0' },
            {
              ruleId: 'sgr-office',
              protocol: 'tcp',
              fromPort: 22,
              toPort: 22,
              cidrIpv4: '198.51.100.0/24',
              cidrIpv6: null,
            },
          ],
        },
      ]),
      ...overrides,
    })

  it('finds an instance with a public IP behind a group open to 0.0.0.0/0 or ::/0, naming the rules and common ports', () => {
    const [finding] = findings(exposed(), 'AWS-CMP-04')
    assert.equal(finding?.resourceArn, `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-web`)
    assert.deepEqual(
      (finding?.evidence.openRules as Array<{ ruleId: string }>).map(rule => rule.ruleId),
      ['sgr-https', 'sgr-ssh6'],
    )
    assert.deepEqual(finding?.evidence.commonServicePorts, ['TCP443'])
  })

  it('does not count an instance without a public IP, or one declared intended', () => {
    assert.equal(findings(compliantAccount(), 'AWS-CMP-04').length, 0)
    const intended = { ...NOTHING_INTENDED, instances: new Set(['i-web']) }
    assert.equal(findings(exposed(), 'AWS-CMP-04', baselineSettings(catalogue, { intended })).length, 0)
  })

  it('finds an ECS service assigning public IPs', () => {
    const snapshot = withRegion({
      ecsServices: seen([{ arn: `arn:aws:ecs:eu-west-2:${ACCOUNT}:service/main/public-api`, assignPublicIp: true }]),
    })
    assert.equal(findings(snapshot, 'AWS-CMP-04')[0]?.summary, 'ECS service public-api gives its tasks public IPs')
  })

  it('is unobserved when the security groups could not be read', () => {
    const [evaluation] = evaluationsOf(exposed({ securityGroups: unseen('RequestLimitExceeded') }), 'AWS-CMP-04')
    assert.equal(evaluation?.observed, false)
  })
})

describe('the baseline settings', () => {
  it('take every number from the catalogue', () => {
    const original = catalogue.parameters.get('aws-iam-idle-threshold')
    assert.ok(original?.type === 'duration')
    const changed: Catalogue = {
      ...catalogue,
      parameters: new Map(catalogue.parameters).set('aws-iam-idle-threshold', { ...original, value: 'P60D' }),
    }
    const snapshot = compliantAccount({
      credentialReport: seen([ROOT, user({ user: 'idle', passwordLastUsed: daysBefore(45) })]),
    })
    assert.equal(findings(snapshot, 'AWS-IAM-10').length, 1)
    assert.equal(findings(snapshot, 'AWS-IAM-10', baselineSettings(changed)).length, 0)
  })
})
