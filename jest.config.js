// Runs every project's tests in one jest invocation (see scripts/test.sh).
const fs = require('node:fs');
const path = require('node:path');

const projects = [];
for (const group of ['libs', 'apps']) {
  const dir = path.join(__dirname, group);
  if (!fs.existsSync(dir)) continue;
  for (const name of fs.readdirSync(dir)) {
    if (fs.existsSync(path.join(dir, name, 'jest.config.js'))) projects.push(`<rootDir>/${group}/${name}`);
  }
}

module.exports = { projects };
