package models

import "math"

// sgemmKBlock is the depth of one pass of the micro-kernel, so that a
// 16-column strip of B (16 KiB) stays in the L1 cache across the rows.
const sgemmKBlock = 256

// sgemmNN adds A·B to C for row-major float32 matrices (A m×k, B k×n,
// C m×n, leading dimensions in elements) with the AVX2/FMA micro-kernel
// on 4×16 blocks and plain loops on the edges. Callers check
// hasFMAKernel first.
func sgemmNN(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	sgemmN(false, m, n, k, a, lda, b, ldb, c, ldc)
}

// sgemmTN is sgemmNN for Aᵀ·B, with A stored k×m.
func sgemmTN(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	sgemmN(true, m, n, k, a, lda, b, ldb, c, ldc)
}

// sgemmN adds op(A)·B to C, op transposing A (stored k×m) when ta is set.
func sgemmN(ta bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	// Bounds the kernel relies on (it reads and writes through pointers),
	// and the strides of A: element (i, p) of op(A) is a[i·ai + p·ap].
	ai, ap := lda, 1
	if ta {
		ai, ap = 1, lda
		_ = a[(k-1)*lda+m-1]
	} else {
		_ = a[(m-1)*lda+k-1]
	}
	_ = b[(k-1)*ldb+n-1]
	_ = c[(m-1)*ldc+n-1]
	m4, n16 := m&^3, n&^15
	for p0 := 0; p0 < k; p0 += sgemmKBlock {
		kc := min(sgemmKBlock, k-p0)
		for j := 0; j < n16; j += 16 {
			for i := 0; i < m4; i += 4 {
				if ta {
					sgemm4x16T(kc, &a[p0*lda+i], lda, &b[p0*ldb+j], ldb, &c[i*ldc+j], ldc)
				} else {
					sgemm4x16(kc, &a[i*lda+p0], lda, &b[p0*ldb+j], ldb, &c[i*ldc+j], ldc)
				}
			}
		}
	}
	// Right edge: columns n16..n of every row; bottom edge: rows m4..m.
	if n16 < n {
		for i := 0; i < m; i++ {
			crow := c[i*ldc : i*ldc+n]
			for p := 0; p < k; p++ {
				av := a[i*ai+p*ap]
				brow := b[p*ldb : p*ldb+n]
				for j := n16; j < n; j++ {
					crow[j] += av * brow[j]
				}
			}
		}
	}
	for i := m4; i < m; i++ {
		crow := c[i*ldc : i*ldc+n16]
		for p := 0; p < k; p++ {
			av := a[i*ai+p*ap]
			if av == 0 {
				continue
			}
			brow := b[p*ldb : p*ldb+n16]
			for j := range crow {
				crow[j] += av * brow[j]
			}
		}
	}
}

// affineSigmoid sets dst[i] = a·σ(k·src[i]) + b (dst may be src): the
// logistic function for k = a = 1, b = 0, and tanh for k = a = 2, b = −1.
// It uses the AVX2 kernel on blocks of 8 when available and exp32 on the
// rest. Panics if len(dst) < len(src).
func affineSigmoid(dst, src []float32, k, a, b float32) {
	dst = dst[:len(src)]
	n8 := 0
	if hasFMAKernel() {
		n8 = len(src) &^ 7
	}
	if n8 > 0 {
		var tbl [13 * 8]float32
		vals := [12]float32{-k * math.Log2E, -126, 126, math.Ln2, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 1.0 / 2, 1, a, b}
		for i, v := range vals {
			for j := 0; j < 8; j++ {
				tbl[i*8+j] = v
			}
		}
		for j := 0; j < 8; j++ {
			tbl[12*8+j] = math.Float32frombits(127)
		}
		act8(&dst[0], &src[0], n8/8, &tbl[0])
	}
	for i := n8; i < len(src); i++ {
		dst[i] = a/(1+exp32(-k*src[i])) + b
	}
}

func sigmoidVec(dst, src []float32) { affineSigmoid(dst, src, 1, 1, 0) }
func tanhVec(dst, src []float32)    { affineSigmoid(dst, src, 2, 2, -1) }
