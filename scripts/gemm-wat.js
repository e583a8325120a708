// WAT generator for the kit's WebAssembly SIMD kernels (see src/nn/wasm.ts): a GEMM with a 4×8
// register-blocked f32x4 micro-kernel (4-wide and scalar tails for any M, N, K; strided A, fused
// accumulate / bias / ReLU epilogue), ReLU backward and column sums, and fused GRU gate kernels
// (forward and backward). Compiled by scripts/build-kernels.js.
// gemm(M, N, K, A, ars, acs, B, ldb, C, ldc, accum, bias, relu):
//   C (M × N) = [C +] Â·B [+ bias] then [max(·, 0)], where Â(i, k) = A[i·ars + k·acs] (so a transposed A
//   costs nothing: ars = 1, acs = lda), B is row-major with leading dimension ldb, C with ldc; bias is a
//   pointer to N floats (0 = none), accum and relu are flags. Pointers are byte addresses, strides elements.
const GEMM_PARAMS =
  '(param $M i32) (param $N i32) (param $K i32) (param $A i32) (param $ars i32) (param $acs i32) (param $B i32) ' +
  '(param $ldb i32) (param $C i32) (param $ldc i32) (param $accum i32) (param $bias i32) (param $relu i32)';
const GEMM_ARGS = ['$M', '$N', '$K', '$A', '$ars', '$acs', '$B', '$ldb', '$C', '$ldc', '$accum', '$bias', '$relu']
  .map((x) => `(local.get ${x})`)
  .join(' ');

function wat() {
  const L = [];
  const p = (s) => L.push(s);
  p('(module');
  p('  (memory (export "memory") 1)');
  p(`  (func (export "gemm") ${GEMM_PARAMS}`);
  p(
    '    (local $i i32) (local $j i32) (local $k i32) (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) ' +
      '(local $pa3 i32) (local $pb i32) (local $pc i32) (local $sk i32) (local $sb i32)',
  );
  p('    (local $b0 v128) (local $b1 v128) (local $a v128)');
  for (let r = 0; r < 4; r++) for (let c = 0; c < 2; c++) p(`    (local $c${r}${c} v128)`);
  p('    (local.set $sk (i32.shl (local.get $acs) (i32.const 2)))');
  p('    (local.set $sb (i32.shl (local.get $ldb) (i32.const 2)))');
  // row blocks of 4
  p('    (local.set $i (i32.const 0))');
  p('    (block $rows_done (loop $rows');
  p('      (br_if $rows_done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $M)))');
  p('      (local.set $j (i32.const 0))');
  p('      (block $cols_done (loop $cols');
  p('        (br_if $cols_done (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $N)))');
  emitBlock(p, 4, 2);
  p('        (local.set $j (i32.add (local.get $j) (i32.const 8)))');
  p('        (br $cols)))');
  p('      (if (i32.le_s (i32.add (local.get $j) (i32.const 4)) (local.get $N)) (then');
  emitBlock(p, 4, 1);
  p('        (local.set $j (i32.add (local.get $j) (i32.const 4)))))');
  p(`      (call $scalar (local.get $i) (i32.add (local.get $i) (i32.const 4)) (local.get $j) ${GEMM_ARGS})`);
  p('      (local.set $i (i32.add (local.get $i) (i32.const 4)))');
  p('      (br $rows)))');
  // row tail: one row at a time
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
  p(`      (call $scalar (local.get $i) (i32.add (local.get $i) (i32.const 1)) (local.get $j) ${GEMM_ARGS})`);
  p('      (local.set $i (i32.add (local.get $i) (i32.const 1)))');
  p('      (br $r1)))');
  p('  )');
  // scalar kernel for rows [i0, i1), cols [j0, N)
  p(`  (func $scalar (param $i0 i32) (param $i1 i32) (param $j0 i32) ${GEMM_PARAMS}`);
  p('    (local $i i32) (local $j i32) (local $k i32) (local $s f32) (local $pa i32) (local $pb i32) (local $pc i32)');
  p('    (local.set $i (local.get $i0))');
  p('    (block $done (loop $ri');
  p('      (br_if $done (i32.ge_s (local.get $i) (local.get $i1)))');
  p('      (local.set $j (local.get $j0))');
  p('      (block $jd (loop $rj');
  p('        (br_if $jd (i32.ge_s (local.get $j) (local.get $N)))');
  p('        (local.set $s (f32.const 0))');
  p(
    '        (local.set $pa (i32.add (local.get $A) (i32.shl (i32.mul (local.get $i) (local.get $ars)) ' +
      '(i32.const 2))))',
  );
  p('        (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))');
  p('        (local.set $k (i32.const 0))');
  p('        (block $kd (loop $rk');
  p('          (br_if $kd (i32.ge_s (local.get $k) (local.get $K)))');
  p(
    '          (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))',
  );
  p('          (local.set $pa (i32.add (local.get $pa) (i32.shl (local.get $acs) (i32.const 2))))');
  p('          (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $ldb) (i32.const 2))))');
  p('          (local.set $k (i32.add (local.get $k) (i32.const 1)))');
  p('          (br $rk)))');
  p(
    '        (local.set $pc (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) ' +
      '(local.get $j)) (i32.const 2))))',
  );
  p('        (if (local.get $accum) (then (local.set $s (f32.add (f32.load (local.get $pc)) (local.get $s)))))');
  p(
    '        (if (local.get $bias) (then (local.set $s (f32.add (local.get $s) (f32.load (i32.add ' +
      '(local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))))',
  );
  p('        (if (local.get $relu) (then (local.set $s (f32.max (local.get $s) (f32.const 0)))))');
  p('        (f32.store (local.get $pc) (local.get $s))');
  p('        (local.set $j (i32.add (local.get $j) (i32.const 1)))');
  p('        (br $rj)))');
  p('      (local.set $i (i32.add (local.get $i) (i32.const 1)))');
  p('      (br $ri)))');
  p('  )');
  elementwiseKernels(p);
  gruKernels(p);
  p(')');
  return L.join('\n');
}

