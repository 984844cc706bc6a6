package models

import (
	"math/rand/v2"
)

// Specs used across tests: the shapes the finance pipeline builds.
func mlpSpec(in int) Spec {
	return Spec{Input: []int{in}, Layers: []LayerSpec{
		{Type: LayerDense, Units: 32}, {Type: LayerReLU}, {Type: LayerDropout, Rate: 0.2}, {Type: LayerDense, Units: 1},
	}}
}

func gruSpec(steps, features, units int) Spec {
	return Spec{Input: []int{steps, features}, Layers: []LayerSpec{
		{Type: LayerGRU, Units: units}, {Type: LayerDense, Units: 1},
	}}
}

// randomX returns n×in values uniform in [-1, 1).
func randomX(n, in int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n*in)
	for i := range x {
		x[i] = float32(2*rng.Float64() - 1)
	}
	return x
}

// linearData returns a noisy linear target y = x·β + 0.1·noise (or, for
// a sequence, the mean of each step's linear target).
func linearData(n, in int, seed uint64) Dataset {
	rng := rand.New(rand.NewPCG(seed, 2))
	beta := make([]float64, in)
	for i := range beta {
		beta[i] = rng.NormFloat64() / 2
	}
	x := randomX(n, in, seed)
	y := make([]float32, n)
	for i := range y {
		var s float64
		for j := 0; j < in; j++ {
			s += float64(x[i*in+j]) * beta[j]
		}
		y[i] = float32(s + 0.1*rng.NormFloat64())
	}
	return Dataset{X: x, Y: y, N: n}
}

// xorData returns the four XOR points repeated k times.
func xorData(k int) Dataset {
	var d Dataset
	for r := 0; r < k; r++ {
		for _, p := range [][3]float32{{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}} {
			d.X = append(d.X, p[0], p[1])
			d.Y = append(d.Y, p[2])
			d.N++
		}
	}
	return d
}

func newTestRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }
