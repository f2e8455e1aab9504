// The words every room uses for how work runs and how loud a message is. The config schema builds its zod
// enums from these lists, so the validated config and the types that cross rooms cannot drift apart.

export const executionModes = ['autonomous', 'collaborative', 'approval-required'] as const;
export type ExecutionMode = (typeof executionModes)[number];

/** The activities a mode can be set for; a phase maps to one of them. */
export const activityKinds = ['planning', 'api_changes', 'implementation', 'core_logic', 'tests', 'ci_debugging'] as const;
export type ActivityKind = (typeof activityKinds)[number];

export const urgencies = ['blocking', 'decision', 'info'] as const;
export type Urgency = (typeof urgencies)[number];
