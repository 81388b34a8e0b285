// Bundles one service (its code and our libs) into dist/apps/<app>/main.js.
// node_modules stay external: the image installs them, the bundle requires them.
// swc-loader keeps decorator metadata, which Nest's dependency injection reads.
const path = require('node:path');
const fs = require('node:fs');
const nodeExternals = require('webpack-node-externals');

const root = path.resolve(__dirname, '../..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));

const alias = {};
for (const [name, [target]] of Object.entries(compilerOptions.paths)) alias[name] = path.join(root, target);

module.exports = (env = {}) => {
  const app = env.app;
  if (!app) throw new Error('usage: webpack --env app=<name>');
  return {
    mode: 'production',
    target: 'node20',
    context: root,
    entry: { main: path.join(root, 'apps', app, 'src/main.ts'), ...extraEntries(app) },
    output: { path: path.join(root, 'dist/apps', app), filename: '[name].js', clean: true },
    devtool: 'source-map',
    optimization: { minimize: false },
    resolve: { extensions: ['.ts', '.js'], alias },
    externalsPresets: { node: true },
    externals: [nodeExternals({ modulesDir: path.join(root, 'node_modules') })],
    module: {
      rules: [{ test: /\.ts$/, exclude: /node_modules/, use: { loader: 'swc-loader', options: { ...swcrc, swcrc: false } } }],
    },
    stats: 'errors-warnings',
  };
};

// Other programs an app ships beside main.js (e.g. a runner it starts as a
// child process): each apps/<app>/src/<name>.entry.ts becomes <name>.js.
function extraEntries(app) {
  const src = path.join(root, 'apps', app, 'src');
  return Object.fromEntries(
    fs
      .readdirSync(src)
      .filter((file) => file.endsWith('.entry.ts'))
      .map((file) => [file.slice(0, -'.entry.ts'.length), path.join(src, file)]),
  );
}
