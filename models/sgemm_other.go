//go:build !amd64

package models

func hasFMAKernel() bool { return false }

func sgemm4x16(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int) {
	panic("models: internal error: sgemm4x16 without AVX2")
}
