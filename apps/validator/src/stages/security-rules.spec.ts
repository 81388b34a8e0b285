import { randomBytes } from 'node:crypto';
import { findDangerousCalls } from './dangerous-apis';
import { findSecrets } from './secret-rules';

const rules = (line: string) => findSecrets(line).map((h) => h.rule.id);

describe('secret rules', () => {
  it('finds keys, tokens and private keys, masking the value', () => {
    const aws = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const [hit] = findSecrets(`const id = "${aws}";`);
    expect(hit.rule.id).toBe('aws-access-key-id');
    expect(hit.masked).not.toContain(aws.slice(2, -2));
    expect(rules('-----BEGIN OPENSSH PRIVATE KEY-----')).toEqual(['private-key']);
    expect(rules(`token: "ghp_${'a1B2c3D4e5'.repeat(4)}"`)).toContain('github-token');
    expect(rules(`const dbPassword = "${randomBytes(12).toString('base64url')}";`)).toEqual(['hard-coded-secret']);
    expect(rules(`url = "postgres://app:${randomBytes(8).toString('hex')}@db:5432/app"`)).toEqual(['credentials-in-url']);
  });

  it('leaves placeholders, references and ordinary code alone', () => {
    expect(rules('const password = process.env.DB_PASSWORD;')).toEqual([]);
    expect(rules('const apiKey = "xxxxxxxxxxxxxxxx";')).toEqual([]);
    expect(rules('const token = "${TOKEN_FROM_ENV}";')).toEqual([]);
    expect(rules('const total = subtotal(items) * 1.21;')).toEqual([]);
  });
});

describe('dangerous APIs', () => {
  const found = (source: string, file = 'src/x.ts') => findDangerousCalls(file, source).map((c) => `${c.line}:${c.rule}`);

  it('finds eval, new Function and vm execution', () => {
    expect(found('const a = 1;\neval(userInput);\nconst f = new Function("a", body);\nvm.runInNewContext(code);')).toEqual(['2:eval', '3:new-function', '4:vm-code-execution']);
  });

  it('finds child_process calls with a command built at run time, not literal ones', () => {
    const source = [
      "import { exec, execFile } from 'node:child_process';",
      "import * as cp from 'child_process';",
      "exec('ls -la');",
      'exec(`rm -rf ${dir}`);',
      'cp.execSync("git " + args);',
      "execFile('git', [userArg]);",
      'other.exec(command);',
    ].join('\n');
    expect(found(source)).toEqual(['4:child-process-dynamic', '5:child-process-dynamic']);
    expect(found("const { spawn } = require('child_process');\nspawn(cmd, { shell: true });", 'src/x.js')).toEqual(['2:child-process-dynamic']);
  });

  it('finds disabled TLS certificate checks', () => {
    const source = "https.request({ host, rejectUnauthorized: false });\nprocess.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';\nrequest({ strictSSL: false });\nconst ok = { rejectUnauthorized: true };";
    expect(found(source)).toEqual(['1:tls-verification-disabled', '2:tls-verification-disabled', '3:tls-verification-disabled']);
  });
});
