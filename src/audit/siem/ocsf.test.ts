import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { OCSF_VERSION, toOcsf } from './ocsf.ts'
import { SAMPLE_ACTIONS, sampleEntry } from './test-support.ts'

describe('OCSF mapping', () => {
  it('picks the class and activity for each kind of action', () => {
    const expected: Array<[string, number, number]> = [
      ['auth.sign_in.success', 3002, 1],
      ['auth.sign_in.failure', 3002, 1],
      ['identity.api_token.used', 3002, 1],
      ['auth.sign_out', 3002, 2],
      ['auth.session.ended', 3002, 2],
      ['identity.person.disconnected', 3002, 2],
      ['auth.step_up', 3002, 99],
      ['identity.person.invited', 3001, 1],
      ['identity.person.joined', 3001, 2],
      ['identity.person.reactivated', 3001, 2],
      ['identity.person.suspended', 3001, 5],
      ['auth.lockout', 3001, 9],
      ['auth.account.locked', 3001, 9],
      ['auth.mfa.added', 3001, 10],
      ['auth.mfa.removed', 3001, 11],
      ['auth.unlock', 3001, 12],
      ['auth.account.unlocked', 3001, 12],
      ['auth.recovery_codes.issued', 3001, 99],
      ['identity.roles.changed', 3005, 1],
      ['authz.denied', 6003, 0],
      ['identity.api_token.created', 6003, 1],
      ['identity.api_token.revoked', 6003, 4],
      ['audit.ledger.read', 6003, 2],
      ['identity.pending_change.approved', 6003, 3],
      ['catalogue.control.created', 6003, 1],
      ['something.entirely.new', 6003, 3],
    ]
    for (const [action, classUid, activityId] of expected) {
      const event = toOcsf(sampleEntry(action, 1))
      assert.equal(event.class_uid, classUid, action)
      assert.equal(event.activity_id, activityId, action)
      assert.equal(event.type_uid, classUid * 100 + activityId, action)
      assert.equal(event.category_uid, Math.floor(classUid / 1000), action)
    }
  })

  it('tells assigning privileges from revoking them', () => {
    const revoked = toOcsf(
      sampleEntry('identity.roles.changed', 2, { details: { from: ['reader', 'administrator'], to: ['reader'] } }),
    )
    assert.equal(revoked.type_uid, 300502)
    assert.deepEqual(revoked.privileges, ['administrator'])
    assert.deepEqual(toOcsf(sampleEntry('identity.roles.changed', 3)).privileges, ['administrator'])
  })

  it('fills the attributes OCSF requires for every action and outcome', () => {
    for (const action of SAMPLE_ACTIONS) {
      for (const outcome of ['success', 'failure', 'denied'] as const) {
        const entry = sampleEntry(action, 9, { outcome })
        const event = toOcsf(entry)
        const where = `${action} ${outcome}`
        for (const key of ['class_uid', 'category_uid', 'activity_id', 'type_uid', 'severity_id', 'time', 'status_id'])
          assert.equal(typeof event[key], 'number', `${where}: ${key}`)
        assert.equal(event.time, Date.parse(entry.at), where)
        assert.equal(event.status_id, outcome === 'success' ? 1 : 2, where)
        assert.deepEqual(
          event.metadata,
          {
            version: OCSF_VERSION,
            product: { name: 'Assure', vendor_name: 'UK Ministry of Justice' },
            uid: entry.hash,
            sequence: 9,
            log_name: 'assure.audit',
            ...(entry.requestId === null ? {} : { correlation_uid: entry.requestId }),
          },
          where,
        )
        assert.ok(event.actor !== undefined && event.src_endpoint !== undefined, where)
        assert.deepEqual((event.unmapped as Record<string, unknown>).ledger, {
          sequence: 9,
          hash: entry.hash,
          prev_hash: entry.prevHash,
        })
        if (event.class_uid === 6003) assert.equal((event.api as { operation: string }).operation, action, where)
        else assert.ok(event.user !== undefined, `${where}: user`)
        if (event.class_uid === 3002) assert.ok(event.service !== undefined, `${where}: service or dst_endpoint`)
        if (event.class_uid === 3005) assert.ok(Array.isArray(event.privileges), `${where}: privileges`)
      }
    }
  })

  it('names who acted and where from', () => {
    const event = toOcsf(sampleEntry('identity.roles.changed', 4))
    assert.deepEqual(event.actor, {
      user: { uid: 'user-1', type_id: 1, type: 'User', org: { uid: 'org-1' } },
      session: { uid: 'sess-ab12' },
    })
    assert.deepEqual(event.user, { uid: 'user-2', type_id: 1, type: 'User' })
    assert.deepEqual(event.src_endpoint, { ip: '203.0.113.7' })
    const job = toOcsf(sampleEntry('audit.ledger.pruned', 5))
    assert.deepEqual(job.actor, { app_name: 'audit-retention' })
    assert.deepEqual(job.src_endpoint, { name: 'assure' })
    assert.equal(toOcsf(sampleEntry('audit.ledger.verification_failed', 6)).severity_id, 5)
  })
})
