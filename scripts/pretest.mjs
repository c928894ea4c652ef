// `npm test` runs every suite on a fresh checkout after `npm install`: the React 18 project
// needs its own node_modules (test/react18), so does AsyncStorage's jest mock (test/react-native,
// apart so its react-native peer is not installed), and the import test checks the built entries.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const run = (command) => execSync(command, { stdio: 'inherit' })

for (const extra of ['test/react18', 'test/react-native']) {
  if (!existsSync(`${extra}/node_modules`)) run(`npm ci --no-audit --no-fund --prefix ${extra}`)
}
run('npm run build --silent')
