// Bench-only workflow bundle entry: the real workflows plus the bare baseline, so both run on one worker.
export * from '../../workflows/index.js';
export { bareWorkflow } from './bare-workflow.js';
