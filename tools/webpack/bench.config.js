// Bundles one benchmark (bench/<name>.ts) into dist/bench/<name>.js, with the
// same aliases and swc settings as the services. Benchmarks run on demand.
const path = require('node:path');
const appConfig = require('./app.config');

module.exports = (env = {}) => {
  if (!env.name) throw new Error('usage: webpack --config tools/webpack/bench.config.js --env name=<dir/file without .ts>');
  const base = appConfig({ app: 'orchestrator' });
  const root = base.context;
  return {
    ...base,
    entry: path.join(root, 'bench', `${env.name}.ts`),
    output: { path: path.join(root, 'dist/bench', path.dirname(env.name)), filename: `${path.basename(env.name)}.js`, clean: false },
  };
};
