;; Assembled into rowdot-kernel.ts (base64) with wabt: wat2wasm rowdot.wat -o rowdot.wasm && base64 -w0 rowdot.wasm
;; Matrices are row-major float32 with a row stride of d values, d a multiple of 8 (callers zero-pad); all
;; pointers are byte offsets into this memory. Both products take four rows of B at a time, so that each
;; load of an A row (dotRows) or each load and store of an output row (addProducts) serves four rows of B.
(module
  (memory (export "memory") 1)

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; out[i*nb + j] = sum_k a[i*d + k] * b[j*d + k] for i < na, j < nb (A·Bᵀ).
  (func (export "dotRows")
    (param $a i32) (param $na i32) (param $b i32) (param $nb i32) (param $d i32) (param $out i32)
    (local $i i32) (local $j i32) (local $k i32) (local $ar i32) (local $br i32) (local $bytes i32) (local $o i32)
    (local $x v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (block $doneI
      (loop $nextI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $na)))
        (local.set $ar (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $bytes))))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $nb)) (i32.const 2))))
        (local.set $j (i32.const 0))
        ;; four rows of B at a time
        (block $doneJ4
          (loop $nextJ4
            (br_if $doneJ4 (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $nb)))
            (local.set $br (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $bytes))))
            (local.set $s0 (v128.const f32x4 0 0 0 0))
            (local.set $s1 (v128.const f32x4 0 0 0 0))
            (local.set $s2 (v128.const f32x4 0 0 0 0))
            (local.set $s3 (v128.const f32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $doneK4
              (loop $nextK4
                (br_if $doneK4 (i32.ge_u (local.get $k) (local.get $bytes)))
                (local.set $x (v128.load (i32.add (local.get $ar) (local.get $k))))
                (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $x)
                  (v128.load (i32.add (local.get $br) (local.get $k))))))
                (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $x)
                  (v128.load (i32.add (i32.add (local.get $br) (local.get $bytes)) (local.get $k))))))
                (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $x)
                  (v128.load (i32.add (i32.add (local.get $br) (i32.shl (local.get $bytes) (i32.const 1))) (local.get $k))))))
                (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $x)
                  (v128.load (i32.add (i32.add (local.get $br) (i32.mul (local.get $bytes) (i32.const 3))) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $nextK4)))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2))) (call $hsum (local.get $s0)))
            (f32.store offset=4 (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2))) (call $hsum (local.get $s1)))
            (f32.store offset=8 (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2))) (call $hsum (local.get $s2)))
            (f32.store offset=12 (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2))) (call $hsum (local.get $s3)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $nextJ4)))
        ;; the remaining rows of B one at a time, two accumulators
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
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))
              (call $hsum (f32x4.add (local.get $s0) (local.get $s1))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $nextJ)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextI))))

  ;; out[i*d + k] += sum_j coef[i*nb + j] * b[j*d + k] for i < na, j < nb (out += C·B).
  (func (export "addProducts")
    (param $coef i32) (param $na i32) (param $b i32) (param $nb i32) (param $d i32) (param $out i32)
    (local $i i32) (local $j i32) (local $k i32) (local $or i32) (local $br i32) (local $bytes i32) (local $cr i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $p i32)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (block $doneI
      (loop $nextI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $na)))
        (local.set $or (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $bytes))))
        (local.set $cr (i32.add (local.get $coef) (i32.shl (i32.mul (local.get $i) (local.get $nb)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $doneJ4
          (loop $nextJ4
            (br_if $doneJ4 (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $nb)))
            (local.set $p (i32.add (local.get $cr) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $c0 (f32x4.splat (f32.load (local.get $p))))
            (local.set $c1 (f32x4.splat (f32.load offset=4 (local.get $p))))
            (local.set $c2 (f32x4.splat (f32.load offset=8 (local.get $p))))
            (local.set $c3 (f32x4.splat (f32.load offset=12 (local.get $p))))
            (local.set $br (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $bytes))))
            (local.set $k (i32.const 0))
            (block $doneK4
              (loop $nextK4
                (br_if $doneK4 (i32.ge_u (local.get $k) (local.get $bytes)))
                (v128.store (i32.add (local.get $or) (local.get $k))
                  (f32x4.add
                    (f32x4.add (v128.load (i32.add (local.get $or) (local.get $k)))
                      (f32x4.add
                        (f32x4.mul (local.get $c0) (v128.load (i32.add (local.get $br) (local.get $k))))
                        (f32x4.mul (local.get $c1) (v128.load (i32.add (i32.add (local.get $br) (local.get $bytes)) (local.get $k))))))
                    (f32x4.add
                      (f32x4.mul (local.get $c2) (v128.load (i32.add (i32.add (local.get $br) (i32.shl (local.get $bytes) (i32.const 1))) (local.get $k))))
                      (f32x4.mul (local.get $c3) (v128.load (i32.add (i32.add (local.get $br) (i32.mul (local.get $bytes) (i32.const 3))) (local.get $k)))))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $nextK4)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $nextJ4)))
        (block $doneJ
          (loop $nextJ
            (br_if $doneJ (i32.ge_u (local.get $j) (local.get $nb)))
            (local.set $c0 (f32x4.splat (f32.load (i32.add (local.get $cr) (i32.shl (local.get $j) (i32.const 2))))))
            (local.set $br (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $bytes))))
            (local.set $k (i32.const 0))
            (block $doneK
              (loop $nextK
                (br_if $doneK (i32.ge_u (local.get $k) (local.get $bytes)))
                (v128.store (i32.add (local.get $or) (local.get $k))
                  (f32x4.add (v128.load (i32.add (local.get $or) (local.get $k)))
                    (f32x4.mul (local.get $c0) (v128.load (i32.add (local.get $br) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $nextK)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $nextJ)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextI))))
)
