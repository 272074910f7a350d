/**
 * Camunda 8 variable scoping: every element instance may hold local variables; reads see the chain
 * from the element up to its process instance; writes without `local` propagate to the nearest scope
 * that already defines the variable, otherwise to the process instance (never into a calling process).
 */
import type { InstanceState, Variables } from '../types.js';

/** Scope keys from the given element instance up to (and including) its process instance. */
export function scopeChain(state: InstanceState, scopeKey: string): string[] {
  const chain: string[] = [];
  let key: string | null = scopeKey;
  while (key !== null) {
    const instance: InstanceState['elementInstances'][string] | undefined = state.elementInstances[key];
    chain.push(key);
    if (!instance) break;
    key = instance.flowScopeKey;
  }
  return chain;
}

/** All variables visible from a scope; inner scopes shadow outer ones. */
export function visibleVariables(state: InstanceState, scopeKey: string, extra?: Variables): Variables {
  const chain = scopeChain(state, scopeKey);
  const context: Variables = {};
  for (let i = chain.length - 1; i >= 0; i--) {
    const local = state.variables[chain[i]];
    if (local) Object.assign(context, local);
  }
  if (extra) Object.assign(context, extra);
  return context;
}

/** For each variable, the scope key it is written to when propagated from `scopeKey`. */
export function propagationTargets(
  state: InstanceState,
  scopeKey: string,
  names: readonly string[],
): Map<string, string> {
  const chain = scopeChain(state, scopeKey);
  const processInstanceKey = chain[chain.length - 1];
  const targets = new Map<string, string>();
  for (const name of names) {
    const defining = chain.find((key) => state.variables[key] !== undefined && name in state.variables[key]);
    targets.set(name, defining ?? processInstanceKey);
  }
  return targets;
}

/** Sets `path` (`a.b.c`) inside a copy of `root`, as Camunda 8 does for dotted mapping targets. */
export function withPath(root: Variables, path: string, value: unknown): { name: string; value: unknown } {
  const parts = path.split('.');
  if (parts.length === 1) return { name: path, value };
  const [name, ...rest] = parts;
  const base = root[name];
  const top: Record<string, unknown> =
    base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as object) } : {};
  let cursor = top;
  for (let i = 0; i < rest.length - 1; i++) {
    const next = cursor[rest[i]];
    const copy: Record<string, unknown> =
      next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as object) } : {};
    cursor[rest[i]] = copy;
    cursor = copy;
  }
  cursor[rest[rest.length - 1]] = value;
  return { name, value: top };
}
