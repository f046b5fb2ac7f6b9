import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { toEcs } from './ecs.ts'
import { escapeParamValue, octetCountedFrame, toSyslog } from './syslog.ts'
import { octetFrameParser, sampleEntry } from './test-support.ts'

const options = { hostname: 'assure-1.example', procId: '4242' }
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

describe('RFC 5424 syslog', () => {
  it('formats header, structured data and a BOM-marked ECS message exactly', () => {
    const entry = sampleEntry('auth.sign_in.success', 1)
    const message = toSyslog(entry, options)
    const prefix =
      '<85>1 2026-12-03T21:36:43.123Z assure-1.example assure 4242 auth ' +
      `[assure@32473 seq="1" hash="${entry.hash}" action="auth.sign_in.success" outcome="success"] `
    assert.equal(message.slice(0, prefix.length), prefix)
    const bytes = Buffer.from(message, 'utf8')
    const msgStart = Buffer.byteLength(prefix)
    assert.deepEqual(bytes.subarray(msgStart, msgStart + 3), BOM)
    assert.deepEqual(JSON.parse(bytes.subarray(msgStart + 3).toString('utf8')), toEcs(entry))
  })

  it('sets severity by outcome under facility authpriv, unless told another facility', () => {
    const pri = (message: string) => /^<(\d+)>1 /.exec(message)?.[1]
    assert.equal(pri(toSyslog(sampleEntry('auth.sign_in.success'), options)), String(10 * 8 + 5))
    assert.equal(pri(toSyslog(sampleEntry('auth.sign_in.failure'), options)), String(10 * 8 + 4))
    assert.equal(pri(toSyslog(sampleEntry('authz.denied'), options)), String(10 * 8 + 4))
    assert.equal(pri(toSyslog(sampleEntry('audit.ledger.verification_failed'), options)), String(10 * 8 + 2))
    assert.equal(pri(toSyslog(sampleEntry('auth.sign_in.success'), { ...options, facility: 13 })), String(13 * 8 + 5))
  })

  it('escapes ", \\ and ] in parameter values, and nothing else', () => {
    assert.equal(escapeParamValue('a"b\\c]d[e=f'), 'a\\"b\\\\c\\]d[e=f')
    const entry = sampleEntry('odd."action]\\x', 2)
    const message = toSyslog(entry, options)
    const data = `[assure@32473 seq="2" hash="${entry.hash}" action="odd.\\"action\\]\\\\x" outcome="success"]`
    assert.equal(message.slice(message.indexOf('['), message.indexOf('\uFEFF') - 1), data)
  })

  it('keeps header fields to printable ASCII within their lengths, with - for empty ones', () => {
    const entry = sampleEntry('identity.privileged_review.signed_off', 3)
    const message = toSyslog(entry, { hostname: 'héllo wörld', appName: '', procId: undefined })
    assert.match(message, /^<85>1 \S+ hllowrld - - identity \[/)
    const long = toSyslog(entry, { hostname: 'h'.repeat(300), appName: 'a'.repeat(60) })
    const [, , hostname, appName] = long.split(' ')
    assert.equal(hostname?.length, 255)
    assert.equal(appName?.length, 48)
  })

  it('frames by octet count: bytes, not characters, with non-ASCII text', () => {
    assert.deepEqual(octetCountedFrame('é“😀'), Buffer.from('9 é“😀', 'utf8'))
    const entry = sampleEntry('catalogue.control.created', 4, { details: { title: 'Contrôle d’accès “MFA” 🔐' } })
    const message = toSyslog(entry, options)
    const frame = octetCountedFrame(message)
    const length = Buffer.byteLength(message, 'utf8')
    assert.notEqual(length, message.length)
    assert.deepEqual(frame.subarray(0, `${length} `.length), Buffer.from(`${length} `, 'ascii'))
    assert.equal(frame.length, `${length} `.length + length)
    // Two frames back to back, split mid-character, parse back to the same messages.
    const both = Buffer.concat([frame, octetCountedFrame('second é')])
    const parse = octetFrameParser()
    const cut = frame.indexOf(Buffer.from('🔐')) + 2
    assert.deepEqual([...parse(both.subarray(0, cut)), ...parse(both.subarray(cut))], [message, 'second é'])
  })
})
