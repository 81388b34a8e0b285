import { parseValidationSection, ValidationConfigError } from './validation-config';

describe('validation.allow_protected_paths', () => {
  it('defaults to none and takes relative globs', () => {
    expect(parseValidationSection(undefined).allow_protected_paths).toEqual([]);
    expect(parseValidationSection('validation:\n  allow_protected_paths: [".github/workflows/**", Jenkinsfile]\n').allow_protected_paths).toEqual(['.github/workflows/**', 'Jenkinsfile']);
  });

  it('names the entry that is not a relative glob', () => {
    expect(() => parseValidationSection('validation:\n  allow_protected_paths: ["/etc/**"]\n')).toThrow(ValidationConfigError);
    expect(() => parseValidationSection('validation:\n  allow_protected_paths: ["/etc/**"]\n')).toThrow(
      'autocode.yaml: validation.allow_protected_paths.0: must be a glob relative to the repository root (no leading /, no ..)',
    );
    expect(() => parseValidationSection('validation:\n  allow_protected_paths: .github\n')).toThrow(/validation\.allow_protected_paths: /);
  });

  it('refuses a misspelt key rather than ignoring it', () => {
    expect(() => parseValidationSection('validation:\n  allowProtectedPaths: [".github/**"]\n')).toThrow(/allowProtectedPaths/);
  });
});