// relu_back(n, delta, act): delta[i] = act[i] > 0 ? delta[i] : 0 (n a multiple of 4).
// colsum(M, N, X, ldx, out): out[j] += Σ_i X[i·ldx + j] (N a multiple of 4).
function elementwiseKernels(p) {
  p('  (func (export "relu_back") (param $n i32) (param $delta i32) (param $act i32)');
  p('    (local $o i32) (local $end i32)');
  p('    (local.set $end (i32.shl (local.get $n) (i32.const 2)))');
  p('    (block $d (loop $l');
  p('      (br_if $d (i32.ge_s (local.get $o) (local.get $end)))');
  p(
    '      (v128.store (i32.add (local.get $delta) (local.get $o)) (v128.and (v128.load (i32.add ' +
      '(local.get $delta) (local.get $o))) (f32x4.gt (v128.load (i32.add (local.get $act) (local.get $o))) ' +
      '(v128.const f32x4 0 0 0 0))))',
  );
  p('      (local.set $o (i32.add (local.get $o) (i32.const 16)))');
  p('      (br $l)))');
  p('  )');
  p('  (func (export "colsum") (param $M i32) (param $N i32) (param $X i32) (param $ldx i32) (param $out i32)');
  p('    (local $i i32) (local $j i32) (local $row i32) (local $N4 i32)');
  p('    (local.set $N4 (i32.shl (local.get $N) (i32.const 2)))');
  p('    (block $d (loop $l');
  p('      (br_if $d (i32.ge_s (local.get $i) (local.get $M)))');
  p(
    '      (local.set $row (i32.add (local.get $X) (i32.shl (i32.mul (local.get $i) (local.get $ldx)) (i32.const 2))))',
  );
  p('      (local.set $j (i32.const 0))');
  p('      (block $jd (loop $jl');
  p('        (br_if $jd (i32.ge_s (local.get $j) (local.get $N4)))');
  p(
    '        (v128.store (i32.add (local.get $out) (local.get $j)) (f32x4.add (v128.load (i32.add ' +
      '(local.get $out) (local.get $j))) (v128.load (i32.add (local.get $row) (local.get $j)))))',
  );
  p('        (local.set $j (i32.add (local.get $j) (i32.const 16)))');
  p('        (br $jl)))');
  p('      (local.set $i (i32.add (local.get $i) (i32.const 1)))');
  p('      (br $l)))');
  p('  )');
}

