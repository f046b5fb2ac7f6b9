import type { Evaluation } from '../findings.ts'
import type { BaselineSettings } from '../settings.ts'
import type { IngressRule, RegionSnapshot } from '../snapshot.ts'
import { both, evaluate } from './evaluate.ts'

const WORLD_V4 = '0.0.0.0/0'
const WORLD_V6 = '::/0'

/** True for an ingress rule open to the whole internet. */
export const openToWorld = (rule: IngressRule) => rule.cidrIpv4 === WORLD_V4 || rule.cidrIpv6 === WORLD_V6

/** Whether a rule admits a port written as the catalogue writes them (`TCP80`); protocol -1 admits every port. */
export function admitsPort(rule: IngressRule, port: string): boolean {
  const match = /^(TCP|UDP)(\d+)$/.exec(port)
  if (match === null) return false
  const [, protocol = '', number = ''] = match
  if (rule.protocol === '-1') return true
  if (rule.protocol.toUpperCase() !== protocol && rule.protocol !== (protocol === 'TCP' ? '6' : '17')) return false
  const wanted = Number(number)
  return (rule.fromPort ?? 0) <= wanted && wanted <= (rule.toPort ?? 65535)
}

/**
 * Guidance, 'World' Access (compute): instances "should not be directly accessible from public networks unless
 * through specific intentional design": an instance with a public IP behind a security group open to 0.0.0.0/0 or
 * ::/0, and ECS services giving their tasks public IPs, unless declared intended. The evidence names the offending
 * rule IDs (what remediation revokes) and whether a common service port (TCP80, TCP443) is served directly.
 */
export function computeNotPublic(accountId: string, region: RegionSnapshot, settings: BaselineSettings): Evaluation {
  const { intended } = settings
  return evaluate(
    { ruleId: 'AWS-CMP-04', accountId, region: region.region },
    both(both(region.instances, region.securityGroups), region.ecsServices),
    ([[instances, groups], services]) => {
      const byId = new Map(groups.map(group => [group.id, group]))
      const fromInstances = instances
        .filter(
          instance =>
            instance.publicIp !== null && instance.state !== 'terminated' && !intended.instances.has(instance.id),
        )
        .flatMap(instance => {
          const open = instance.securityGroupIds
            .filter(id => !intended.securityGroups.has(id))
            .flatMap(id => (byId.get(id)?.ingress ?? []).filter(openToWorld).map(rule => ({ groupId: id, rule })))
          if (open.length === 0) return []
          const commonPorts = settings.commonServicePorts.filter(port =>
            open.some(({ rule }) => admitsPort(rule, port)),
          )
          return [
            {
              resourceArn: instance.arn,
              summary: `EC2 instance ${instance.id} is reachable from the internet at ${instance.publicIp ?? ''}`,
              evidence: {
                instanceId: instance.id,
                publicIp: instance.publicIp,
                openRules: open.map(({ groupId, rule }) => ({
                  groupId,
                  ruleId: rule.ruleId,
                  protocol: rule.protocol,
                  fromPort: rule.fromPort,
                  toPort: rule.toPort,
                })),
                commonServicePorts: commonPorts,
              },
            },
          ]
        })
      const fromServices = services
        .filter(service => service.assignPublicIp && !intended.ecsServices.has(service.arn))
        .map(service => ({
          resourceArn: service.arn,
          summary: `ECS service ${service.arn.split('/').at(-1) ?? service.arn} gives its tasks public IPs`,
          evidence: { service: service.arn, assignPublicIp: true },
        }))
      return [...fromInstances, ...fromServices]
    },
  )
}
