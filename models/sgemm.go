package models

// sgemmKBlock is the depth of one pass of the micro-kernel, so that a
// 16-column strip of B (16 KiB) stays in the L1 cache across the rows.
const sgemmKBlock = 256

// sgemmNN adds A·B to C for row-major float32 matrices (A m×k, B k×n,
// C m×n, leading dimensions in elements) with the AVX2/FMA micro-kernel
// on 4×16 blocks and plain loops on the edges. Callers check
// hasFMAKernel first.
func sgemmNN(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	// Bounds the kernel relies on (it reads and writes through pointers).
	_ = a[(m-1)*lda+k-1]
	_ = b[(k-1)*ldb+n-1]
	_ = c[(m-1)*ldc+n-1]
	m4, n16 := m&^3, n&^15
	for p0 := 0; p0 < k; p0 += sgemmKBlock {
		kc := min(sgemmKBlock, k-p0)
		for j := 0; j < n16; j += 16 {
			for i := 0; i < m4; i += 4 {
				sgemm4x16(kc, &a[i*lda+p0], lda, &b[p0*ldb+j], ldb, &c[i*ldc+j], ldc)
			}
		}
	}
	// Right edge: columns n16..n of every row; bottom edge: rows m4..m.
	if n16 < n {
		for i := 0; i < m; i++ {
			crow := c[i*ldc : i*ldc+n]
			for p := 0; p < k; p++ {
				av := a[i*lda+p]
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
			av := a[i*lda+p]
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