// f32x4 exp (Cephes expf: range reduction by ln 2, degree-6 polynomial, exponent bits; |rel err| ≲ 2e-7
// on [−87.3, 88.3], inputs clamped to that range). Emits statements that set local $dst from local $src
// (both v128), using scratch locals $ex_fx and $ex_y.
function expInto(dst, src) {
  const c = (v) => `(v128.const f32x4 ${v} ${v} ${v} ${v})`;
  return [
    `(local.set $ex_y (f32x4.max (f32x4.min (local.get ${src}) ${c('88.3762626647949')}) ${c('-87.3365447504')}))`,
    `(local.set $ex_fx (f32x4.nearest (f32x4.mul (local.get $ex_y) ${c('1.44269504088896341')})))`,
    `(local.set $ex_y (f32x4.sub (f32x4.sub (local.get $ex_y) (f32x4.mul ` +
      `(local.get $ex_fx) ${c('0.693359375')})) (f32x4.mul (local.get $ex_fx) ${c('-2.12194440e-4')})))`,
    `(local.set ${dst} (f32x4.add (f32x4.mul (f32x4.add (f32x4.mul (f32x4.add (f32x4.mul (f32x4.add (f32x4.mul ` +
      `(f32x4.add (f32x4.mul ${c('1.9875691500E-4')} (local.get $ex_y)) ${c('1.3981999507E-3')}) ` +
      `(local.get $ex_y)) ${c('8.3334519073E-3')}) (local.get $ex_y)) ${c('4.1665795894E-2')}) ` +
      `(local.get $ex_y)) ${c('1.6666665459E-1')}) (local.get $ex_y)) ${c('5.0000001201E-1')}))`,
    `(local.set ${dst} (f32x4.add (f32x4.add (f32x4.mul (local.get ${dst}) (f32x4.mul (local.get $ex_y) ` +
      `(local.get $ex_y))) (local.get $ex_y)) ${c('1')}))`,
    `(local.set ${dst} (f32x4.mul (local.get ${dst}) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s ` +
      `(local.get $ex_fx)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))`,
  ];
}

// σ(x) = 1 / (1 + e^−x) into $dst from $src (clobbers $t).
function sigmoidInto(dst, src) {
  const one = '(v128.const f32x4 1 1 1 1)';
  return [
    `(local.set $t (f32x4.neg (local.get ${src})))`,
    ...expInto('$t', '$t'),
    `(local.set ${dst} (f32x4.div ${one} (f32x4.add ${one} (local.get $t))))`,
  ];
}

// tanh(x) = 2σ(2x) − 1 into $dst from $src (clobbers $t).
function tanhInto(dst, src) {
  const one = '(v128.const f32x4 1 1 1 1)';
  return [
    `(local.set $t (f32x4.mul (local.get ${src}) (v128.const f32x4 -2 -2 -2 -2)))`,
    ...expInto('$t', '$t'),
    `(local.set ${dst} (f32x4.sub (f32x4.div (v128.const f32x4 2 2 2 2) (f32x4.add ${one} (local.get $t))) ${one}))`,
  ];
}

