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
const ports = await new Promise<{ bare: number; assure: number; engine: string }>((resolve, reject) => {
  server.once('exit', code => reject(new Error(`benchmark server exited with ${code}`)))
  createInterface({ input: server.stdout }).once('line', line => resolve(JSON.parse(line)))
})

async function measure(name: string, url: string) {
  // A short warm-up so JIT and caches settle before the measured run.
  await autocannon({ url, connections, duration: 2 })
  const result = await autocannon({ url, connections, duration: seconds })
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`)
  return {
    url: new URL(url).pathname,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99 },
    requests: result.requests.total,
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
  const ratio = (x: number) => Math.round((x / bare.requestsPerSecond) * 1000) / 1000
  const report = {
    benchmark: 'catalogue',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    engine: ports.engine,
    seconds,
    connections,
    results: { bare, requirementPage: page, requirementApi: api },
    ratios: {
      requirementPageToBare: ratio(page.requestsPerSecond),
      requirementApiToBare: ratio(api.requestsPerSecond),
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
      'written to bench/results/catalogue.json',
      '',
    ].join('\n'),
  )
} finally {
  server.kill('SIGTERM')
}
