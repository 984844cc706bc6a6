package models

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSgemmN(t *testing.T) {
	if !hasFMAKernel() {
		t.Skip("no AVX2/FMA on this machine")
	}
	cases := []struct {
		ta           bool
		m, n, k, pad int
	}{
		{false, 4, 16, 1, 0}, {false, 8, 32, 300, 3}, {false, 5, 17, 7, 1}, {false, 3, 15, 2, 0},
		{false, 64, 512, 128, 5}, {false, 13, 40, 600, 2},
		{true, 4, 16, 1, 0}, {true, 8, 32, 300, 3}, {true, 5, 17, 7, 1}, {true, 3, 15, 2, 0},
		{true, 64, 512, 128, 5}, {true, 13, 40, 600, 2},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("ta=%v/%dx%dx%d", c.ta, c.m, c.n, c.k), func(t *testing.T) {
			lda, ldb, ldc := c.k+c.pad, c.n+c.pad, c.n+2*c.pad
			var a []float32
			var at func(i, p int) float32
			if c.ta { // A stored k×m
				lda = c.m + c.pad
				a = randomX(c.k, lda, 1)
				at = func(i, p int) float32 { return a[p*lda+i] }
			} else {
				a = randomX(c.m, lda, 1)
				at = func(i, p int) float32 { return a[i*lda+p] }
			}
			b := randomX(c.k, ldb, 2)
			got := randomX(c.m, ldc, 3)
			want := append([]float32(nil), got...)
			if c.ta {
				sgemmTN(c.m, c.n, c.k, a, lda, b, ldb, got, ldc)
			} else {
				sgemmNN(c.m, c.n, c.k, a, lda, b, ldb, got, ldc)
			}
			for i := 0; i < c.m; i++ {
				for j := 0; j < c.n; j++ {
					var s float64
					for p := 0; p < c.k; p++ {
						s += float64(at(i, p)) * float64(b[p*ldb+j])
					}
					want[i*ldc+j] += float32(s)
				}
			}
			for i := range want {
				require.InDelta(t, want[i], got[i], 1e-4*float64(c.k+1), "element %d", i)
			}
		})
	}
}

func TestExp32(t *testing.T) {
	for x := float32(-90); x <= 90; x += 0.01 {
		want := math.Exp(float64(x))
		if x < -87 {
			want = math.Exp(-87)
		}
		if x > 88 {
			want = math.Exp(88)
		}
		got := float64(exp32(x))
		require.InDelta(t, 0, (got-want)/want, 3e-7, "exp32(%g) = %g, want %g", x, got, want)
	}
}

func TestAffineSigmoid(t *testing.T) {
	x := make([]float32, 0, 4100)
	for v := float32(-100); v <= 100; v += 0.05 {
		x = append(x, v)
	}
	got := make([]float32, len(x))
	sigmoidVec(got, x)
	for i, v := range x {
		require.InDelta(t, 1/(1+math.Exp(-float64(v))), float64(got[i]), 1e-6, "sigmoid(%g)", v)
	}
	tanhVec(got, x)
	for i, v := range x {
		require.InDelta(t, math.Tanh(float64(v)), float64(got[i]), 2e-6, "tanh(%g)", v)
	}
}

func TestVecMat(t *testing.T) {
	for _, c := range []struct{ k, n int }{{1, 1}, {3, 7}, {5, 8}, {64, 256}, {7, 43}, {200, 32}, {2, 72}} {
		x := randomX(1, c.k, 1)
		x[0] = 0 // the Go tail skips zeros; the kernels must agree
		w := randomX(c.k, c.n, 2)
		got := randomX(1, c.n, 3)
		want := append([]float32(nil), got...)
		vecMat(got, x, w)
		for j := range want {
			var s float64
			for p := 0; p < c.k; p++ {
				s += float64(x[p]) * float64(w[p*c.n+j])
			}
			want[j] += float32(s)
		}
		for j := range want {
			require.InDelta(t, want[j], got[j], 1e-4*float64(c.k+1), "k=%d n=%d column %d", c.k, c.n, j)
		}
	}
}
