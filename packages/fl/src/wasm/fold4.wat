;; Assembled into fold4-kernel.ts (base64) with wabt: wat2wasm fold4.wat -o fold4.wasm && base64 -w0 fold4.wasm
(module
  (memory (export "memory") 1)
  ;; dst[i] += wa*a[i] + wb*b[i] + wc*c[i] + wd*d[i] for i < n (n a multiple of 4).
  ;; dst holds float64 values, a..d float32 values; all are byte offsets into this memory.
  (func (export "fold4")
    (param $dst i32) (param $a i32) (param $b i32) (param $c i32) (param $d i32) (param $n i32)
    (param $wa f64) (param $wb f64) (param $wc f64) (param $wd f64)
    (local $i i32) (local $x v128) (local $lo v128) (local $hi v128)
    (local $sa v128) (local $sb v128) (local $sc v128) (local $sd v128)
    (local.set $sa (f64x2.splat (local.get $wa)))
    (local.set $sb (f64x2.splat (local.get $wb)))
    (local.set $sc (f64x2.splat (local.get $wc)))
    (local.set $sd (f64x2.splat (local.get $wd)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; a
        (local.set $x (v128.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $lo (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (local.get $sa)))
        (local.set $hi (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))) (local.get $sa)))
        ;; b
        (local.set $x (v128.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $lo (f64x2.add (local.get $lo) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (local.get $sb))))
        (local.set $hi (f64x2.add (local.get $hi) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))) (local.get $sb))))
        ;; c
        (local.set $x (v128.load (i32.add (local.get $c) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $lo (f64x2.add (local.get $lo) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (local.get $sc))))
        (local.set $hi (f64x2.add (local.get $hi) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))) (local.get $sc))))
        ;; d
        (local.set $x (v128.load (i32.add (local.get $d) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $lo (f64x2.add (local.get $lo) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (local.get $sd))))
        (local.set $hi (f64x2.add (local.get $hi) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))) (local.get $sd))))
        ;; dst[i..i+1] += lo, dst[i+2..i+3] += hi
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3)))
          (f64x2.add (v128.load (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3)))) (local.get $lo)))
        (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3)))
          (f64x2.add (v128.load offset=16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3)))) (local.get $hi)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))
;; dst[i] = f32(scale*src[i]) for i < n (n a multiple of 4): the float64 sums out as the float32 mean.
  ;; dst holds float32 values, src float64 values; byte offsets into this memory.
  (func (export "scale")
    (param $dst i32) (param $src i32) (param $n i32) (param $scale f64)
    (local $i i32) (local $s v128)
    (local.set $s (f64x2.splat (local.get $scale)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.mul (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3)))) (local.get $s)))
            (f32x4.demote_f64x2_zero (f64x2.mul (v128.load offset=16 (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3)))) (local.get $s)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))
)
