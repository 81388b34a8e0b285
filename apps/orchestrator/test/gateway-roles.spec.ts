import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type ExecutionContext, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ApiKeyGuard, ApiKeyRing, type Role } from '@autocode/auth';
import { HealthController } from '@autocode/runtime';

const SRC = join(__dirname, '../src');

function controllerFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? controllerFiles(join(dir, entry.name)) : entry.name.endsWith('.controller.ts') ? [join(dir, entry.name)] : [],
  );
}

interface Route {
  method: string;
  path: string;
  role: Role | undefined;
}

/** Every route of every controller, with the role the gateway's guard (as the app wires it) demands. */
function routes(): Route[] {
  const guard = new ApiKeyGuard(new Reflector(), ApiKeyRing.empty(), { defaultRole: 'viewer', publicControllers: [HealthController] });
  const controllers: Type[] = controllerFiles(SRC).flatMap((file) =>
    Object.values(require(file) as Record<string, unknown>).filter((value): value is Type => typeof value === 'function' && Reflect.hasMetadata(PATH_METADATA, value)),
  );
  return [...controllers, HealthController].flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller));
    return Object.getOwnPropertyNames(controller.prototype)
      .map((name) => controller.prototype[name] as unknown)
      .filter((handler): handler is (...args: unknown[]) => unknown => typeof handler === 'function' && Reflect.hasMetadata(METHOD_METADATA, handler))
      .map((handler) => {
        const context = { getHandler: () => handler, getClass: () => controller } as unknown as ExecutionContext;
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler));
        return {
          method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number],
          path: `/${[base, sub].filter((p) => p && p !== '/').join('/')}`,
          role: guard.requiredRole(context),
        };
      });
  });
}

/**
 * The gateway's role policy, read from the controllers' own metadata through
 * the guard's decision, so a new controller or route cannot slip in open.
 */
describe('orchestrator gateway roles', () => {
  const all = routes();
  const list = (filter: (r: Route) => boolean) => all.filter(filter).map((r) => `${r.method} ${r.path}`).sort();

  it('finds the controllers of every *.controller.ts file (about forty routes)', () => {
    expect(controllerFiles(SRC).map((f) => relative(SRC, f)).length).toBeGreaterThanOrEqual(7);
    expect(all.length).toBeGreaterThanOrEqual(40);
  });

  it('leaves only the health probes open', () => {
    expect(list((r) => r.role === undefined)).toEqual(['GET /health/live', 'GET /health/ready']);
  });

  it('lets viewers read; every mutation needs an operator at least', () => {
    expect(list((r) => r.method !== 'GET' && r.role === 'viewer')).toEqual([]);
    expect(list((r) => r.method === 'GET' && r.role !== 'viewer' && r.role !== undefined)).toEqual(['GET /api/audit']);
    expect(all.find((r) => r.path === '/api/audit')?.role).toBe('operator');
    expect(list((r) => r.path === '/api/queue/pause' || r.path === '/api/tasks' || r.path === '/api/trigger-generation').filter((r) => !r.startsWith('GET'))).toEqual([
      'POST /api/queue/pause',
      'POST /api/tasks',
      'POST /api/trigger-generation',
    ]);
  });

  it('keeps registering workflow definitions to admins', () => {
    expect(list((r) => r.role === 'admin')).toEqual(['POST /api/workflows']);
    expect(all.find((r) => r.method === 'POST' && r.path === '/api/workflows/:name/runs')?.role).toBe('operator');
  });
});
