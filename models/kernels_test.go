package models

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGemm(t *testing.T) {
	rng := newTestRand(1)
	naive := func(ta, tb bool, m, n, k int, a, b, c []float64, beta float64) []float64 {
		out := make([]float64, m*n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := beta * c[i*n+j]
				for l := 0; l < k; l++ {
					av, bv := a[i*k+l], b[l*n+j]
					if ta {
						av = a[l*m+i]
					}
					if tb {
						bv = b[j*k+l]
					}
					s += av * bv
				}
				out[i*n+j] = s
			}
		}
		return out
	}
	cases := []struct {
		name    string
		ta, tb  bool
		beta    float64
		m, n, k int
	}{
		{"nn", false, false, 0, 3, 5, 4},
		{"tn", true, false, 1, 3, 5, 4},
		{"nt", false, true, 1, 3, 5, 2*gemmBlock + 3},
		{"nn_beta_wide", false, false, 0.5, 3, gemmBlock + 7, 4},
		{"nn_thin", false, false, 0.5, 5, 3, thinCols + 9},
		{"tn_thin", true, false, 1, 6, 2, thinCols + 1},
		{"nt_short_k", false, true, 1, 4, thinCols + 5, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, n, k := c.m, c.n, c.k
			rnd := func(size int) []float64 {
				v := make([]float64, size)
				for i := range v {
					v[i] = rng.NormFloat64()
				}
				return v
			}
			a, b, cc := rnd(m*k), rnd(k*n), rnd(m*n)
			lda, ldb := k, n
			if c.ta {
				lda = m
			}
			if c.tb {
				ldb = k
			}
			want := naive(c.ta, c.tb, m, n, k, a, b, cc, c.beta)
			got := append([]float64(nil), cc...)
			gemm(c.ta, c.tb, m, n, k, a, lda, b, ldb, c.beta, got, n)
			assert.InDeltaSlice(t, want, got, 1e-12)
		})
	}
}

func TestValidRange(t *testing.T) {
	cases := []struct {
		name                 string
		n, stride, off, size int
		wantLo, wantHi       int
	}{
		{"inside", 4, 1, 0, 4, 0, 4},
		{"left_pad", 4, 1, -1, 4, 1, 4},
		{"right_overhang", 4, 1, 1, 4, 0, 3},
		{"stride", 3, 2, -1, 5, 1, 3},
		{"none", 2, 1, 5, 4, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lo, hi := validRange(c.n, c.stride, c.off, c.size)
			assert.Equal(t, [2]int{c.wantLo, c.wantHi}, [2]int{lo, hi})
		})
	}
}
