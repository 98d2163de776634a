import { ForbiddenError, ResourceNotFoundError, TransportError, UnauthorizedError } from '@regkit/core';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from './cli-error';
import { classify, formatFailure } from './report-error';

const response = { status: 404, request: { method: 'GET', url: 'http://127.0.0.1:5000/v2/x/manifests/y' } };

describe('classify', () => {
  it('maps errors to the documented exit codes', () => {
    expect(classify(new ResourceNotFoundError(response)).exitCode).toBe(ExitCode.notFound);
    expect(classify(new UnauthorizedError({ ...response, status: 401 })).exitCode).toBe(ExitCode.auth);
    expect(classify(new ForbiddenError({ ...response, status: 403 })).exitCode).toBe(ExitCode.auth);
    expect(classify(new TransportError('connect ECONNREFUSED')).exitCode).toBe(ExitCode.failure);
    expect(classify(new CliError('bad', ExitCode.usage)).exitCode).toBe(ExitCode.usage);
    expect(classify(new Error('anything')).exitCode).toBe(ExitCode.failure);
  });

  it('names the subject, keeps one line, and adds a hint', () => {
    const failure = classify(new TransportError('connect\n ECONNREFUSED'), '127.0.0.1:1/a:b');
    const line = formatFailure('digest', failure);
    expect(line).toMatch(/^regkit digest: cannot reach the registry for 127\.0\.0\.1:1\/a:b: connect ECONNREFUSED \(hint: /);
    expect(line).not.toContain('\n');
  });
});
