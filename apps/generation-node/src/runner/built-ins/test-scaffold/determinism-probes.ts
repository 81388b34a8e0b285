import Module from 'node:module';

// The builtin modules themselves, not an interop copy (`import * as` would copy their properties): the probes replace their functions for every user.
const crypto = require('node:crypto') as typeof import('node:crypto');
const dgram = require('node:dgram') as typeof import('node:dgram');
const dns = require('node:dns') as typeof import('node:dns');
const http = require('node:http') as typeof import('node:http');
const https = require('node:https') as typeof import('node:https');
const net = require('node:net') as typeof import('node:net');

/**
 * What a call reached for that makes its result depend on the moment or
 * the machine: the clock, randomness, the network. Installed once in the
 * recording process (a child of the sandboxed runner, never the service),
 * before the repository's module loads, so that destructured imports
 * (`const { randomUUID } = require('crypto')`) see the probes too.
 */
export type Nondeterminism = 'reads the clock' | 'uses randomness' | 'uses the network';

let active: Set<Nondeterminism> | undefined;
let installed = false;

/** Runs `call`, returning what nondeterministic sources it (or work it started before settling) touched. */
export async function watchNondeterminism<T>(call: () => Promise<T>): Promise<{ result: T; touched: Nondeterminism[] }> {
  const touched = new Set<Nondeterminism>();
  active = touched;
  try {
    return { result: await call(), touched: [...touched] };
  } finally {
    active = undefined;
  }
}

export function installDeterminismProbes(): void {
  if (installed) return;
  installed = true;
  const note = (kind: Nondeterminism) => active?.add(kind);
  const wrap = <O extends object>(owner: O, key: keyof O & string, kind: Nondeterminism) => {
    const original = owner[key];
    if (typeof original !== 'function') return;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      note(kind);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
    try {
      Object.defineProperty(owner, key, { value: wrapped, writable: true, configurable: true, enumerable: Object.getOwnPropertyDescriptor(owner, key)?.enumerable ?? true });
    } catch {
      // A frozen owner keeps its original: a call through it goes unnoticed, and the two runs still compare its results.
    }
  };

  const RealDate = Date;
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      if (args.length === 0) note('reads the clock');
      return Reflect.construct(target, args, newTarget) as object;
    },
    apply(target, thisArg, args) {
      note('reads the clock');
      return Reflect.apply(target, thisArg, args) as unknown;
    },
  });
  wrap(RealDate, 'now', 'reads the clock');
  wrap(globalThis.performance, 'now', 'reads the clock');
  wrap(process, 'hrtime', 'reads the clock');
  wrap(process.hrtime, 'bigint', 'reads the clock');
  wrap(process, 'uptime', 'reads the clock');

  wrap(Math, 'random', 'uses randomness');
  for (const key of ['randomBytes', 'randomUUID', 'randomInt', 'randomFill', 'randomFillSync', 'getRandomValues', 'pseudoRandomBytes'] as const) wrap(crypto, key, 'uses randomness');
  if (globalThis.crypto) {
    wrap(globalThis.crypto, 'getRandomValues', 'uses randomness');
    wrap(globalThis.crypto, 'randomUUID', 'uses randomness');
  }

  wrap(net.Socket.prototype, 'connect', 'uses the network');
  for (const module of [http, https]) {
    wrap(module, 'request', 'uses the network');
    wrap(module, 'get', 'uses the network');
  }
  wrap(dns, 'lookup', 'uses the network');
  wrap(dns, 'resolve', 'uses the network');
  wrap(dns.promises, 'lookup', 'uses the network');
  wrap(dgram, 'createSocket', 'uses the network');
  if (typeof globalThis.fetch === 'function') wrap(globalThis, 'fetch', 'uses the network');
  // ES modules importing these builtins by name see the probes only after this.
  Module.syncBuiltinESMExports();
}
