// The bundlers of the matrix, resolved from this folder's node_modules; imported by
// ../setups.test.mjs once `npm ci` has run here.
export { build as viteBuild, createServer as viteServer } from 'vite';
export { default as webpack } from 'webpack';
export { default as webpack590 } from 'webpack-5.90';
export { rollup } from 'rollup';
export { nodeResolve } from '@rollup/plugin-node-resolve';
export { build as esbuild } from 'esbuild';
