import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import type { LedgerEntry } from '../entry.ts'
import { ecsNdjsonLine, toEcs } from './ecs.ts'
import { SAMPLE_ACTIONS, sampleEntry } from './test-support.ts'

interface AllowedValue {
  readonly name: string
  readonly expected_event_types?: readonly string[]
}
interface FieldDefinition {
  readonly type: string
  readonly normalize: readonly string[]
  readonly allowed_values?: readonly AllowedValue[]
}
interface Fixture {
  readonly source: { readonly repository: string; readonly path: string; readonly commit: string }
  readonly fields: Readonly<Record<string, FieldDefinition>>
}

const fixture = JSON.parse(readFileSync(new URL('./ecs-fields.fixture.json', import.meta.url), 'utf8')) as Fixture

/** Dotted ECS names of every leaf, stopping at our own `assure.*` namespace. */
function leaves(document: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(document).flatMap(([key, value]): Array<[string, unknown]> => {
    const name = `${prefix}${key}`
    if (name === 'assure') return []
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return leaves(value as Record<string, unknown>, `${name}.`)
    return [[name, value]]
  })
}

function keysOf(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return []
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)])
}

function assertType(name: string, type: string, value: unknown): void {
  const where = `${name} = ${JSON.stringify(value)}`
  if (type === 'keyword' || type === 'match_only_text') assert.equal(typeof value, 'string', where)
  else if (type === 'long') assert.ok(Number.isSafeInteger(value), where)
  else if (type === 'ip') assert.ok(typeof value === 'string' && isIP(value) !== 0, where)
  else if (type === 'date')
    assert.ok(typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value), where)
  else assert.fail(`No check for type ${type} (${name})`)
}

/** Every sample action, with the outcomes, actors and missing fields the ledger can hold. */
function samples(): LedgerEntry[] {
  return SAMPLE_ACTIONS.flatMap((action, index) => [
    sampleEntry(action, index * 4 + 1),
    sampleEntry(action, index * 4 + 2, { outcome: 'failure', reason: 'it failed "badly"' }),
    sampleEntry(action, index * 4 + 3, { outcome: 'denied', reason: 'needs a role' }),
    sampleEntry(action, index * 4 + 4, {
      actorType: 'token',
      actorId: 'token-9',
      ip: '2001:db8::1',
      sessionRef: null,
      targetType: null,
      targetId: null,
    }),
  ])
}

describe('ECS mapping', () => {
  it('records where its field definitions came from', () => {
    assert.equal(fixture.source.repository, 'elastic/ecs')
    assert.equal(fixture.source.path, 'generated/ecs/ecs_flat.yml')
    assert.match(fixture.source.commit, /^[0-9a-f]{40}$/)
  })

  it('emits only official ECS fields, each of its official type, outside assure.*', () => {
    for (const entry of samples()) {
      for (const [name, value] of leaves(toEcs(entry))) {
        const definition = fixture.fields[name]
        assert.ok(definition !== undefined, `${entry.action}: ${name} is not in the ECS fixture`)
        if (definition.normalize.includes('array')) {
          assert.ok(Array.isArray(value) && value.length > 0, `${name} must be a non-empty array`)
          for (const item of value as unknown[]) assertType(name, definition.type, item)
        } else {
          assertType(name, definition.type, value)
        }
      }
    }
  })

  it('uses only allowed categorisation values, and only the event types ECS expects with each category', () => {
    const allowed = (field: string) => fixture.fields[field]?.allowed_values ?? []
    const names = (field: string) => allowed(field).map(value => value.name)
    const expectedTypes = new Map(allowed('event.category').map(value => [value.name, value.expected_event_types]))
    for (const entry of samples()) {
      const event = toEcs(entry).event as { kind: string; category: string[]; type: string[]; outcome: string }
      assert.ok(names('event.kind').includes(event.kind), `${entry.action}: kind ${event.kind}`)
      assert.ok(names('event.outcome').includes(event.outcome), `${entry.action}: outcome ${event.outcome}`)
      for (const type of event.type) assert.ok(names('event.type').includes(type), `${entry.action}: type ${type}`)
      for (const category of event.category) {
        assert.ok(names('event.category').includes(category), `${entry.action}: category ${category}`)
        for (const type of event.type) {
          assert.ok(expectedTypes.get(category)?.includes(type), `${entry.action}: ${category} does not expect ${type}`)
        }
      }
    }
  })

  it('nests objects rather than writing dotted keys', () => {
    for (const entry of samples()) {
      for (const key of keysOf(toEcs(entry))) assert.ok(key === '@timestamp' || !key.includes('.'), key)
    }
  })

  it('maps a failed sign-in to the account it tried, as a failed authentication start', () => {
    const document = toEcs(sampleEntry('auth.sign_in.failure', 7))
    assert.deepEqual(document.event, {
      kind: 'event',
      category: ['authentication'],
      type: ['start'],
      action: 'auth.sign_in.failure',
      outcome: 'failure',
      id: sampleEntry('auth.sign_in.failure', 7).hash,
      sequence: 7,
      reason: 'wrong password',
      dataset: 'assure.audit',
      provider: 'assure',
    })
    assert.deepEqual(document.user, { id: 'user-2' })
    assert.deepEqual(document.source, { ip: '203.0.113.7' })
    assert.equal(document['@timestamp'], '2026-12-03T21:36:49.123Z')
  })

  it('maps a refusal to failure, a broken ledger to an alert, and keeps what ECS cannot hold under assure.*', () => {
    const denied = toEcs(sampleEntry('authz.denied', 3))
    assert.deepEqual((denied.event as Record<string, unknown>).type, ['access', 'denied'])
    assert.equal((denied.event as Record<string, unknown>).outcome, 'failure')
    const broken = toEcs(sampleEntry('audit.ledger.verification_failed', 4))
    assert.equal((broken.event as Record<string, unknown>).kind, 'alert')
    const roles = toEcs(sampleEntry('identity.roles.changed', 5))
    assert.deepEqual(roles.user, { id: 'user-1', target: { id: 'user-2' } })
    assert.deepEqual(roles.organization, { id: 'org-1' })
    assert.deepEqual(roles.http, { request: { id: 'req-5' } })
    assert.deepEqual(roles.assure, {
      actor: { type: 'user', id: 'user-1' },
      session: { ref: 'sess-ab12' },
      target: { type: 'user', id: 'user-2' },
      ledger: { sequence: 5, hash: sampleEntry('x', 5).hash, prev_hash: sampleEntry('x', 4).hash },
      details: { from: ['reader'], to: ['reader', 'administrator'] },
    })
  })

  it('keeps a malformed address out of source.ip, where it would reject the document', () => {
    const document = toEcs(sampleEntry('auth.sign_in.success', 1, { ip: 'not-an-ip' }))
    assert.equal(document.source, undefined)
    assert.deepEqual((document.assure as Record<string, unknown>).source, { address: 'not-an-ip' })
  })

  it('writes one document per NDJSON line', () => {
    const entry = sampleEntry('letter.issued', 2, { details: { note: 'line\nbreak' } })
    const line = ecsNdjsonLine(entry)
    assert.equal(line.indexOf('\n'), line.length - 1)
    assert.deepEqual(JSON.parse(line), toEcs(entry))
  })
})
