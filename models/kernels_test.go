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

// TestConvKernels32 checks the float32 conv2d kernels (which run on the
// AVX2 micro-kernel where available) against the float64 ones (plain
// loops, gradient-checked elsewhere) on shapes with full 4×16 blocks and
// ragged edges.
func TestConvKernels32(t *testing.T) {
	geoms := []convGeom{
		{c: 3, h: 9, w: 9, f: 20, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, oh: 9, ow: 9},
		{c: 5, h: 8, w: 7, f: 6, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, oh: 4, ow: 4},
		{c: 16, h: 2, w: 2, f: 12, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, oh: 1, ow: 1},
	}
	for gi, g := range geoms {
		const batch = 5
		x32 := randomX(batch, g.inSize(), 1)
		w32 := randomX(g.f, g.k(), 2)
		b32 := randomX(1, g.f, 3)
		dy32 := randomX(batch, g.outSize(), 4)
		wide := func(v []float32) []float64 {
			out := make([]float64, len(v))
			for i, x := range v {
				out[i] = float64(x)
			}
			return out
		}
		st32, st64 := &convState{g: g, batch: batch}, &convState{g: g, batch: batch}
		y32, y64 := make([]float32, batch*g.outSize()), make([]float64, batch*g.outSize())
		convFwdK[float32](st32)(y32, [][]float32{x32, w32, b32})
		convFwdK[float64](st64)(y64, [][]float64{wide(x32), wide(w32), wide(b32)})
		dw32, dw64 := make([]float32, g.f*g.k()), make([]float64, g.f*g.k())
		convGradWK[float32](st32)(dw32, [][]float32{x32, dy32})
		convGradWK[float64](st64)(dw64, [][]float64{wide(x32), wide(dy32)})
		dx32, dx64 := make([]float32, batch*g.inSize()), make([]float64, batch*g.inSize())
		convGradXK[float32](st32)(dx32, [][]float32{w32, dy32})
		convGradXK[float64](st64)(dx64, [][]float64{wide(w32), wide(dy32)})
		for name, p := range map[string][2][]float64{"y": {wide(y32), y64}, "dw": {wide(dw32), dw64}, "dx": {wide(dx32), dx64}} {
			assert.InDeltaSlice(t, p[1], p[0], 1e-4, "geometry %d: %s", gi, name)
		}
	}
}
