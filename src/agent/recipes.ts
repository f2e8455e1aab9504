// Recipes: what the offline agent knows how to do without a model, one file per recipe under recipes/. Each is
// pure (text in, text out) so it can be tested without a repository; offline.ts applies them inside a scope.
export * from './recipes/paths.js';
export * from './recipes/condition.js';
export * from './recipes/bridge.js';
export * from './recipes/docs.js';
export * from './recipes/plans.js';
