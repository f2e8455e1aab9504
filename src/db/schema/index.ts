// Every table, one module per room. drizzle-kit reads src/db/schema/*.ts to generate migrations/.
export * from './core.js';
export * from './knowledge.js';
export * from './agent.js';
export * from './flakes.js';
