package models

import "golang.org/x/sys/cpu"

// hasFMAKernel reports whether the AVX2/FMA micro-kernel can run here.
func hasFMAKernel() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// sgemm4x16 adds A[0:4, 0:k]·B[0:k, 0:16] to C[0:4, 0:16] (row-major,
// leading dimensions in elements). Implemented in sgemm_amd64.s.
//
//go:noescape
func sgemm4x16(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

// sgemm4x16T is sgemm4x16 for Aᵀ: it adds Σ_p A[p, 0:4]ᵀ·B[p, 0:16] to
// C[0:4, 0:16], A stored k×4 or wider. Implemented in sgemm_amd64.s.
//
//go:noescape
func sgemm4x16T(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

// sgemv32 adds Σ_p x[p]·W[p, 0:32] to y[0:32] for k values of x (W
// row-major, leading dimension ldw in elements). Implemented in
// sgemm_amd64.s.
//
//go:noescape
func sgemv32(k int, x *float32, w *float32, ldw int, y *float32)

// sgemv8 is sgemv32 for 8 columns. Implemented in sgemm_amd64.s.
//
//go:noescape
func sgemv8(k int, x *float32, w *float32, ldw int, y *float32)

// act8 computes dst[i] = a·σ(k·src[i]) + b for 8·n8 values from a
// constant table (see sgemm_amd64.s). Implemented in assembly.
//
//go:noescape
func act8(dst, src *float32, n8 int, tbl *float32)

// lstmBackArgs are the row pointers of lstmBack8: a and da point at the
// row's 4 gate blocks of h values each, stride4 is h·4 (the byte stride
// between gate blocks).
type lstmBackArgs struct {
	a, tc, cp, dh, dc, da *float32
	stride4               int
}

// lstmBack8 computes the LSTM gate gradients of 8·n8 units of one row.
// Implemented in sgemm_amd64.s.
//
//go:noescape
func lstmBack8(p *lstmBackArgs, n8 int)
