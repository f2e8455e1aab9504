// Schemas for the configuration that lives with the code it governs: .rh-agentic/team.yaml and
// .rh-agentic/roles/<developer>.yaml in the target repository. Pure zod, shared by the loader, the
// workflows (as plain data) and the tests.
import { z } from 'zod';
import { activityKinds, executionModes, urgencies } from '../contracts/vocabulary.js';
import { unsafeRegexReason } from '../domain/safe-regex.js';
import { allowListEntryProblem } from './command-entry.js';

export const ExecutionMode = z.enum(executionModes);
export type ExecutionMode = z.infer<typeof ExecutionMode>;

/** The activities a mode can be set for; a phase maps to one of them. */
export const ActivityKind = z.enum(activityKinds);
export type ActivityKind = z.infer<typeof ActivityKind>;

export const Urgency = z.enum(urgencies);
export type Urgency = z.infer<typeof Urgency>;

export const deliveries = ['silent', 'notification', 'immediate'] as const;
export const Delivery = z.enum(deliveries);
export type Delivery = z.infer<typeof Delivery>;

const durationPattern = /^(\d+)(s|m|h|d)$/;
/** "90s", "30m", "4h", "2d" → milliseconds. */
export const Duration = z
  .string()
  .regex(durationPattern, 'must be a duration like "30m", "4h" or "2d"')
  .transform((s) => {
    const [, n, unit] = durationPattern.exec(s)!;
    const factor = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 's' | 'm' | 'h' | 'd'];
    return Number(n) * factor;
  });

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time like "08:30"');
const developerId = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lower-case id like "maria" or "sam-lee"');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as "Europe/Madrid"');

export const TeamConfig = z
  .object({
    team: z.string().min(1),
    target: z.strictObject({
      repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be "owner/name"'),
      default_branch: z.string().default('main'),
    }),
    domain_models: z.array(z.string().min(1)).min(1),
    pattern_library: z.string().default('.rh-agentic/patterns'),
    personas: z
      .array(z.strictObject({ id: z.string().min(1), description: z.string().min(1), explanation_level: z.enum(['beginner', 'intermediate', 'expert']) }))
      .min(1),
    sdlc: z.strictObject({
      hierarchy: z.array(z.string().min(1)).min(1),
      phases: z.array(z.strictObject({ id: z.string().min(1), activity: ActivityKind, gate: z.boolean().default(true) })).min(1),
    }),
    modes: z.strictObject({
      default: ExecutionMode,
      per_activity: z.partialRecord(ActivityKind, ExecutionMode).default({}),
    }),
    approvals: z.strictObject({
      approvers: z.array(developerId).default([]),
      use_owners_files: z.boolean().default(true),
      backup_approver: developerId.optional(),
      gate_reminder_after: Duration.prefault('4h'),
      gate_escalate_after: Duration.prefault('24h'),
    }),
    ci: z.strictObject({
      platforms: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            kind: z.enum(['prow', 'github-actions', 'local']),
            retrigger_job: z.string().default('/test {job}'),
            retrigger_all: z.string().default('/retest-required'),
            /** Jobs (Prow job names) that must pass before a phase's PR may merge; `[unit]` when absent. */
            required_jobs: z.array(z.string().min(1)).min(1).optional(),
          }),
        )
        .min(1),
      /**
       * OpenShift CI's test history: the Sippy instance, the release whose report is imported, and the
       * repository's jobs/variants to narrow it to (Sippy's `variants` column); imported on a Schedule.
       */
      sippy: z
        .strictObject({
          url: z.url().default('https://sippy.dptools.openshift.org'),
          release: z.string().min(1),
          variants: z.array(z.string().min(1)).default([]),
          import_every: Duration.prefault('6h'),
        })
        .optional(),
      flake_handling: z.strictObject({
        window_runs: z.number().int().min(3).max(500).default(30),
        min_failure_rate: z.number().min(0).max(1).default(0.05),
        max_retries: z.number().int().min(0).max(5).default(2),
        known_signatures: z
          .array(
            z.strictObject({
              test: z.string().min(1),
              // `/regex/flags` or a substring; a regex that would backtrack without bound is refused here.
              pattern: z
                .string()
                .min(1)
                .superRefine((p, ctx) => {
                  const regex = /^\/(.+)\/[a-z]*$/.exec(p);
                  const unsafe = regex ? unsafeRegexReason(regex[1]!) : undefined;
                  if (unsafe) ctx.addIssue({ code: 'custom', message: `regular expression refused: ${unsafe}` });
                }),
            }),
          )
          .default([]),
      }),
    }),
    codegen: z.strictObject({
      api: z.string().min(1),
      verify: z.string().min(1),
      test: z.string().min(1),
    }),
    agent: z.strictObject({
      // Exact commands or patterns of them (`go test ./hypershift-operator/controllers/nodepool/...`); an entry
      // the matcher could never use safely is refused here, at its line, rather than skipped at run time.
      allowed_commands: z
        .array(
          z
            .string()
            .min(1)
            .superRefine((entry, ctx) => {
              const problem = allowListEntryProblem(entry);
              if (problem) ctx.addIssue({ code: 'custom', message: `"${entry}": ${problem}` });
            }),
        )
        .min(1),
      token_budget_per_work_item: z.number().int().positive(),
      budget_warn_fraction: z.number().min(0.1).max(1).default(0.8),
      // Every command RH-A runs is confined by the OS sandbox (no network, no secrets, read-only outside the
      // worktree); where none is available commands are refused unless the team opts out here explicitly:
      // `when-available` confines where bubblewrap exists and runs unconfined (and says so in the evidence)
      // elsewhere; `off` never confines.
      sandbox: z.enum(['required', 'when-available', 'off']).default('required'),
      // Seconds each command may run before it is killed; a command not listed gets default_command_timeout.
      default_command_timeout: z
        .number()
        .int()
        .min(1)
        .max(24 * 3600)
        .default(600),
      command_timeouts: z
        .record(
          z.string().min(1),
          z
            .number()
            .int()
            .min(1)
            .max(24 * 3600),
        )
        .default({}),
    }),
    notifications: z
      .strictObject({
        digest_time: clockTime.default('16:30'),
        alerts_channel: z.string().min(1).default('#sitroom-alerts'),
      })
      .default({ digest_time: '16:30', alerts_channel: '#sitroom-alerts' }),
    knowledge: z
      .strictObject({
        // A tier-2 experience entry seen this many times (the same step forgotten in that many runs) is proposed
        // to the curators for the pattern library.
        promotion_threshold: z.number().int().min(1).max(1000).default(3),
        // How often approved entries are checked for references that no longer resolve (a Temporal Schedule);
        // a stale entry is proposed for retirement.
        staleness_scan_every: z
          .string()
          .regex(/^\d+\s*(m|h|d)$/, 'must be a duration like "24h", "30m" or "7d"')
          .default('24h'),
      })
      .default({ promotion_threshold: 3, staleness_scan_every: '24h' }),
    jira: z
      .strictObject({
        // A Bug linked to a merged work item's ticket (or its stories) within this many days of the merge is
        // recorded as that merge's follow-up-bug outcome for calibration, checked on a Schedule.
        follow_up_bug_window_days: z.number().int('must be a whole number of days').min(1).max(365).default(14),
        follow_up_check_every: Duration.prefault('6h'),
      })
      .prefault({}),
  })
  .strict();
