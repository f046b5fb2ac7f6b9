import type { Evaluation } from '../findings.ts'
import { GLOBAL } from '../findings.ts'
import type { BaselineSettings } from '../settings.ts'
import type { AccountSnapshot, RegionSnapshot, Trail } from '../snapshot.ts'
import { evaluate, type Problem } from './evaluate.ts'

/**
 * The detective services the guidance wants "on all accounts, in all regions, all of the time" (GuardDuty,
 * Config, Security Hub), CloudTrail with its carbon copy to Cyber Security, and the security contact.
 */

/** Guidance, GuardDuty: enabled in every region. A suspended detector is reported by the API as DISABLED. */
export function guardDutyEnabled(accountId: string, region: RegionSnapshot): Evaluation {
  return evaluate({ ruleId: 'AWS-GD-02', accountId, region: region.region }, region.guardDuty, ({ detectors }) => {
    if (detectors.length === 0)
      return [
        {
          resourceArn: `arn:aws:guardduty:${region.region}:${accountId}:detector/none`,
          summary: `GuardDuty has no detector in ${region.region}`,
          evidence: { detectors: 0 },
        },
      ]
    if (detectors.some(detector => detector.status === 'ENABLED')) return []
    return detectors.map(detector => ({
      resourceArn: `arn:aws:guardduty:${region.region}:${accountId}:detector/${detector.id}`,
      summary: `GuardDuty detector ${detector.id} in ${region.region} is suspended`,
      evidence: { detectorId: detector.id, status: detector.status },
    }))
  })
}

/** Guidance, GuardDuty: alerts fire "for at least HIGH and above" findings (severity from the catalogue, 7.0). */
export function guardDutyHighFindings(
  accountId: string,
  region: RegionSnapshot,
  settings: BaselineSettings,
): Evaluation {
  return evaluate(
    { ruleId: 'AWS-GD-04', accountId, region: region.region },
    region.guardDuty,
    ({ detectors, findings }) => {
      const detectorId = detectors[0]?.id ?? 'none'
      return findings
        .filter(finding => finding.severity >= settings.guardDutyAlertSeverity)
        .map(finding => ({
          resourceArn: `arn:aws:guardduty:${region.region}:${accountId}:detector/${detectorId}/finding/${finding.id}`,
          summary: `GuardDuty ${finding.severity.toFixed(1)}: ${finding.title}`,
          evidence: {
            findingId: finding.id,
            type: finding.type,
            severity: finding.severity,
            ...(finding.resourceArn === undefined ? {} : { affectedResource: finding.resourceArn }),
          },
        }))
    },
  )
}

/** What is wrong with a trail, if anything, as the guidance's "enabled ... all of the time" reads it. */
function trailProblems(trail: Trail): string[] {
  const problems: string[] = []
  if (!trail.isMultiRegion) problems.push('not multi-region')
  if (!trail.isLogging) problems.push('not logging')
  if (!trail.includesManagementEvents) problems.push('management events not recorded')
  if (trail.latestDeliveryError !== null) problems.push(`delivery failing: ${trail.latestDeliveryError}`)
  return problems
}

const trailEvidence = (trails: readonly Trail[]) =>
  trails.map(trail => ({
    name: trail.name,
    // The ARN and home region let remediation send StartLogging where CloudTrail answers for the trail.
    arn: trail.arn,
    homeRegion: trail.homeRegion,
    bucket: trail.s3BucketName,
    problems: trailProblems(trail),
  }))

/** Guidance, CloudTrail: enabled in the account all of the time — a multi-region trail logging management events. */
export function cloudTrailLogging(snapshot: AccountSnapshot): Evaluation {
  const { accountId } = snapshot
  return evaluate({ ruleId: 'AWS-CT-02', accountId, region: GLOBAL }, snapshot.trails, trails => {
    if (trails.some(trail => trailProblems(trail).length === 0)) return []
    return [
      {
        resourceArn: `arn:aws:cloudtrail::${accountId}:trail/*`,
        summary:
          trails.length === 0
            ? 'The account has no CloudTrail trail'
            : 'No multi-region trail is logging the account’s management events',
        evidence: { trails: trailEvidence(trails) },
      },
    ]
  })
}

