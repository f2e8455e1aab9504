// The confidence room: evidence → levels, renderers, calibration.
export * from './model.js';
export * from './render.js';
export * from './calibration.js';
