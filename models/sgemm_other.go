//go:build !amd64

package models

func hasFMAKernel() bool { return false }

func sgemm4x16(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int) {
	panic("models: internal error: sgemm4x16 without AVX2")
}

func sgemm4x16T(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int) {
	panic("models: internal error: sgemm4x16T without AVX2")
}

func sgemv32(k int, x *float32, w *float32, ldw int, y *float32) {
	panic("models: internal error: sgemv32 without AVX2")
}

func sgemv8(k int, x *float32, w *float32, ldw int, y *float32) {
	panic("models: internal error: sgemv8 without AVX2")
}

func act8(dst, src *float32, n8 int, tbl *float32) {
	panic("models: internal error: act8 without AVX2")
}

type lstmBackArgs struct {
	a, tc, cp, dh, dc, da *float32
	stride4               int
}

func lstmBack8(p *lstmBackArgs, n8 int) {
	panic("models: internal error: lstmBack8 without AVX2")
}