/**
 * Guidance, CloudTrail: logs "carbon copied to an AWS account controlled by Cyber Security": a working trail delivers
 * to the configured security bucket. Without a configured bucket the rule cannot judge, so it reports unobserved.
 */
export function cloudTrailCopy(snapshot: AccountSnapshot, settings: BaselineSettings): Evaluation {
  const { accountId } = snapshot
  const scope = { ruleId: 'AWS-CT-03', accountId, region: GLOBAL }
  const bucket = settings.securityLogBucket
  if (bucket === null)
    return { ...scope, observed: false, error: 'No Cyber Security log bucket is configured', findings: [] }
  return evaluate(scope, snapshot.trails, trails => {
    if (trails.some(trail => trailProblems(trail).length === 0 && trail.s3BucketName === bucket)) return []
    return [
      {
        resourceArn: `arn:aws:cloudtrail::${accountId}:trail/*`,
        summary: `No working trail delivers to the Cyber Security bucket ${bucket}`,
        evidence: { expectedBucket: bucket, trails: trailEvidence(trails) },
      },
    ]
  })
}

function recorderSummary(own: number, recording: number, name: string, region: string): string {
  if (own === 0) return `AWS Config has no recorder of the account’s own in ${region}`
  if (recording === 0) return `AWS Config recorder ${name} in ${region} is not recording`
  return `AWS Config in ${region} has no delivery channel`
}

/**
 * Guidance, Config: enabled all of the time. Only the account's own recorder counts: a service-linked recorder
 * (Security Hub's, for one) records for that service alone, and Security Hub's Config.1 control is not relied on.
 */
export function configRecording(accountId: string, region: RegionSnapshot): Evaluation {
  return evaluate({ ruleId: 'AWS-CFG-02', accountId, region: region.region }, region.config, config => {
    const own = config.recorders.filter(recorder => recorder.servicePrincipal === null)
    const recording = own.filter(recorder => recorder.recording)
    if (recording.length > 0 && config.deliveryChannels.length > 0) return []
    const name = own[0]?.name ?? 'none'
    const problem: Problem = {
      resourceArn: `arn:aws:config:${region.region}:${accountId}:configuration-recorder/${name}`,
      summary: recorderSummary(own.length, recording.length, name, region.region),
      evidence: {
        recorders: config.recorders.map(recorder => ({ ...recorder })),
        deliveryChannels: config.deliveryChannels.length,
      },
    }
    return [problem]
  })
}

/** Guidance, SecurityHub: enabled on all accounts, in all regions. */
export function securityHubEnabled(accountId: string, region: RegionSnapshot): Evaluation {
  return evaluate({ ruleId: 'AWS-SH-02', accountId, region: region.region }, region.securityHubEnabled, enabled =>
    enabled
      ? []
      : [
          {
            resourceArn: `arn:aws:securityhub:${region.region}:${accountId}:hub/default`,
            summary: `Security Hub is not enabled in ${region.region}`,
            evidence: { enabled: false },
          },
        ],
  )
}

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/** Guidance, Security incidents: the Cyber Security team is the account's security contact (catalogue contact). */
export function securityContact(snapshot: AccountSnapshot, settings: BaselineSettings): Evaluation {
  const { accountId } = snapshot
  const expected = settings.securityContact
  return evaluate({ ruleId: 'AWS-CONTACT-01', accountId, region: GLOBAL }, snapshot.securityContact, found => {
    const matches =
      found !== null &&
      sameText(found.name, expected.name) &&
      sameText(found.title, expected.title) &&
      sameText(found.email, expected.email)
    if (matches) return []
    return [
      {
        resourceArn: `arn:aws:account::${accountId}:alternate-contact/SECURITY`,
        summary:
          found === null
            ? 'The account has no security alternate contact'
            : `The security contact is ${found.email}, not ${expected.email}`,
        evidence: { expected: { ...expected }, found: found === null ? null : { ...found } },
      },
    ]
  })
}