// Fused GRU gate kernels (PyTorch convention), 4 hidden units per SIMD lane group; H must be a multiple of 4.
//  gru_fwd(N, H, table, tok, gh, bh, hprev, hout, keep): for each row n, x = tok[n] (i32),
//    r = σ(table[x, 0:H] + gh[n, 0:H] + bh[0:H]), z = σ(table[x, H:2H] + gh[n, H:2H] + bh[H:2H]),
//    ghn = gh[n, 2H:3H] + bh[2H:3H], n = tanh(table[x, 2H:3H] + r·ghn), h = n + z·(hprev − n);
//    when keep ≠ 0 stores r, z, n, ghn as four N×H blocks at keep.
//  gru_bwd(N, H, tok, gates, hprev, dh, dhprev, dgh, dWx, dbx, dbh): the matching element-wise backward:
//    writes dhprev = dh·z and dgh = [dar, daz, dan·r] (N×3H), and accumulates dW_x[x] += [dar, daz, dan],
//    db_x += [dar, daz, dan], db_h += [dar, daz, dan·r].
function gruKernels(p) {
  const ld = (a) => `(v128.load ${a})`;
  const at = (base, off) => `(i32.add (local.get ${base}) ${off})`;
  p(
    '  (func (export "gru_fwd") (param $N i32) (param $H i32) (param $table i32) (param $tok i32) ' +
      '(param $gh i32) (param $bh i32) (param $hprev i32) (param $hout i32) (param $keep i32)',
  );
  p(
    '    (local $n i32) (local $j i32) (local $H4 i32) (local $H8 i32) (local $NH4 i32) (local $tb i32) ' +
      '(local $gb i32) (local $hb i32) (local $o i32)',
  );
  p(
    '    (local $a v128) (local $r v128) (local $z v128) (local $ghn v128) (local $nn v128) (local $h v128) ' +
      '(local $t v128) (local $ex_fx v128) (local $ex_y v128)',
  );
  p('    (local.set $H4 (i32.shl (local.get $H) (i32.const 2)))');
  p('    (local.set $H8 (i32.shl (local.get $H) (i32.const 3)))');
  p('    (local.set $NH4 (i32.mul (local.get $N) (local.get $H4)))');
  p('    (local.set $n (i32.const 0))');
  p('    (block $nd (loop $nl');
  p('      (br_if $nd (i32.ge_s (local.get $n) (local.get $N)))');
  p(
    '      (local.set $tb (i32.add (local.get $table) (i32.mul (i32.load (i32.add (local.get $tok) (i32.shl ' +
      '(local.get $n) (i32.const 2)))) (i32.mul (local.get $H4) (i32.const 3)))))',
  );
  p('      (local.set $gb (i32.add (local.get $gh) (i32.mul (local.get $n) (i32.mul (local.get $H4) (i32.const 3)))))');
  p('      (local.set $hb (i32.mul (local.get $n) (local.get $H4)))');
  p('      (local.set $j (i32.const 0))');
  p('      (block $jd (loop $jl');
  p('        (br_if $jd (i32.ge_s (local.get $j) (local.get $H4)))');
  const J = '(local.get $j)';
  const J1 = '(i32.add (local.get $j) (local.get $H4))';
  const J2 = '(i32.add (local.get $j) (local.get $H8))';
  const add3 = (a, b, c) => `(f32x4.add (f32x4.add ${a} ${b}) ${c})`;
  const st = [
    `(local.set $a ${add3(ld(at('$tb', J)), ld(at('$gb', J)), ld(at('$bh', J)))})`,
    ...sigmoidInto('$r', '$a'),
    `(local.set $a ${add3(ld(at('$tb', J1)), ld(at('$gb', J1)), ld(at('$bh', J1)))})`,
    ...sigmoidInto('$z', '$a'),
    `(local.set $ghn (f32x4.add ${ld(at('$gb', J2))} ${ld(at('$bh', J2))}))`,
    `(local.set $a (f32x4.add ${ld(at('$tb', J2))} (f32x4.mul (local.get $r) (local.get $ghn))))`,
    ...tanhInto('$nn', '$a'),
    `(local.set $o (i32.add (local.get $hb) (local.get $j)))`,
    `(local.set $h (f32x4.add (local.get $nn) (f32x4.mul (local.get $z) ` +
      `(f32x4.sub ${ld(at('$hprev', '(local.get $o)'))} (local.get $nn)))))`,
    `(v128.store ${at('$hout', '(local.get $o)')} (local.get $h))`,
    `(if (local.get $keep) (then`,
    `  (local.set $o (i32.add (local.get $keep) (local.get $o)))`,
    `  (v128.store (local.get $o) (local.get $r))`,
    `  (v128.store (i32.add (local.get $o) (local.get $NH4)) (local.get $z))`,
    `  (v128.store (i32.add (local.get $o) (i32.shl (local.get $NH4) (i32.const 1))) (local.get $nn))`,
    `  (v128.store (i32.add (local.get $o) (i32.mul (local.get $NH4) (i32.const 3))) (local.get $ghn))))`,
  ];
  for (const x of st) p('        ' + x);
  p('        (local.set $j (i32.add (local.get $j) (i32.const 16)))');
  p('        (br $jl)))');
  p('      (local.set $n (i32.add (local.get $n) (i32.const 1)))');
  p('      (br $nl)))');
  p('  )');

  p(
    '  (func (export "gru_bwd") (param $N i32) (param $H i32) (param $tok i32) (param $gates i32) ' +
      '(param $hprev i32) (param $dh i32) (param $dhprev i32) (param $dgh i32) (param $dWx i32) (param $dbx i32) ' +
      '(param $dbh i32)',
  );
  p(
    '    (local $n i32) (local $j i32) (local $H4 i32) (local $H8 i32) (local $NH4 i32) (local $wx i32) ' +
      '(local $gb i32) (local $o i32) (local $q i32)',
  );
  p(
    '    (local $r v128) (local $z v128) (local $nn v128) (local $ghn v128) (local $d v128) (local $dan v128) ' +
      '(local $dar v128) (local $daz v128) (local $danr v128)',
  );
  p('    (local.set $H4 (i32.shl (local.get $H) (i32.const 2)))');
  p('    (local.set $H8 (i32.shl (local.get $H) (i32.const 3)))');
  p('    (local.set $NH4 (i32.mul (local.get $N) (local.get $H4)))');
  p('    (local.set $n (i32.const 0))');
  p('    (block $nd (loop $nl');
  p('      (br_if $nd (i32.ge_s (local.get $n) (local.get $N)))');
  p(
    '      (local.set $wx (i32.add (local.get $dWx) (i32.mul (i32.load (i32.add (local.get $tok) (i32.shl ' +
      '(local.get $n) (i32.const 2)))) (i32.mul (local.get $H4) (i32.const 3)))))',
  );
  p(
    '      (local.set $gb (i32.add (local.get $dgh) (i32.mul (local.get $n) (i32.mul (local.get $H4) (i32.const 3)))))',
  );
  p('      (local.set $j (i32.const 0))');
  p('      (block $jd (loop $jl');
  p('        (br_if $jd (i32.ge_s (local.get $j) (local.get $H4)))');
  const one = '(v128.const f32x4 1 1 1 1)';
  const acc = (base, off, v) => `(v128.store ${at(base, off)} (f32x4.add ${ld(at(base, off))} ${v}))`;
  const bw = [
    `(local.set $o (i32.add (i32.mul (local.get $n) (local.get $H4)) (local.get $j)))`,
    `(local.set $q (i32.add (local.get $gates) (local.get $o)))`,
    `(local.set $r (v128.load (local.get $q)))`,
    `(local.set $z (v128.load (i32.add (local.get $q) (local.get $NH4))))`,
    `(local.set $nn (v128.load (i32.add (local.get $q) (i32.shl (local.get $NH4) (i32.const 1)))))`,
    `(local.set $ghn (v128.load (i32.add (local.get $q) (i32.mul (local.get $NH4) (i32.const 3)))))`,
    `(local.set $d ${ld(at('$dh', '(local.get $o)'))})`,
    `(v128.store ${at('$dhprev', '(local.get $o)')} (f32x4.mul (local.get $d) (local.get $z)))`,
    // dan = d·(1 − z)·(1 − n²)
    `(local.set $dan (f32x4.mul (f32x4.mul (local.get $d) (f32x4.sub ${one} (local.get $z))) (f32x4.sub ${one} ` +
      `(f32x4.mul (local.get $nn) (local.get $nn)))))`,
    // dar = dan·ghn·r·(1 − r)
    `(local.set $dar (f32x4.mul (f32x4.mul (local.get $dan) (local.get $ghn)) (f32x4.mul (local.get $r) ` +
      `(f32x4.sub ${one} (local.get $r)))))`,
    // daz = d·(hprev − n)·z·(1 − z)
    `(local.set $daz (f32x4.mul (f32x4.mul (local.get $d) (f32x4.sub ${ld(at('$hprev', '(local.get $o)'))} ` +
      `(local.get $nn))) (f32x4.mul (local.get $z) (f32x4.sub ${one} (local.get $z)))))`,
    `(local.set $danr (f32x4.mul (local.get $dan) (local.get $r)))`,
    `(v128.store ${at('$gb', J)} (local.get $dar))`,
    `(v128.store ${at('$gb', J1)} (local.get $daz))`,
    `(v128.store ${at('$gb', J2)} (local.get $danr))`,
    acc('$wx', J, '(local.get $dar)'),
    acc('$wx', J1, '(local.get $daz)'),
    acc('$wx', J2, '(local.get $dan)'),
    acc('$dbx', J, '(local.get $dar)'),
    acc('$dbx', J1, '(local.get $daz)'),
    acc('$dbx', J2, '(local.get $dan)'),
    acc('$dbh', J, '(local.get $dar)'),
    acc('$dbh', J1, '(local.get $daz)'),
    acc('$dbh', J2, '(local.get $danr)'),
  ];
  for (const x of bw) p('        ' + x);
  p('        (local.set $j (i32.add (local.get $j) (i32.const 16)))');
  p('        (br $jl)))');
  p('      (local.set $n (i32.add (local.get $n) (i32.const 1)))');
  p('      (br $nl)))');
  p('  )');
}

