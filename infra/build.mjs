// Compiles the service to plain JavaScript for production (`npm run build`, then
// `node dist/bin/tongxing.js serve`): the TypeScript loader used in development costs about
// 90 MB of memory and a worker thread that a deployed service does not need.
//
//   node infra/build.mjs [OUT_DIR]     (default dist; must sit inside the repository so that
//                                       node_modules resolve)
// The SQL migrations and the page's files are read at run time beside the code, so they are
// copied next to it.
import { execFileSync } from 'node:child_process'
import { cpSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const out = resolve(ROOT, process.argv[2] ?? 'dist')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
rmSync(out, { recursive: true, force: true })
execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' })
for (const dir of ['infra/migrations', 'dashboard/web']) cpSync(join(ROOT, dir), join(out, dir), { recursive: true })
