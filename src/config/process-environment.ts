// The one place that reads the process's environment. A process parses it once at start (readEnvironment)
// and hands the typed slices down; nothing else in src/ or scripts/ reads process.env (eslint.config.js).
import { environmentFrom, parseEnvironment, type Environment, type EnvironmentResult, type ParseOptions } from './environment.js';

/** Parses this process's environment; throws one EnvironmentError naming every bad or missing variable. */
export function readEnvironment(options: ParseOptions = {}): Environment {
  return environmentFrom(process.env, options);
}

/** Parses this process's environment and returns the problems instead of throwing (`sitroom config check`). */
export function checkEnvironment(options: ParseOptions = {}): EnvironmentResult {
  return parseEnvironment(process.env, options);
}

/** The toolchain variables a child process (git, go, make) inherits: enough to build, none of our secrets. */
export const toolchainVariables = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'GOCACHE', 'GOPATH', 'GOROOT', 'GOMODCACHE', 'GOFLAGS', 'GOTOOLCHAIN'] as const;

/**
 * The named variables of this process's environment, for a child process to run with. They are the host's
 * toolchain settings, not the product's configuration, so they pass through unparsed.
 */
export function inheritedEnvironment(names: readonly (typeof toolchainVariables)[number][] = toolchainVariables): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of names) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}
