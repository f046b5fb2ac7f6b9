import type { Evaluation } from '../findings.ts'
import type { BaselineSettings } from '../settings.ts'
import type { InventoryResource, RegionSnapshot } from '../snapshot.ts'
import { evaluate } from './evaluate.ts'

/**
 * The MoJ infrastructure ownership standard's rules for the mandatory tags: `business-unit` one of the catalogue's
 * business units, `is-production` exactly `true` or `false`, `owner` as `<team>: <email>`, `application` not empty.
 * Optional tags (environment-name, component, infrastructure-support, runbook, source-code) are not required.
 */
const OWNER = /^[^:]+: [^@\s]+@[^@\s]+\.[^@\s]+$/

const VALUE_RULES: Record<string, (value: string, settings: Pick<BaselineSettings, 'businessUnits'>) => boolean> = {
  'business-unit': (value, settings) => settings.businessUnits.includes(value),
  'is-production': value => value === 'true' || value === 'false',
  owner: value => OWNER.test(value),
}

/** The mandatory tags a resource lacks, and those it has with a value the standard does not allow. */
export function tagProblems(
  tags: Readonly<Record<string, string>>,
  settings: Pick<BaselineSettings, 'mandatoryTags' | 'businessUnits'>,
): { missing: string[]; invalid: Record<string, string> } {
  const missing: string[] = []
  const invalid: Record<string, string> = {}
  for (const key of settings.mandatoryTags) {
    const value = tags[key]
    if (value === undefined || value.trim() === '') {
      missing.push(key)
      continue
    }
    if (!(VALUE_RULES[key]?.(value, settings) ?? true)) invalid[key] = value
  }
  return { missing, invalid }
}

const counted = (resource: InventoryResource) => !resource.managedByAws

/**
 * Guidance, Tagging: "All relevant AWS objects are tagged as per MoJ requirements." The inventory includes resources
 * that were never tagged (an empty tag map), which the Resource Groups Tagging API alone would not list.
 */
export function resourcesTagged(accountId: string, region: RegionSnapshot, settings: BaselineSettings): Evaluation {
  return evaluate({ ruleId: 'AWS-TAG-02', accountId, region: region.region }, region.resources, resources =>
    resources.filter(counted).flatMap(resource => {
      const { missing, invalid } = tagProblems(resource.tags, settings)
      if (missing.length === 0 && Object.keys(invalid).length === 0) return []
      const neverTagged = Object.keys(resource.tags).length === 0
      return [
        {
          resourceArn: resource.arn,
          summary: neverTagged
            ? `${resource.type} ${resource.id} has no tags`
            : `${resource.type} ${resource.id} lacks ${[...missing, ...Object.keys(invalid).map(key => `a valid ${key}`)].join(', ')}`,
          evidence: { resourceType: resource.type, missing, invalid, neverTagged, owner: resource.tags.owner ?? null },
        },
      ]
    }),
  )
}

/**
 * Guidance, Regions: "No AWS account can create resources outside of AWS EU regions." Security groups are left out:
 * they hold no data and run nothing to shut down, and every region has a default one AWS made.
 */
export function resourcesInEuRegions(
  accountId: string,
  region: RegionSnapshot,
  settings: BaselineSettings,
): Evaluation {
  return evaluate({ ruleId: 'AWS-REG-02', accountId, region: region.region }, region.resources, resources =>
    resources
      .filter(resource => counted(resource) && resource.type !== 'AWS::EC2::SecurityGroup')
      .filter(resource => !settings.euRegions.includes(resource.region))
      .map(resource => ({
        resourceArn: resource.arn,
        region: resource.region,
        summary: `${resource.type} ${resource.id} is in ${resource.region}, outside the EU regions`,
        evidence: { resourceType: resource.type, region: resource.region, owner: resource.tags.owner ?? null },
      })),
  )
}
