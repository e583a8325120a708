// WAT generator for the kit's WebAssembly SIMD GEMM kernel (see src/nn/wasm.ts). A 4×8 register-blocked
// f32x4 micro-kernel, 4-wide and scalar tails for any M, N, K. Compiled by scripts/build-kernels.js.
// Generates the GEMM kernel WAT: C = A·B or C += A·B (row-major f32, byte pointers, leading dimensions in elements).
function wat() {
  const L = [];
  const p = (s) => L.push(s);
  p('(module');
  p('  (memory (export "memory") 1)');
  // gemm(M,N,K,A,lda,B,ldb,C,ldc,accumulate)
  p('  (func (export "gemm") (param $M i32) (param $N i32) (param $K i32) (param $A i32) (param $lda i32) (param $B i32) (param $ldb i32) (param $C i32) (param $ldc i32) (param $accum i32)');
  p('    (local $i i32) (local $j i32) (local $k i32) (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb i32) (local $pc i32) (local $sa i32) (local $sb i32) (local $sc i32)');
  p('    (local $b0 v128) (local $b1 v128) (local $a v128)');
  for (let r = 0; r < 4; r++) for (let c = 0; c < 2; c++) p(`    (local $c${r}${c} v128)`);
  p('    (local $s f32)');
  p('    (local.set $sa (i32.shl (local.get $lda) (i32.const 2)))');
  p('    (local.set $sb (i32.shl (local.get $ldb) (i32.const 2)))');
  p('    (local.set $sc (i32.shl (local.get $ldc) (i32.const 2)))');
  // row blocks of 4
  p('    (local.set $i (i32.const 0))');
  p('    (block $rows_done (loop $rows');
  p('      (br_if $rows_done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $M)))');
  // column blocks of 8
  p('      (local.set $j (i32.const 0))');
  p('      (block $cols_done (loop $cols');
  p('        (br_if $cols_done (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $N)))');
  emitBlock(p, 4, 2);
  p('        (local.set $j (i32.add (local.get $j) (i32.const 8)))');
  p('        (br $cols)))');
  // tail cols of 4
  p('      (if (i32.le_s (i32.add (local.get $j) (i32.const 4)) (local.get $N)) (then');
  emitBlock(p, 4, 1);
  p('        (local.set $j (i32.add (local.get $j) (i32.const 4)))))');
  // scalar tail cols for these 4 rows
  p('      (call $scalar (local.get $i) (i32.add (local.get $i) (i32.const 4)) (local.get $j) (local.get $N) (local.get $K) (local.get $A) (local.get $lda) (local.get $B) (local.get $ldb) (local.get $C) (local.get $ldc) (local.get $accum))');
  p('      (local.set $i (i32.add (local.get $i) (i32.const 4)))');
  p('      (br $rows)))');
  // row tail: one row at a time, 8-wide then 4-wide then scalar
  p('    (block $r1_done (loop $r1');
  p('      (br_if $r1_done (i32.ge_s (local.get $i) (local.get $M)))');
  p('      (local.set $j (i32.const 0))');
  p('      (block $c1_done (loop $c1');
  p('        (br_if $c1_done (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $N)))');
  emitBlock(p, 1, 2);
  p('        (local.set $j (i32.add (local.get $j) (i32.const 8)))');
  p('        (br $c1)))');
  p('      (if (i32.le_s (i32.add (local.get $j) (i32.const 4)) (local.get $N)) (then');
  emitBlock(p, 1, 1);
  p('        (local.set $j (i32.add (local.get $j) (i32.const 4)))))');
  p('      (call $scalar (local.get $i) (i32.add (local.get $i) (i32.const 1)) (local.get $j) (local.get $N) (local.get $K) (local.get $A) (local.get $lda) (local.get $B) (local.get $ldb) (local.get $C) (local.get $ldc) (local.get $accum))');
  p('      (local.set $i (i32.add (local.get $i) (i32.const 1)))');
  p('      (br $r1)))');
  p('  )');
  // scalar kernel for rows [i0,i1), cols [j0,N)
  p('  (func $scalar (param $i0 i32) (param $i1 i32) (param $j0 i32) (param $N i32) (param $K i32) (param $A i32) (param $lda i32) (param $B i32) (param $ldb i32) (param $C i32) (param $ldc i32) (param $accum i32)');
  p('    (local $i i32) (local $j i32) (local $k i32) (local $s f32) (local $pa i32) (local $pb i32) (local $pc i32)');
  p('    (local.set $i (local.get $i0))');
  p('    (block $done (loop $ri');
  p('      (br_if $done (i32.ge_s (local.get $i) (local.get $i1)))');
  p('      (local.set $j (local.get $j0))');
  p('      (block $jd (loop $rj');
  p('        (br_if $jd (i32.ge_s (local.get $j) (local.get $N)))');
  p('        (local.set $s (f32.const 0))');
  p('        (local.set $pa (i32.add (local.get $A) (i32.shl (i32.mul (local.get $i) (local.get $lda)) (i32.const 2))))');
  p('        (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))');
  p('        (local.set $k (i32.const 0))');
  p('        (block $kd (loop $rk');
  p('          (br_if $kd (i32.ge_s (local.get $k) (local.get $K)))');
  p('          (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))');
  p('          (local.set $pa (i32.add (local.get $pa) (i32.const 4)))');
  p('          (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $ldb) (i32.const 2))))');
  p('          (local.set $k (i32.add (local.get $k) (i32.const 1)))');
  p('          (br $rk)))');
  p('        (local.set $pc (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 2))))');
  p('        (if (local.get $accum) (then (local.set $s (f32.add (local.get $s) (f32.load (local.get $pc))))))');
  p('        (f32.store (local.get $pc) (local.get $s))');
  p('        (local.set $j (i32.add (local.get $j) (i32.const 1)))');
  p('        (br $rj)))');
  p('      (local.set $i (i32.add (local.get $i) (i32.const 1)))');
  p('      (br $ri)))');
  p('  )');
  p(')');
  return L.join('\n');
}
// Emits an R×(4·V) register block at rows i.., cols j.. .
function emitBlock(p, R, V) {
  const ind = '        ';
  for (let r = 0; r < R; r++) for (let c = 0; c < V; c++) p(`${ind}(local.set $c${r}${c} (v128.const i32x4 0 0 0 0))`);
  for (let r = 0; r < R; r++) p(`${ind}(local.set $pa${r} (i32.add (local.get $A) (i32.shl (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $lda)) (i32.const 2))))`);
  p(`${ind}(local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))`);
  p(`${ind}(local.set $k (local.get $K))`);
  p(`${ind}(block $kd (loop $kl`);
  p(`${ind}  (br_if $kd (i32.eqz (local.get $k)))`);
  for (let c = 0; c < V; c++) p(`${ind}  (local.set $b${c} (v128.load offset=${16 * c} (local.get $pb)))`);
  for (let r = 0; r < R; r++) {
    p(`${ind}  (local.set $a (f32x4.splat (f32.load (local.get $pa${r}))))`);
    for (let c = 0; c < V; c++) p(`${ind}  (local.set $c${r}${c} (f32x4.add (local.get $c${r}${c}) (f32x4.mul (local.get $a) (local.get $b${c}))))`);
    p(`${ind}  (local.set $pa${r} (i32.add (local.get $pa${r}) (i32.const 4)))`);
  }
  p(`${ind}  (local.set $pb (i32.add (local.get $pb) (local.get $sb)))`);
  p(`${ind}  (local.set $k (i32.sub (local.get $k) (i32.const 1)))`);
  p(`${ind}  (br $kl)))`);
  for (let r = 0; r < R; r++) {
    p(`${ind}(local.set $pc (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $ldc)) (local.get $j)) (i32.const 2))))`);
    for (let c = 0; c < V; c++) {
      p(`${ind}(if (local.get $accum) (then (local.set $c${r}${c} (f32x4.add (local.get $c${r}${c}) (v128.load offset=${16 * c} (local.get $pc))))))`);
      p(`${ind}(v128.store offset=${16 * c} (local.get $pc) (local.get $c${r}${c}))`);
    }
  }
}
module.exports = { wat };
if (require.main === module) process.stdout.write(wat());
