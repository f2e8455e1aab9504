// The run's last line: which tests were skipped for want of Chromium, PostgreSQL or docker-compose, and
// the command that enables each. Reads the notes test/support/requirements.ts gives skipped tests.
import type { Reporter, TestModule } from 'vitest/node';
import { requirementOfNote, requirementTable, substituteAnnotation, type RequirementName } from './requirement-table.js';

export default class SkipSummary implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = new Map<RequirementName, number>();
    const substituted = new Map<RequirementName, number>();
    const add = (counts: Map<RequirementName, number>, name: RequirementName | undefined) => name && counts.set(name, (counts.get(name) ?? 0) + 1);
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'skipped') add(skipped, requirementOfNote(result.note));
        for (const a of test.annotations()) if (a.type === substituteAnnotation) add(substituted, requirementOfNote(a.message));
      }
    }
    const names = [...new Set([...skipped.keys(), ...substituted.keys()])];
    if (!names.length) return;
    const total = [...skipped.values()].reduce((a, b) => a + b, 0);
    const parts = names.map((name) => {
      const counted = [skipped.get(name) ? `${skipped.get(name)} skipped` : '', substituted.get(name) ? `${substituted.get(name)} ran a step without it` : '']
        .filter(Boolean)
        .join(', ');
      return `${requirementTable[name].label}: ${counted} (enable: ${requirementTable[name].enable})`;
    });
    process.stdout.write(
      `Skipped ${total} test${total === 1 ? '' : 's'} for what this machine lacks — ${parts.join('; ')}. \`bash .ci/run\` (root, Debian) installs everything and runs all tests.\n`,
    );
  }
}
