// WAT generator for the kit's WebAssembly SIMD kernels (see src/nn/wasm.ts): a GEMM with a 2×16
// register-blocked f32x4 micro-kernel (narrower and scalar tails for any M, N, K; strided A, fused
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

// WAT s-expression helpers.
const sx = (...xs) => `(${xs.join(' ')})`;
const get = (x) => `(local.get ${x})`;
const set = (x, v) => `(local.set ${x} ${v})`;
const i32 = (n) => `(i32.const ${n})`;
const add = (a, b) => `(i32.add ${a} ${b})`;
const mul = (a, b) => `(i32.mul ${a} ${b})`;
const x4 = (a) => `(i32.shl ${a} (i32.const 2))`;

// Multiply-add of the GEMM: c + a·b as a separate f32x4.mul and f32x4.add (the default, bit-identical on
// every machine), or f32x4.relaxed_madd (the FMA module: one rounding; used only where a start-up probe shows
// that it fuses, see src/nn/wasm.ts).
let FMA = false;
// K-chunk of the GEMM for long products without accumulation (see `gemm`); option `kc`.
let KC = 128;
const madd = (a, b, c) => (FMA ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add ${c} (f32x4.mul ${a} ${b}))`);

// Register tile of the GEMM's micro-kernel: R rows of A × V vectors of 4 columns of B (R·V accumulators), A's value
// broadcast by v128.load32_splat; option `tile: [R, V]`. The default is 2 × 16 (R 2, V 4) with K-chunks of 128
// (since 2026-12-07; before, 4 × 8 with K-chunks of 256 and f32x4.splat of f32.load: 10–15 % slower, the same bits).
// Every entry of C is c = (((0 + a₀b₀) + a₁b₁) + …) in k order whatever the tile and the K-chunk, so the bits
// are the same for any of them; only speed changes. V8 keeps every operand of a k-step in registers only while rows
// + B vectors + accumulators + 1 ≤ 15 (2 × 16 and 4 × 8 both reach 15; larger tiles spill and run slower).
let TILE_R = 2,
  TILE_V = 4;

/**
 * The module's WAT text; `fma: true` gives the relaxed-SIMD variant of the GEMM (everything else identical);
 * `tile: [R, V]` and `kc` another register tile and K-chunk (see TILE_R; scripts/build-kernels.js NEXT).
 */
function wat(opts = {}) {
  FMA = !!opts.fma;
  [TILE_R, TILE_V] = opts.tile ?? [2, 4];
  KC = opts.kc ?? 128;
  const L = [];
  const p = (s) => L.push(s);
  p('(module');
  p('  (memory (export "memory") 1)');
  // The exported GEMM: a product with a long K (> KC) and no accumulation runs in K-chunks of KC, the rows of
  // A and B of one chunk staying in cache; each chunk continues the partial sums stored in C (accum mode 2),
  // so every entry is still c = (((0 + a₀b₀) + a₁b₁) + …) in k order: the same bits as one pass. Bias and
  // ReLU apply after the last chunk.
  p(`  (func $gemm (export "gemm") ${GEMM_PARAMS}`);
  p('    (local $k0 i32) (local $kk i32) (local $last i32)');
  p(`    (if (i32.or (local.get $accum) (i32.le_s (local.get $K) (i32.const ${KC}))) (then`);
  p(`      (call $gemm_core ${GEMM_ARGS})`);
  p('      (return)))');
  p('    (block $kd (loop $kl');
  const rest = sx('i32.sub', get('$K'), get('$k0'));
  p(`      ${set('$kk', sx('select', i32(KC), rest, sx('i32.lt_s', i32(KC), rest)))}`);
  p('      (local.set $last (i32.ge_s (i32.add (local.get $k0) (local.get $kk)) (local.get $K)))');
  const chunkArgs = [
    ...['$M', '$N', '$kk'].map(get),
    add(get('$A'), x4(mul(get('$k0'), get('$acs')))),
    get('$ars'),
    get('$acs'),
    add(get('$B'), x4(mul(get('$k0'), get('$ldb')))),
    ...['$ldb', '$C', '$ldc'].map(get),
    sx('select', i32(2), i32(0), get('$k0')),
    sx('select', get('$bias'), i32(0), get('$last')),
    sx('select', get('$relu'), i32(0), get('$last')),
  ];
  p(`      (call $gemm_core ${chunkArgs.slice(0, 6).join(' ')}`);
  p(`        ${chunkArgs.slice(6).join(' ')})`);
  p('      (local.set $k0 (i32.add (local.get $k0) (local.get $kk)))');
  p('      (br_if $kl (i32.lt_s (local.get $k0) (local.get $K)))))');
  p('  )');
  // accum: 0 C = Â·B, 1 C = C + Â·B, 2 the sums start from C (a K-chunk continuing the previous one).
  p(`  (func $gemm_core ${GEMM_PARAMS}`);
  const R = TILE_R,
    V = TILE_V,
    nPa = Math.max(R, 4);
  const paLocals = Array.from({ length: nPa }, (_, r) => `(local $pa${r} i32)`).join(' ');
  p(`    (local $i i32) (local $j i32) (local $k i32) ${paLocals} (local $pb i32) (local $pc i32) (local $sk i32)`);
  p('    (local $sb i32)');
  p(`    ${Array.from({ length: Math.max(V, 2) }, (_, c) => `(local $b${c} v128)`).join(' ')} (local $a v128)`);
  for (let r = 0; r < R; r++) for (let c = 0; c < V; c++) p(`    (local $c${r}${c} v128)`);
  p('    (local.set $sk (i32.shl (local.get $acs) (i32.const 2)))');
  p('    (local.set $sb (i32.shl (local.get $ldb) (i32.const 2)))');
  // Columns of rows i … i + rows − 1: blocks of 4·V columns, then one block of each narrower power-of-two
  // width that fits, then the scalar kernel for the last N mod 4.
  const columns = (rows, label) => {
    p('      (local.set $j (i32.const 0))');
    p(`      (block $${label}_done (loop $${label}`);
    p(`        (br_if $${label}_done (i32.gt_s (i32.add (local.get $j) (i32.const ${4 * V})) (local.get $N)))`);
    emitBlock(p, rows, V);
    p(`        (local.set $j (i32.add (local.get $j) (i32.const ${4 * V})))`);
    p(`        (br $${label})))`);
    for (let w = V / 2; w >= 1; w /= 2) {
      p(`      (if (i32.le_s (i32.add (local.get $j) (i32.const ${4 * w})) (local.get $N)) (then`);
      emitBlock(p, rows, w);
      p(`        (local.set $j (i32.add (local.get $j) (i32.const ${4 * w})))))`);
    }
    p(`      (call $scalar (local.get $i) (i32.add (local.get $i) (i32.const ${rows})) (local.get $j) ${GEMM_ARGS})`);
  };
  // row blocks of R
  p('    (local.set $i (i32.const 0))');
  p('    (block $rows_done (loop $rows');
  p(`      (br_if $rows_done (i32.gt_s (i32.add (local.get $i) (i32.const ${R})) (local.get $M)))`);
  columns(R, 'cols');
  p(`      (local.set $i (i32.add (local.get $i) (i32.const ${R})))`);
  p('      (br $rows)))');
  // row tail: one row at a time
  p('    (block $r1_done (loop $r1');
  p('      (br_if $r1_done (i32.ge_s (local.get $i) (local.get $M)))');
  columns(1, 'c1');
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
  p(`        ${set('$pc', add(get('$C'), x4(add(mul(get('$i'), get('$ldc')), get('$j')))))}`);
  const mode2 = sx('i32.eq', get('$accum'), i32(2));
  p(`        ${set('$s', sx('select', '(f32.load (local.get $pc))', '(f32.const 0)', mode2))}`);
  p(`        ${set('$pa', add(get('$A'), x4(mul(get('$i'), get('$ars')))))}`);
  p('        (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))');
  p('        (local.set $k (i32.const 0))');
  p('        (block $kd (loop $rk');
  p('          (br_if $kd (i32.ge_s (local.get $k) (local.get $K)))');
  const pa = '(f32.load (local.get $pa))',
    pb = '(f32.load (local.get $pb))';
  if (FMA) {
    const fused = sx('f32x4.relaxed_madd', sx('f32x4.splat', pa), sx('f32x4.splat', pb), sx('f32x4.splat', get('$s')));
    p(`          ${set('$s', sx('f32x4.extract_lane 0', fused))}`);
  } else p(`          ${set('$s', sx('f32.add', get('$s'), sx('f32.mul', pa, pb)))}`);
  p('          (local.set $pa (i32.add (local.get $pa) (i32.shl (local.get $acs) (i32.const 2))))');
  p('          (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $ldb) (i32.const 2))))');
  p('          (local.set $k (i32.add (local.get $k) (i32.const 1)))');
  p('          (br $rk)))');
  const plusOld = set('$s', '(f32.add (f32.load (local.get $pc)) (local.get $s))');
  p(`        (if (i32.eq (local.get $accum) (i32.const 1)) (then ${plusOld}))`);
  p(
    '        (if (local.get $bias) (then (local.set $s (f32.add (local.get $s) (f32.load (i32.add (local.get $bias) ' +
      '(i32.shl (local.get $j) (i32.const 2))))))))',
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
  transformerKernels(p);
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
    '      (v128.store (i32.add (local.get $delta) (local.get $o)) (v128.and (v128.load (i32.add (local.get $delta) ' +
      '(local.get $o))) (f32x4.gt (v128.load (i32.add (local.get $act) (local.get $o))) (v128.const f32x4 0 0 0 0))))',
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
    '        (v128.store (i32.add (local.get $out) (local.get $j)) (f32x4.add (v128.load (i32.add (local.get $out) ' +
      '(local.get $j))) (v128.load (i32.add (local.get $row) (local.get $j)))))',
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
// `fast` (the transformer kernels): the same values for finite inputs with cheaper instructions: the clamp by
// f32x4.pmin / pmax (plain minps / maxps on x86; wasm's min / max add NaN and signed-zero fix-ups), and 2^fx
// from the float bits of fx + 1.5·2²³ instead of a saturating conversion.
function expInto(dst, src, fast = false) {
  const c = (v) => `(v128.const f32x4 ${v} ${v} ${v} ${v})`;
  const [mn, mx] = fast ? ['f32x4.pmin', 'f32x4.pmax'] : ['f32x4.min', 'f32x4.max'];
  const pow2 = fast
    ? `(i32x4.sub (f32x4.add (local.get $ex_fx) ${c('12582912')}) ` +
      `(v128.const i32x4 ${[0, 0, 0, 0].map(() => 0x4b400000 - 127).join(' ')}))`
    : '(i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $ex_fx)) (v128.const i32x4 127 127 127 127))';
  return [
    `(local.set $ex_y (${mx} (${mn} (local.get ${src}) ${c('88.3762626647949')}) ${c('-87.3365447504')}))`,
    `(local.set $ex_fx (f32x4.nearest (f32x4.mul (local.get $ex_y) ${c('1.44269504088896341')})))`,
    `(local.set $ex_y (f32x4.sub (f32x4.sub (local.get $ex_y) (f32x4.mul (local.get $ex_fx) ${c('0.693359375')})) ` +
      `(f32x4.mul (local.get $ex_fx) ${c('-2.12194440e-4')})))`,
    `(local.set ${dst} (f32x4.add (f32x4.mul (f32x4.add (f32x4.mul (f32x4.add (f32x4.mul (f32x4.add (f32x4.mul ` +
      `(f32x4.add (f32x4.mul ${c('1.9875691500E-4')} (local.get $ex_y)) ${c('1.3981999507E-3')}) (local.get $ex_y)) ` +
      `${c('8.3334519073E-3')}) (local.get $ex_y)) ${c('4.1665795894E-2')}) (local.get $ex_y)) ` +
      `${c('1.6666665459E-1')}) (local.get $ex_y)) ${c('5.0000001201E-1')}))`,
    `(local.set ${dst} (f32x4.add (f32x4.add (f32x4.mul (local.get ${dst}) (f32x4.mul (local.get $ex_y) (local.get ` +
      `$ex_y))) (local.get $ex_y)) ${c('1')}))`,
    `(local.set ${dst} (f32x4.mul (local.get ${dst}) (i32x4.shl ${pow2} (i32.const 23))))`,
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
function tanhInto(dst, src, fast = false) {
  const one = '(v128.const f32x4 1 1 1 1)';
  return [
    `(local.set $t (f32x4.mul (local.get ${src}) (v128.const f32x4 -2 -2 -2 -2)))`,
    ...expInto('$t', '$t', fast),
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
    '  (func (export "gru_fwd") (param $N i32) (param $H i32) (param $table i32) (param $tok i32) (param $gh i32) ' +
      '(param $bh i32) (param $hprev i32) (param $hout i32) (param $keep i32)',
  );
  p(
    '    (local $n i32) (local $j i32) (local $H4 i32) (local $H8 i32) (local $NH4 i32) (local $tb i32) (local $gb ' +
      'i32) (local $hb i32) (local $o i32)',
  );
  p(
    '    (local $a v128) (local $r v128) (local $z v128) (local $ghn v128) (local $nn v128) (local $h v128) (local ' +
      '$t v128) (local $ex_fx v128) (local $ex_y v128)',
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
    `(local.set $h (f32x4.add (local.get $nn) (f32x4.mul (local.get $z) (f32x4.sub ` +
      `${ld(at('$hprev', '(local.get $o)'))} (local.get $nn)))))`,
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
    '  (func (export "gru_bwd") (param $N i32) (param $H i32) (param $tok i32) (param $gates i32) (param $hprev i32) ' +
      '(param $dh i32) (param $dhprev i32) (param $dgh i32) (param $dWx i32) (param $dbx i32) (param $dbh i32)',
  );
  p(
    '    (local $n i32) (local $j i32) (local $H4 i32) (local $H8 i32) (local $NH4 i32) (local $wx i32) (local $gb ' +
      'i32) (local $o i32) (local $q i32)',
  );
  p(
    '    (local $r v128) (local $z v128) (local $nn v128) (local $ghn v128) (local $d v128) (local $dan v128) (local ' +
      '$dar v128) (local $daz v128) (local $danr v128)',
  );
  p('    (local.set $H4 (i32.shl (local.get $H) (i32.const 2)))');
  p('    (local.set $H8 (i32.shl (local.get $H) (i32.const 3)))');
  p('    (local.set $NH4 (i32.mul (local.get $N) (local.get $H4)))');
  p('    (local.set $n (i32.const 0))');
  p('    (block $nd (loop $nl');
  p('      (br_if $nd (i32.ge_s (local.get $n) (local.get $N)))');
  p(
    '      (local.set $wx (i32.add (local.get $dWx) (i32.mul (i32.load (i32.add (local.get $tok) (i32.shl (local.get ' +
      '$n) (i32.const 2)))) (i32.mul (local.get $H4) (i32.const 3)))))',
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
    `(local.set $dar (f32x4.mul (f32x4.mul (local.get $dan) (local.get $ghn)) (f32x4.mul (local.get $r) (f32x4.sub ` +
      `${one} (local.get $r)))))`,
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
  p(`${ind}(if (i32.eq (local.get $accum) (i32.const 2)) (then`);
  for (let r = 0; r < R; r++) {
    p(`${ind}  ${set('$pc', add(get('$C'), x4(add(mul(add(get('$i'), i32(r)), get('$ldc')), get('$j')))))}`);
    for (let c = 0; c < V; c++) p(`${ind}  (local.set $c${r}${c} (v128.load offset=${16 * c} (local.get $pc)))`);
  }
  p(`${ind}) (else`);
  for (let r = 0; r < R; r++)
    for (let c = 0; c < V; c++) p(`${ind}  (local.set $c${r}${c} (v128.const i32x4 0 0 0 0))`);
  p(`${ind}))`);
  for (let r = 0; r < R; r++)
    p(
      `${ind}(local.set $pa${r} (i32.add (local.get $A) (i32.shl (i32.mul (i32.add (local.get $i) (i32.const ${r})) ` +
        `(local.get $ars)) (i32.const 2))))`,
    );
  p(`${ind}(local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))`);
  p(`${ind}(local.set $k (local.get $K))`);
  p(`${ind}(block $kd (loop $kl`);
  p(`${ind}  (br_if $kd (i32.eqz (local.get $k)))`);
  for (let c = 0; c < V; c++) p(`${ind}  (local.set $b${c} (v128.load offset=${16 * c} (local.get $pb)))`);
  for (let r = 0; r < R; r++) {
    p(`${ind}  (local.set $a (v128.load32_splat (local.get $pa${r})))`);
    for (let c = 0; c < V; c++)
      p(`${ind}  (local.set $c${r}${c} ${madd('(local.get $a)', `(local.get $b${c})`, `(local.get $c${r}${c})`)})`);
    p(`${ind}  (local.set $pa${r} (i32.add (local.get $pa${r}) (local.get $sk)))`);
  }
  p(`${ind}  (local.set $pb (i32.add (local.get $pb) (local.get $sb)))`);
  p(`${ind}  (local.set $k (i32.sub (local.get $k) (i32.const 1)))`);
  p(`${ind}  (br $kl)))`);
  for (let r = 0; r < R; r++) {
    p(
      `${ind}(local.set $pc (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (i32.const ` +
        `${r})) (local.get $ldc)) (local.get $j)) (i32.const 2))))`,
    );
    for (let c = 0; c < V; c++) {
      const acc = `$c${r}${c}`;
      const cOld = `(v128.load offset=${16 * c} (local.get $pc))`;
      p(`${ind}(if (i32.eq (local.get $accum) (i32.const 1)) (then ${set(acc, sx('f32x4.add', cOld, get(acc)))}))`);
      p(
        `${ind}(if (local.get $bias) (then (local.set ${acc} (f32x4.add (local.get ${acc}) (v128.load ` +
          `offset=${16 * c} (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))))`,
      );
      p(
        `${ind}(if (local.get $relu) (then (local.set ${acc} (f32x4.max (local.get ${acc}) (v128.const f32x4 0 0 0 ` +
          `0)))))`,
      );
      p(`${ind}(v128.store offset=${16 * c} (local.get $pc) (local.get ${acc}))`);
    }
  }
}

const ld = (a) => `(v128.load ${a})`;
const splat = (x) => `(f32x4.splat ${x})`;
const lane = (v, i) => `(f32x4.extract_lane ${i} ${v})`;
// Horizontal sum of a v128 local, in a fixed order: (l0 + l1) + (l2 + l3).
const hsum = (v) => `(f32.add (f32.add ${lane(v, 0)} ${lane(v, 1)}) (f32.add ${lane(v, 2)} ${lane(v, 3)}))`;
const hmax = (v) => `(f32.max (f32.max ${lane(v, 0)} ${lane(v, 1)}) (f32.max ${lane(v, 2)} ${lane(v, 3)}))`;

// Emits `for (var = from; var < to; var += step) body` (i32 locals; `to` is an expression).
function forLoop(p, ind, v, from, to, step, body) {
  p(`${ind}(local.set ${v} ${from})`);
  p(`${ind}(block $${v.slice(1)}_d (loop $${v.slice(1)}_l`);
  p(`${ind}  (br_if $${v.slice(1)}_d (i32.ge_s ${get(v)} ${to}))`);
  body(ind + '  ');
  p(`${ind}  (local.set ${v} (i32.add ${get(v)} (i32.const ${step})))`);
  p(`${ind}  (br $${v.slice(1)}_l)))`);
}

// Kernels of the transformer language model (src/nn/transformer-lm.ts). Row lengths D must be multiples of 4
// where stated; pointers are byte addresses, strides and sizes elements.
//  gemm_batch(n1, n2, sa1, sa2, sb1, sb2, sc1, sc2, <gemm parameters>): the GEMM over an n1 × n2 grid of
//    problems; problem (i1, i2) adds i1·sa1 + i2·sa2 bytes to A (likewise B, C). Bias is shared.
//  ln_fwd(M, D, X, G, Bt, XH, RS, Y, eps): LayerNorm of M rows of D (D % 4 = 0): mean, biased variance
//    (two passes), rstd = 1/√(var + eps); stores xhat (M × D), rstd (M) and y = xhat·g + b.
//  ln_bwd(M, D, DY, XH, RS, G, DX, DG, DB, accum): dxhat = dy·g; dx = rstd·(dxhat − mean(dxhat) −
//    xhat·mean(dxhat·xhat)), stored or added (accum ≠ 0) into DX; dg += Σ dy·xhat, db += Σ dy.
//  gelu_fwd(n, U, A, DG): a = u/2 · (1 + tanh(√(2/π)(u + 0.044715 u³))) (n % 4 = 0); when DG ≠ 0 also
//    stores gelu'(u) there (DG may be U).
//  gelu_bwd(n, DG, DA): DA ← DA · DG in place (DG: the derivative stored by gelu_fwd).
//  softmax_rows(nmat, rows, X, ld, ms, len0, scale): in place over nmat matrices of `rows` rows (matrix m
//    starts ms elements after m − 1, rows ld apart): row i holds p_j = softmax(scale · x)_j over its first
//    len0 + i entries and zeros up to len0 + rows − 1 (a causal attention row; decode uses rows = 1).
//  softmax_bwd(nmat, rows, P, DP, ld, ms, len0, scale): DP ← scale · P ⊙ (DP − Σ_j DP_j P_j) over the same
//    row lengths, zeros after them.
// The exp of a lone tail entry goes through the same f32x4 expf (lane 0), so a row's values do not depend on
// where the 4-wide blocks end.
function transformerKernels(p) {
  const f4 = (op, ...xs) => sx(`f32x4.${op}`, ...xs);
  const c = (v) => `(v128.const f32x4 ${v} ${v} ${v} ${v})`;
  const zero = '(v128.const i32x4 0 0 0 0)';
  // `(func (export "name")` with its parameters ([name, type] pairs) and locals, six to a line.
  const header = (name, params, locals) => {
    p(`  (func (export "${name}")`);
    const rows = (xs, kind) => {
      for (let i = 0; i < xs.length; i += 6)
        p(
          `    ${xs
            .slice(i, i + 6)
            .map(([n, t]) => `(${kind} ${n} ${t})`)
            .join(' ')}`,
        );
    };
    rows(params, 'param');
    rows(locals, 'local');
  };
  const typed = (t, ...names) => names.map((n) => [n, t]);
  const gemmParams = GEMM_PARAMS.match(/\$\w+/g).map((n) => [n, 'i32']);

  header(
    'gemm_batch',
    [...typed('i32', '$n1', '$n2', '$sa1', '$sa2', '$sb1', '$sb2', '$sc1', '$sc2'), ...gemmParams],
    [...typed('i32', '$i1', '$i2')],
  );
  forLoop(p, '    ', '$i1', i32(0), get('$n1'), 1, (ind) =>
    forLoop(p, ind, '$i2', i32(0), get('$n2'), 1, (ind2) => {
      const off = (s1, s2) => add(mul(get('$i1'), get(s1)), mul(get('$i2'), get(s2)));
      p(`${ind2}(call $gemm ${['$M', '$N', '$K'].map(get).join(' ')}`);
      p(`${ind2}  ${add(get('$A'), off('$sa1', '$sa2'))} ${get('$ars')} ${get('$acs')}`);
      p(`${ind2}  ${add(get('$B'), off('$sb1', '$sb2'))} ${get('$ldb')}`);
      p(`${ind2}  ${add(get('$C'), off('$sc1', '$sc2'))} ${get('$ldc')}`);
      p(`${ind2}  ${['$accum', '$bias', '$relu'].map(get).join(' ')})`);
    }),
  );
  p('  )');

  // LayerNorm forward.
  header(
    'ln_fwd',
    [...typed('i32', '$M', '$D', '$X', '$G', '$Bt', '$XH', '$RS', '$Y'), ['$eps', 'f32']],
    [
      ...typed('i32', '$r', '$j', '$row', '$D4'),
      ...typed('f32', '$mean', '$rstd', '$fd'),
      ...typed('v128', '$s', '$mv', '$d', '$xh'),
    ],
  );
  p(`    ${set('$D4', x4(get('$D')))}`);
  p(`    ${set('$fd', sx('f32.convert_i32_s', get('$D')))}`);
  forLoop(p, '    ', '$r', i32(0), get('$M'), 1, (ind) => {
    const X = add(get('$X'), add(get('$row'), get('$j')));
    p(`${ind}${set('$row', mul(get('$r'), get('$D4')))}`);
    p(`${ind}${set('$s', zero)}`);
    forLoop(p, ind, '$j', i32(0), get('$D4'), 16, (i2) => p(`${i2}${set('$s', f4('add', get('$s'), ld(X)))}`));
    p(`${ind}${set('$mean', sx('f32.div', hsum(get('$s')), get('$fd')))}`);
    p(`${ind}${set('$mv', splat(get('$mean')))}`);
    p(`${ind}${set('$s', zero)}`);
    forLoop(p, ind, '$j', i32(0), get('$D4'), 16, (i2) => {
      p(`${i2}${set('$d', f4('sub', ld(X), get('$mv')))}`);
      p(`${i2}${set('$s', f4('add', get('$s'), f4('mul', get('$d'), get('$d'))))}`);
    });
    const variance = sx('f32.div', hsum(get('$s')), get('$fd'));
    p(`${ind}${set('$rstd', sx('f32.div', '(f32.const 1)', sx('f32.sqrt', sx('f32.add', variance, get('$eps')))))}`);
    p(`${ind}(f32.store ${add(get('$RS'), x4(get('$r')))} ${get('$rstd')})`);
    p(`${ind}${set('$s', splat(get('$rstd')))}`);
    forLoop(p, ind, '$j', i32(0), get('$D4'), 16, (i2) => {
      const o = add(get('$row'), get('$j'));
      p(`${i2}${set('$xh', f4('mul', f4('sub', ld(add(get('$X'), o)), get('$mv')), get('$s')))}`);
      p(`${i2}(v128.store ${add(get('$XH'), o)} ${get('$xh')})`);
      const y = f4('add', f4('mul', get('$xh'), ld(add(get('$G'), get('$j')))), ld(add(get('$Bt'), get('$j'))));
      p(`${i2}(v128.store ${add(get('$Y'), o)} ${y})`);
    });
  });
  p('  )');

  // LayerNorm backward.
  header('ln_bwd', typed('i32', '$M', '$D', '$DY', '$XH', '$RS', '$G', '$DX', '$DG', '$DB', '$accum'), [
    ...typed('i32', '$r', '$j', '$row', '$D4'),
    ['$fd', 'f32'],
    ['$o', 'i32'],
    ...typed('v128', '$s1', '$s2', '$dy', '$xh', '$dxh', '$m1', '$m2', '$rs', '$v'),
  ]);
  p(`    ${set('$D4', x4(get('$D')))}`);
  p(`    ${set('$fd', sx('f32.convert_i32_s', get('$D')))}`);
  forLoop(p, '    ', '$r', i32(0), get('$M'), 1, (ind) => {
    const at = (base) => add(get(base), get('$o'));
    const Gj = ld(add(get('$G'), get('$j')));
    p(`${ind}${set('$row', mul(get('$r'), get('$D4')))}`);
    p(`${ind}${set('$s1', zero)}`);
    p(`${ind}${set('$s2', zero)}`);
    forLoop(p, ind, '$j', i32(0), get('$D4'), 16, (i2) => {
      p(`${i2}${set('$o', add(get('$row'), get('$j')))}`);
      p(`${i2}${set('$dy', ld(at('$DY')))}`);
      p(`${i2}${set('$xh', ld(at('$XH')))}`);
      p(`${i2}${set('$dxh', f4('mul', get('$dy'), Gj))}`);
      p(`${i2}${set('$s1', f4('add', get('$s1'), get('$dxh')))}`);
      p(`${i2}${set('$s2', f4('add', get('$s2'), f4('mul', get('$dxh'), get('$xh'))))}`);
      const dg = add(get('$DG'), get('$j')),
        db = add(get('$DB'), get('$j'));
      p(`${i2}(v128.store ${dg} ${f4('add', ld(dg), f4('mul', get('$dy'), get('$xh')))})`);
      p(`${i2}(v128.store ${db} ${f4('add', ld(db), get('$dy'))})`);
    });
    p(`${ind}${set('$m1', splat(sx('f32.div', hsum(get('$s1')), get('$fd'))))}`);
    p(`${ind}${set('$m2', splat(sx('f32.div', hsum(get('$s2')), get('$fd'))))}`);
    p(`${ind}${set('$rs', splat(sx('f32.load', add(get('$RS'), x4(get('$r'))))))}`);
    forLoop(p, ind, '$j', i32(0), get('$D4'), 16, (i2) => {
      p(`${i2}${set('$o', add(get('$row'), get('$j')))}`);
      p(`${i2}${set('$dxh', f4('mul', ld(at('$DY')), Gj))}`);
      const centred = f4('sub', f4('sub', get('$dxh'), get('$m1')), f4('mul', ld(at('$XH')), get('$m2')));
      p(`${i2}${set('$v', f4('mul', get('$rs'), centred))}`);
      p(`${i2}(if ${get('$accum')} (then ${set('$v', f4('add', ld(at('$DX')), get('$v')))}))`);
      p(`${i2}(v128.store ${at('$DX')} ${get('$v')})`);
    });
  });
  p('  )');

  // GELU (tanh form) forward, with its derivative, and backward: $th = tanh(k0·(u + k1·u³)) from $u.
  const k0 = c('0.7978845608028654');
  const geluInner = [
    set(
      '$a',
      f4(
        'mul',
        k0,
        f4('add', get('$u'), f4('mul', c('0.044715'), f4('mul', get('$u'), f4('mul', get('$u'), get('$u'))))),
      ),
    ),
    ...tanhInto('$th', '$a', true),
  ];
  header('gelu_fwd', typed('i32', '$n', '$U', '$A', '$DG'), [
    ...typed('i32', '$o', '$end'),
    ...typed('v128', '$u', '$a', '$th', '$t', '$ex_fx', '$ex_y'),
  ]);
  p(`    ${set('$end', x4(get('$n')))}`);
  forLoop(p, '    ', '$o', i32(0), get('$end'), 16, (ind) => {
    p(`${ind}${set('$u', ld(add(get('$U'), get('$o'))))}`);
    for (const x of geluInner) p(ind + x);
    const a = f4('mul', f4('mul', c('0.5'), get('$u')), f4('add', c('1'), get('$th')));
    p(`${ind}(v128.store ${add(get('$A'), get('$o'))} ${a})`);
    // g = ½(1 + t) + ½u(1 − t²)·k0(1 + 3k1u²), when DG ≠ 0 (DG may be U: u is read first)
    const left = f4('mul', c('0.5'), f4('add', c('1'), get('$th')));
    const sech2 = f4('sub', c('1'), f4('mul', get('$th'), get('$th')));
    const inner = f4('mul', k0, f4('add', c('1'), f4('mul', c('0.134145'), f4('mul', get('$u'), get('$u')))));
    const g = f4('add', left, f4('mul', f4('mul', f4('mul', c('0.5'), get('$u')), sech2), inner));
    p(`${ind}(if ${get('$DG')} (then (v128.store ${add(get('$DG'), get('$o'))} ${g})))`);
  });
  p('  )');
  header('gelu_bwd', typed('i32', '$n', '$DG', '$DA'), typed('i32', '$o', '$end'));
  p(`    ${set('$end', x4(get('$n')))}`);
  forLoop(p, '    ', '$o', i32(0), get('$end'), 16, (ind) => {
    const DA = add(get('$DA'), get('$o'));
    p(`${ind}(v128.store ${DA} ${f4('mul', ld(DA), ld(add(get('$DG'), get('$o'))))})`);
  });
  p('  )');

  // Causal softmax rows and their backward.
  const rowHeader = (name, extra) =>
    header(
      name,
      [...typed('i32', '$nmat', '$rows', ...extra, '$ld', '$ms', '$len0'), ['$scale', 'f32']],
      [
        ...typed('i32', '$m', '$i', '$j', '$row', '$len', '$end4', '$end', '$wend', '$o'),
        ...typed('f32', '$mx', '$sum', '$e'),
        ...typed('v128', '$v', '$acc', '$sv', '$t', '$ex_fx', '$ex_y'),
      ],
    );
  const eachRow = (body) =>
    forLoop(p, '    ', '$m', i32(0), get('$nmat'), 1, (ind) =>
      forLoop(p, ind, '$i', i32(0), get('$rows'), 1, (i2) => {
        p(`${i2}${set('$row', x4(add(mul(get('$m'), get('$ms')), mul(get('$i'), get('$ld')))))}`);
        p(`${i2}${set('$len', add(get('$len0'), get('$i')))}`);
        p(`${i2}${set('$end', x4(get('$len')))}`);
        p(`${i2}${set('$end4', sx('i32.and', get('$end'), i32(-16)))}`);
        p(`${i2}${set('$wend', x4(sx('i32.sub', add(get('$len0'), get('$rows')), i32(1))))}`);
        body(i2);
        // zeros after the row's length
        forLoop(p, i2, '$j', get('$end'), get('$wend'), 4, (i3) =>
          p(`${i3}(f32.store ${add(get('$X'), add(get('$row'), get('$j')))} (f32.const 0))`),
        );
      }),
    );
  const X = add(get('$X'), add(get('$row'), get('$j')));
  const Pj = add(get('$P'), add(get('$row'), get('$j')));
  const xs = sx('f32.load', X);
  rowHeader('softmax_rows', ['$X']);
  eachRow((ind) => {
    p(`${ind}${set('$acc', '(v128.const f32x4 -inf -inf -inf -inf)')}`);
    forLoop(p, ind, '$j', i32(0), get('$end4'), 16, (i3) => p(`${i3}${set('$acc', f4('pmax', get('$acc'), ld(X)))}`));
    p(`${ind}${set('$mx', hmax(get('$acc')))}`);
    forLoop(p, ind, '$j', get('$end4'), get('$end'), 4, (i3) => p(`${i3}${set('$mx', sx('f32.max', get('$mx'), xs))}`));
    p(`${ind}${set('$sv', splat(get('$mx')))}`);
    p(`${ind}${set('$acc', zero)}`);
    forLoop(p, ind, '$j', i32(0), get('$end4'), 16, (i3) => {
      p(`${i3}${set('$v', f4('mul', f4('sub', ld(X), get('$sv')), splat(get('$scale'))))}`);
      for (const x of expInto('$v', '$v', true)) p(i3 + x);
      p(`${i3}(v128.store ${X} ${get('$v')})`);
      p(`${i3}${set('$acc', f4('add', get('$acc'), get('$v')))}`);
    });
    p(`${ind}${set('$sum', hsum(get('$acc')))}`);
    forLoop(p, ind, '$j', get('$end4'), get('$end'), 4, (i3) => {
      p(`${i3}${set('$v', splat(sx('f32.mul', sx('f32.sub', xs, get('$mx')), get('$scale'))))}`);
      for (const x of expInto('$v', '$v', true)) p(i3 + x);
      p(`${i3}${set('$e', lane(get('$v'), 0))}`);
      p(`${i3}(f32.store ${X} ${get('$e')})`);
      p(`${i3}${set('$sum', sx('f32.add', get('$sum'), get('$e')))}`);
    });
    p(`${ind}${set('$sv', splat(get('$sum')))}`);
    forLoop(p, ind, '$j', i32(0), get('$end4'), 16, (i3) =>
      p(`${i3}(v128.store ${X} ${f4('div', ld(X), get('$sv'))})`),
    );
    forLoop(p, ind, '$j', get('$end4'), get('$end'), 4, (i3) =>
      p(`${i3}(f32.store ${X} ${sx('f32.div', xs, get('$sum'))})`),
    );
  });
  p('  )');
  // backward: X is DP (overwritten with the score gradient), P the probabilities (same layout).
  rowHeader('softmax_bwd', ['$P', '$X']);
  eachRow((ind) => {
    const ps = sx('f32.load', Pj);
    p(`${ind}${set('$acc', zero)}`);
    forLoop(p, ind, '$j', i32(0), get('$end4'), 16, (i3) =>
      p(`${i3}${set('$acc', f4('add', get('$acc'), f4('mul', ld(X), ld(Pj))))}`),
    );
    p(`${ind}${set('$sum', hsum(get('$acc')))}`);
    forLoop(p, ind, '$j', get('$end4'), get('$end'), 4, (i3) =>
      p(`${i3}${set('$sum', sx('f32.add', get('$sum'), sx('f32.mul', xs, ps)))}`),
    );
    p(`${ind}${set('$sv', splat(get('$sum')))}`);
    p(`${ind}${set('$t', splat(get('$scale')))}`);
    forLoop(p, ind, '$j', i32(0), get('$end4'), 16, (i3) =>
      p(`${i3}(v128.store ${X} ${f4('mul', get('$t'), f4('mul', ld(Pj), f4('sub', ld(X), get('$sv'))))})`),
    );
    forLoop(p, ind, '$j', get('$end4'), get('$end'), 4, (i3) =>
      p(`${i3}(f32.store ${X} ${sx('f32.mul', get('$scale'), sx('f32.mul', ps, sx('f32.sub', xs, get('$sum'))))})`),
    );
  });
  p('  )');
}

module.exports = { wat };
if (require.main === module) process.stdout.write(wat());