// Emits an R×(4·V) register block at rows i.., cols j.. (A rows advance by ars, k by acs).
function emitBlock(p, R, V) {
  const ind = '        ';
  for (let r = 0; r < R; r++) for (let c = 0; c < V; c++) p(`${ind}(local.set $c${r}${c} (v128.const i32x4 0 0 0 0))`);
  for (let r = 0; r < R; r++)
    p(
      `${ind}(local.set $pa${r} (i32.add (local.get $A) (i32.shl (i32.mul (i32.add (local.get $i) ` +
        `(i32.const ${r})) (local.get $ars)) (i32.const 2))))`,
    );
  p(`${ind}(local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))`);
  p(`${ind}(local.set $k (local.get $K))`);
  p(`${ind}(block $kd (loop $kl`);
  p(`${ind}  (br_if $kd (i32.eqz (local.get $k)))`);
  for (let c = 0; c < V; c++) p(`${ind}  (local.set $b${c} (v128.load offset=${16 * c} (local.get $pb)))`);
  for (let r = 0; r < R; r++) {
    p(`${ind}  (local.set $a (f32x4.splat (f32.load (local.get $pa${r}))))`);
    for (let c = 0; c < V; c++)
      p(
        `${ind}  (local.set $c${r}${c} (f32x4.add (local.get $c${r}${c}) (f32x4.mul (local.get $a) ` +
          `(local.get $b${c}))))`,
      );
    p(`${ind}  (local.set $pa${r} (i32.add (local.get $pa${r}) (local.get $sk)))`);
  }
  p(`${ind}  (local.set $pb (i32.add (local.get $pb) (local.get $sb)))`);
  p(`${ind}  (local.set $k (i32.sub (local.get $k) (i32.const 1)))`);
  p(`${ind}  (br $kl)))`);
  for (let r = 0; r < R; r++) {
    p(
      `${ind}(local.set $pc (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) ` +
        `(i32.const ${r})) (local.get $ldc)) (local.get $j)) (i32.const 2))))`,
    );
    for (let c = 0; c < V; c++) {
      const acc = `$c${r}${c}`;
      p(
        `${ind}(if (local.get $accum) (then (local.set ${acc} (f32x4.add (v128.load offset=${16 * c} ` +
          `(local.get $pc)) (local.get ${acc})))))`,
      );
      p(
        `${ind}(if (local.get $bias) (then (local.set ${acc} (f32x4.add (local.get ${acc}) ` +
          `(v128.load offset=${16 * c} (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))))`,
      );
      p(
        `${ind}(if (local.get $relu) (then (local.set ${acc} (f32x4.max (local.get ${acc}) ` +
          `(v128.const f32x4 0 0 0 0)))))`,
      );
      p(`${ind}(v128.store offset=${16 * c} (local.get $pc) (local.get ${acc}))`);
    }
  }
}
module.exports = { wat };
if (require.main === module) process.stdout.write(wat());
