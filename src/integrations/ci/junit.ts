// JUnit XML in and out. Prow jobs publish junit*.xml artifacts; local mode writes the same shape from
// `go test -json`, so everything downstream reads one format. The parser handles the subset CI tools
// emit (testsuites/testsuite/testcase with failure, error and skipped children); it is not a general
// XML parser and never evaluates entities beyond the five predefined ones.

export interface JUnitCase {
  suite: string;
  name: string;
  classname: string;
  timeSeconds: number;
  status: 'passed' | 'failed' | 'skipped';
  message: string;
}

export interface JUnitReport {
  cases: JUnitCase[];
  tests: number;
  failures: number;
  skipped: number;
}

const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' };
const decode = (s: string): string =>
  s.replace(/&(lt|gt|quot|apos|amp);|&#(\d+);|&#x([0-9a-f]+);/gi, (m, _n, dec?: string, hex?: string) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : (entities[m] ?? m),
  );
const encode = (s: string): string =>
  s
    // XML 1.0 forbids most control characters even when escaped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) out[m[1]!] = decode(m[3] ?? m[4] ?? '');
  return out;
}

function textOf(body: string): string {
  const cdata = [...body.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1]).join('');
  return cdata || decode(body.replace(/<[^>]+>/g, ''));
}

export class JUnitParseError extends Error {
  override readonly name = 'JUnitParseError';
}

/** One report from the JUnit files of one run (a job writes one per step). */
export function mergeJUnit(reports: JUnitReport[]): JUnitReport {
  return {
    cases: reports.flatMap((r) => r.cases),
    tests: reports.reduce((n, r) => n + r.tests, 0),
    failures: reports.reduce((n, r) => n + r.failures, 0),
    skipped: reports.reduce((n, r) => n + r.skipped, 0),
  };
}

export function parseJUnit(xml: string): JUnitReport {
  if (!/<testsuites?\b/.test(xml)) throw new JUnitParseError('not a JUnit report: no <testsuite> or <testsuites> element');
  const cases: JUnitCase[] = [];
  const suiteRe = /<testsuite\b([^>]*?)(\/>|>([\s\S]*?)<\/testsuite>)/g;
  for (const suite of xml.matchAll(suiteRe)) {
    const suiteName = attrs(suite[1]!).name ?? '';
    const body = suite[3] ?? '';
    for (const tc of body.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const a = attrs(tc[1]!);
      const inner = tc[3] ?? '';
      const fail = /<(failure|error)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/.exec(inner);
      const skipped = /<skipped\b/.test(inner);
      const message = fail ? [attrs(fail[2]!).message, textOf(fail[4] ?? '')].filter(Boolean).join('\n').trim() : '';
      cases.push({
        suite: suiteName,
        name: a.name ?? '',
        classname: a.classname ?? suiteName,
        timeSeconds: Number(a.time ?? 0) || 0,
        status: fail ? 'failed' : skipped ? 'skipped' : 'passed',
        message,
      });
    }
  }
  return {
    cases,
    tests: cases.length,
    failures: cases.filter((c) => c.status === 'failed').length,
    skipped: cases.filter((c) => c.status === 'skipped').length,
  };
}

export function renderJUnit(suites: Array<{ name: string; cases: JUnitCase[] }>): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  for (const s of suites) {
    const failures = s.cases.filter((c) => c.status === 'failed').length;
    const skipped = s.cases.filter((c) => c.status === 'skipped').length;
    const time = s.cases.reduce((t, c) => t + c.timeSeconds, 0);
    out.push(
      `  <testsuite name="${encode(s.name)}" tests="${s.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}">`,
    );
    for (const c of s.cases) {
      const open = `    <testcase name="${encode(c.name)}" classname="${encode(c.classname)}" time="${c.timeSeconds.toFixed(3)}"`;
      if (c.status === 'passed') out.push(`${open}/>`);
      else if (c.status === 'skipped') out.push(`${open}><skipped/></testcase>`);
      else out.push(`${open}><failure message="${encode(c.message.split('\n')[0] ?? '')}">${encode(c.message)}</failure></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

interface GoTestEvent {
  Action: string;
  Package?: string;
  Test?: string;
  Elapsed?: number;
  Output?: string;
}

/**
 * Converts `go test -json` output (test2json events, one per line) to JUnit: one suite per package,
 * one case per test; a package that fails to build becomes a failed case named after the package.
 */
export function goTestJsonToJUnit(jsonLines: string): string {
  const packages = new Map<string, { cases: Map<string, JUnitCase & { output: string[] }>; output: string[]; failed: boolean; hasTests: boolean }>();
  const pkg = (name: string) => {
    let p = packages.get(name);
    if (!p) packages.set(name, (p = { cases: new Map(), output: [], failed: false, hasTests: false }));
    return p;
  };
  for (const line of jsonLines.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let ev: GoTestEvent;
    try {
      ev = JSON.parse(line) as GoTestEvent;
    } catch {
      continue;
    }
    if (!ev.Package) continue;
    const p = pkg(ev.Package);
    if (!ev.Test) {
      if (ev.Action === 'output' && ev.Output) p.output.push(ev.Output);
      if (ev.Action === 'fail') p.failed = true;
      continue;
    }
    p.hasTests = true;
    let c = p.cases.get(ev.Test);
    if (!c) p.cases.set(ev.Test, (c = { suite: ev.Package, name: ev.Test, classname: ev.Package, timeSeconds: 0, status: 'passed', message: '', output: [] }));
    if (ev.Action === 'output' && ev.Output) c.output.push(ev.Output);
    if (ev.Action === 'pass' || ev.Action === 'fail' || ev.Action === 'skip') {
      c.timeSeconds = ev.Elapsed ?? 0;
      c.status = ev.Action === 'pass' ? 'passed' : ev.Action === 'skip' ? 'skipped' : 'failed';
      if (c.status === 'failed')
        c.message =
          c.output
            .filter((o) => !/^(=== RUN|--- FAIL|=== PAUSE|=== CONT)/.test(o))
            .join('')
            .trim() || `${ev.Test} failed`;
    }
  }
  const suites = [...packages.entries()]
    .filter(([, p]) => p.hasTests || p.failed)
    .map(([name, p]) => {
      const cases: JUnitCase[] = [...p.cases.values()].map(({ output: _output, ...c }) => c);
      if (p.failed && !cases.some((c) => c.status === 'failed')) {
        cases.push({
          suite: name,
          name: '[build]',
          classname: name,
          timeSeconds: 0,
          status: 'failed',
          message: p.output.join('').trim() || `package ${name} failed`,
        });
      }
      return { name, cases };
    });
  return renderJUnit(suites);
}
