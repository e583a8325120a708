// danfojs-node hard-requires @tensorflow/tfjs-node. This shim hands it the best TensorFlow.js
// that is actually installed: native GPU, native CPU, else pure @tensorflow/tfjs (wasm/cpu backends).
const candidates = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs'];
let tf;
for (const name of candidates) {
  try {
    tf = require(require.resolve(name, { paths: [process.cwd(), __dirname + '/../../../..', __dirname] }));
    break;
  } catch (e) { /* try next */ }
}
if (!tf) throw new Error('rl-miniatures: no TensorFlow.js package found; run `npm ci` in the repository root.');
module.exports = tf;