export type TeamConfig = z.output<typeof TeamConfig>;

export const RoleFile = z
  .object({
    developer: developerId,
    display_name: z.string().min(1),
    github: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,39}$/, 'must be a GitHub login')
      .optional(),
    /** Their fork (`owner/name`): their collaborative phases' branches live there, where they push; else the bot's fork. */
    fork: z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+$/, 'must be "owner/name" of a GitHub repository')
      .optional(),
    slack_user_id: z
      .string()
      .regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id like "U024BE7LH"')
      .optional(),
    time_zone: timeZone.default('UTC'),
    persona: z.string().min(1),
    experience: z.enum(['new', 'intermediate', 'senior']),
    new_developer_guidance: z.boolean().default(false),
    explanation_level: z.enum(['beginner', 'intermediate', 'expert']).optional(),
    platforms: z.strictObject({ familiar: z.array(z.string()).default([]), learning: z.array(z.string()).default([]) }).default({ familiar: [], learning: [] }),
    default_mode: z.partialRecord(ActivityKind, ExecutionMode).default({}),
    notifications: z
      .strictObject({
        blocking: Delivery.default('immediate'),
        decision: Delivery.default('notification'),
        info: Delivery.default('silent'),
        quiet_hours: z.strictObject({ start: clockTime, end: clockTime }).optional(),
        briefing_time: clockTime.default('08:30'),
      })
      .default({ blocking: 'immediate', decision: 'notification', info: 'silent', briefing_time: '08:30' }),
  })
  .strict();
export type RoleFile = z.output<typeof RoleFile>;

/**
 * The mode a phase runs in: a per-session override wins, then the developer's role file, then the team config.
 * Returned with its source so surfaces can say why.
 */
export function resolveMode(
  activity: ActivityKind,
  team: Pick<TeamConfig, 'modes'>,
  role: Pick<RoleFile, 'default_mode'> | undefined,
  sessionOverride?: ExecutionMode,
): { mode: ExecutionMode; source: 'session' | 'role' | 'team-activity' | 'team-default' } {
  if (sessionOverride) return { mode: sessionOverride, source: 'session' };
  const fromRole = role?.default_mode[activity];
  if (fromRole) return { mode: fromRole, source: 'role' };
  const fromTeam = team.modes.per_activity[activity];
  if (fromTeam) return { mode: fromTeam, source: 'team-activity' };
  return { mode: team.modes.default, source: 'team-default' };
}
