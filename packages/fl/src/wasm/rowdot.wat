;; Assembled into rowdot-kernel.ts (base64) with wabt: wat2wasm rowdot.wat -o rowdot.wasm && base64 -w0 rowdot.wasm
;; Matrices are row-major float32 with a row stride of d values, d a multiple of 8 (callers zero-pad); all
;; pointers are byte offsets into this memory.
(module
  (memory (export "memory") 1)

  ;; out[i*nb + j] = sum_k a[i*d + k] * b[j*d + k] for i < na, j < nb (A·Bᵀ).
  ;; Two accumulators of four lanes each, summed pairwise at the end.
  (func (export "dotRows")
    (param $a i32) (param $na i32) (param $b i32) (param $nb i32) (param $d i32) (param $out i32)
    (local $i i32) (local $j i32) (local $k i32) (local $ar i32) (local $br i32) (local $bytes i32)
    (local $s0 v128) (local $s1 v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (block $doneI
      (loop $nextI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $na)))
        (local.set $ar (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $bytes))))
        (local.set $j (i32.const 0))
        (block $doneJ
          (loop $nextJ
            (br_if $doneJ (i32.ge_u (local.get $j) (local.get $nb)))
            (local.set $br (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $bytes))))
            (local.set $s0 (v128.const f32x4 0 0 0 0))
            (local.set $s1 (v128.const f32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $doneK
              (loop $nextK
                (br_if $doneK (i32.ge_u (local.get $k) (local.get $bytes)))
                (local.set $s0 (f32x4.add (local.get $s0)
                  (f32x4.mul (v128.load (i32.add (local.get $ar) (local.get $k))) (v128.load (i32.add (local.get $br) (local.get $k))))))
                (local.set $s1 (f32x4.add (local.get $s1)
                  (f32x4.mul (v128.load offset=16 (i32.add (local.get $ar) (local.get $k))) (v128.load offset=16 (i32.add (local.get $br) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 32)))
                (br $nextK)))
            (local.set $s0 (f32x4.add (local.get $s0) (local.get $s1)))
            (f32.store
              (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $nb)) (local.get $j)) (i32.const 2)))
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
                (f32.add (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $nextJ)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextI))))

  ;; out[i*d + k] += sum_j coef[i*nb + j] * b[j*d + k] for i < na, j < nb (out += C·B), 8 lanes at a time.
  (func (export "addProducts")
    (param $coef i32) (param $na i32) (param $b i32) (param $nb i32) (param $d i32) (param $out i32)
    (local $i i32) (local $j i32) (local $k i32) (local $or i32) (local $br i32) (local $bytes i32) (local $c v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (block $doneI
      (loop $nextI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $na)))
        (local.set $or (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $bytes))))
        (local.set $j (i32.const 0))
        (block $doneJ
          (loop $nextJ
            (br_if $doneJ (i32.ge_u (local.get $j) (local.get $nb)))
            (local.set $c (f32x4.splat (f32.load
              (i32.add (local.get $coef) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $nb)) (local.get $j)) (i32.const 2))))))
            (local.set $br (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $bytes))))
            (local.set $k (i32.const 0))
            (block $doneK
              (loop $nextK
                (br_if $doneK (i32.ge_u (local.get $k) (local.get $bytes)))
                (v128.store (i32.add (local.get $or) (local.get $k))
                  (f32x4.add (v128.load (i32.add (local.get $or) (local.get $k)))
                    (f32x4.mul (local.get $c) (v128.load (i32.add (local.get $br) (local.get $k))))))
                (v128.store offset=16 (i32.add (local.get $or) (local.get $k))
                  (f32x4.add (v128.load offset=16 (i32.add (local.get $or) (local.get $k)))
                    (f32x4.mul (local.get $c) (v128.load offset=16 (i32.add (local.get $br) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 32)))
                (br $nextK)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $nextJ)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextI))))
)
