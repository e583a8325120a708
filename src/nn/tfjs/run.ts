/**
 * One code path for synchronous and asynchronous tfjs backends. A model step is written as a generator that
 * yields each tensor it must read back to the host and receives its values; `runSync` reads with `dataSync`
 * (cpu, wasm, tensorflow: tfjs-node / tfjs-node-gpu), `runAsync` with `await data()` (every backend, and the only
 * way on webgpu, whose synchronous read-back does not work in Node). The driver disposes each yielded tensor
 * after reading it; on an error it closes the generator so that its `finally` blocks free what it holds.
 */
import type * as tfType from '@tensorflow/tfjs';

export type TF = typeof tfType;
export type TensorData = Float32Array | Int32Array | Uint8Array;
export type Steps<R> = Generator<tfType.Tensor, R, TensorData>;

export function runSync<R>(g: Steps<R>, where: string): R {
  let r: IteratorResult<tfType.Tensor, R>;
  try {
    r = g.next(undefined as unknown as TensorData);
    while (!r.done) {
      const t = r.value;
      let v: TensorData;
      try {
        v = t.dataSync() as TensorData;
      } catch (e) {
        throw new Error(
          `${where}: this tfjs backend cannot read tensors synchronously (${(e as Error).message.split('\n')[0]}); ` +
            'use the async methods (forwardAsync, backwardAsync, sampleAsync), as webgpu requires',
        );
      } finally {
        t.dispose();
      }
      r = g.next(v);
    }
  } catch (e) {
    g.return(undefined as unknown as R);
    throw e;
  }
  return r.value;
}

export async function runAsync<R>(g: Steps<R>): Promise<R> {
  let r: IteratorResult<tfType.Tensor, R>;
  try {
    r = g.next(undefined as unknown as TensorData);
    while (!r.done) {
      const t = r.value;
      let v: TensorData;
      try {
        v = (await t.data()) as TensorData;
      } finally {
        t.dispose();
      }
      r = g.next(v);
    }
  } catch (e) {
    g.return(undefined as unknown as R);
    throw e;
  }
  return r.value;
}
