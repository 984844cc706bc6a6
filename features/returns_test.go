package features

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSimpleReturns(t *testing.T) {
	tests := []struct {
		name string
		x    []float64
		want []float64
	}{
		{"empty", nil, []float64{}},
		{"one", []float64{5}, []float64{nan}},
		// 110/100-1 = 0.1; 99/110-1 = -0.1; 0/99-1 = -1; 5/0 is +Inf -> NaN.
		{"hand", []float64{100, 110, 99, 0, 5}, []float64{nan, 0.1, -0.1, -1, nan}},
		// a missing value spoils the two returns that touch it.
		{"hole", []float64{100, nan, 100, 50}, []float64{nan, nan, nan, -0.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, SimpleReturns(tc.x), 1e-15)
		})
	}
}

func TestLogReturns(t *testing.T) {
	e := math.E
	tests := []struct {
		name string
		x    []float64
		want []float64
	}{
		{"empty", nil, []float64{}},
		// ln(e/1) = 1; ln(e/e) = 0; ln(-1/e) undefined; ln(2/-1) undefined.
		{"hand", []float64{1, e, e, -1, 2}, []float64{nan, 1, 0, nan, nan}},
		// ln(4/2) = ln 2; 0 is not positive.
		{"zero", []float64{2, 4, 0, 4}, []float64{nan, math.Ln2, nan, nan}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, LogReturns(tc.x), 1e-15)
		})
	}
}

func TestLag(t *testing.T) {
	tests := []struct {
		name string
		x    []float64
		k    int
		want []float64
	}{
		{"zero is a copy", []float64{1, 2, 3}, 0, []float64{1, 2, 3}},
		{"two", []float64{1, 2, 3, 4}, 2, []float64{nan, nan, 1, 2}},
		{"longer than x", []float64{1, 2}, 5, []float64{nan, nan}},
		{"inf is missing", []float64{1, math.Inf(-1), 3}, 1, []float64{nan, 1, nan}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, Lag(tc.x, tc.k), 0)
		})
	}
	assert.Panics(t, func() { Lag([]float64{1}, -1) })
}

func TestForwardReturn(t *testing.T) {
	x := []float64{100, 110, 121, 0}
	tests := []struct {
		name string
		h    int
		want []float64
	}{
		// 110/100-1 = 0.1, 121/110-1 = 0.1, 0/121-1 = -1, last undefined.
		{"h1", 1, []float64{0.1, 0.1, -1, nan}},
		// 121/100-1 = 0.21, 0/110-1 = -1, last two undefined.
		{"h2", 2, []float64{0.21, -1, nan, nan}},
		{"h beyond length", 9, []float64{nan, nan, nan, nan}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, ForwardReturn(x, tc.h), 1e-15)
		})
	}
	assert.Panics(t, func() { ForwardReturn(x, 0) })
}
