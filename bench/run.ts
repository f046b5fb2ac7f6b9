// `npm run bench`: requests per second of the catalogue requirement page and API against a bare Fastify route
// measured in the same run, with the ratios, written to bench/results/catalogue.json.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const here = path.dirname(fileURLToPath(import.meta.url))
const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)

const server = spawn(process.execPath, [path.join(here, 'server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] })
const ports = await new Promise<{ bare: number; assure: number; engine: string; cookie: string }>((resolve, reject) => {
  server.once('exit', code => reject(new Error(`benchmark server exited with ${code}`)))
  createInterface({ input: server.stdout }).once('line', line => resolve(JSON.parse(line)))
})

async function measure(name: string, url: string, headers: Record<string, string> = {}) {
  // A short warm-up so JIT and caches settle before the measured run.
  await autocannon({ url, connections, duration: 2, headers })
  const result = await autocannon({ url, connections, duration: seconds, headers })
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`)
  return {
    url: new URL(url).pathname,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99 },
    requests: result.requests.total,
  }
}

/** argon2id throughput and the password sign-in operation, in this process (the sign-in route is rate-limited per address). */
async function measurePasswords() {
  const { hashPassword, verifyPassword } = await import('../src/identity/passwords.ts')
  const concurrency = 4
  const n = 24
  let started = performance.now()
  for (let i = 0; i < n; i += 1) await hashPassword(`benchmark password ${i}`)
  const oneAtATime = n / ((performance.now() - started) / 1000)
  started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; i < n / concurrency; i += 1) await hashPassword(`benchmark password ${w}-${i}`)
    }),
  )
  const concurrent = n / ((performance.now() - started) / 1000)
  const stored = await hashPassword('benchmark sign-in password')
  started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < n / concurrency; i += 1) await verifyPassword('benchmark sign-in password', stored)
    }),
  )
  const signIns = n / ((performance.now() - started) / 1000)
  const round = (x: number) => Math.round(x * 10) / 10
  return {
    concurrency,
    hashesPerSecondOneAtATime: round(oneAtATime),
    hashesPerSecondConcurrent: round(concurrent),
    signInsPerSecond: round(signIns),
  }
}

try {
  const bare = await measure('bare', `http://127.0.0.1:${ports.bare}/bare`)
  const page = await measure(
    'requirement page',
    `http://127.0.0.1:${ports.assure}/catalogues/latest/requirements/TSC-L2-01`,
  )
  const api = await measure(
    'requirement API',
    `http://127.0.0.1:${ports.assure}/api/v1/catalogue/latest/requirements/TSC-L2-01`,
  )
  const account = await measure('authenticated page', `http://127.0.0.1:${ports.assure}/account`, {
    cookie: ports.cookie,
  })
  const passwords = await measurePasswords()
  const ratio = (x: number) => Math.round((x / bare.requestsPerSecond) * 1000) / 1000
  const report = {
    benchmark: 'catalogue',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    engine: ports.engine,
    seconds,
    connections,
    results: { bare, requirementPage: page, requirementApi: api, authenticatedPage: account, passwords },
    ratios: {
      requirementPageToBare: ratio(page.requestsPerSecond),
      requirementApiToBare: ratio(api.requestsPerSecond),
      authenticatedPageToBare: ratio(account.requestsPerSecond),
    },
  }
  mkdirSync(path.join(here, 'results'), { recursive: true })
  writeFileSync(path.join(here, 'results', 'catalogue.json'), `${JSON.stringify(report, null, 2)}\n`)
  const row = (name: string, r: typeof bare, ratioText: string) =>
    `${name.padEnd(28)} ${r.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${String(r.latencyMs.p50).padStart(3)} ms   p99 ${String(r.latencyMs.p99).padStart(3)} ms   ${ratioText}`
  process.stdout.write(
    [
      `catalogue benchmark: ${seconds}s per target, ${connections} connections, ${ports.engine}, Node ${process.version}`,
      row('bare Fastify route', bare, 'baseline'),
      row('requirement page (HTML)', page, `${report.ratios.requirementPageToBare} × bare`),
      row('requirement API (JSON)', api, `${report.ratios.requirementApiToBare} × bare`),
      row('authenticated page (/account)', account, `${report.ratios.authenticatedPageToBare} × bare`),
      `argon2id (m=19 MiB, t=2, p=1): ${passwords.hashesPerSecondOneAtATime} hashes/s one at a time, ${passwords.hashesPerSecondConcurrent} hashes/s with ${passwords.concurrency} at once`,
      `password sign-ins (the sign-in operation, ${passwords.concurrency} at once): ${passwords.signInsPerSecond}/s`,
      'written to bench/results/catalogue.json',
      '',
    ].join('\n'),
  )
} finally {
  server.kill('SIGTERM')
}
