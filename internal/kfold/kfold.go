package kfold

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ErrInvalidArgument reports an argument outside its documented domain.
var ErrInvalidArgument = errors.New("invalid argument")

// ErrTooFewSamples reports a class (or the whole sample) too small for the
// requested partition.
var ErrTooFewSamples = errors.New("too few samples")

// Fold is one train/test partition. Train and Test are disjoint, sorted
// ascending, and together hold every index 0..len(labels)-1 exactly once.
type Fold struct {
	Train []int
	Test  []int
}

// streamTag is mixed into the PCG state so that the seed alone picks the
// stream; it is a constant, not mutable state.
const streamTag = 0x6b666f6c64 // "kfold"

// classes groups the indices of labels by class, classes in ascending label
// order, each group shuffled with rng.
func classes(labels []int, rng *rand.Rand) [][]int {
	byClass := make(map[int][]int)
	for i, l := range labels {
		byClass[l] = append(byClass[l], i)
	}
	keys := make([]int, 0, len(byClass))
	for k := range byClass {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	groups := make([][]int, len(keys))
	for gi, k := range keys {
		g := byClass[k]
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		groups[gi] = g
	}
	return groups
}

// Stratified partitions the indices of labels into k folds for k-fold
// cross-validation. Every class is shuffled with the seed and dealt round
// robin, continuing from where the previous class stopped, so each fold
// gets ⌊n_c/k⌋ or ⌈n_c/k⌉ members of class c and fold sizes differ by at
// most one. Fold i's Test is the i-th part and its Train all the others.
//
// It returns an error wrapping ErrInvalidArgument when k < 2, and one
// wrapping ErrTooFewSamples when any class has fewer than k members (some
// test fold would then miss that class).
func Stratified(labels []int, k int, seed uint64) ([]Fold, error) {
	if k < 2 {
		return nil, fmt.Errorf("kfold: k = %d, want at least 2: %w", k, ErrInvalidArgument)
	}
	if len(labels) < k {
		return nil, fmt.Errorf("kfold: %d samples for %d folds: %w", len(labels), k, ErrTooFewSamples)
	}
	rng := rand.New(rand.NewPCG(seed, streamTag))
	groups := classes(labels, rng)

	assign := make([]int, len(labels))
	pos := 0
	for _, g := range groups {
		if len(g) < k {
			return nil, fmt.Errorf("kfold: class %d has %d samples for %d folds: %w",
				labels[g[0]], len(g), k, ErrTooFewSamples)
		}
		for _, idx := range g {
			assign[idx] = pos % k
			pos++
		}
	}

	folds := make([]Fold, k)
	for f := range folds {
		folds[f].Test = make([]int, 0, len(labels)/k+1)
		folds[f].Train = make([]int, 0, len(labels)-len(labels)/k)
	}
	for idx, f := range assign {
		for g := range folds {
			if g == f {
				folds[g].Test = append(folds[g].Test, idx)
			} else {
				folds[g].Train = append(folds[g].Train, idx)
			}
		}
	}
	return folds, nil
}

// StratifiedSplit splits the indices of labels into a training and a test
// set, putting round(testFraction·n_c) members of each class c into the
// test set (at least one and at most n_c−1 when n_c ≥ 2; a class of one
// goes to training). testFraction is a fraction in (0, 1).
//
// It returns an error wrapping ErrInvalidArgument when testFraction is not
// in (0, 1) or labels is empty, and one wrapping ErrTooFewSamples when the
// test set would be empty.
func StratifiedSplit(labels []int, testFraction float64, seed uint64) (train, test []int, err error) {
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, fmt.Errorf("kfold: test fraction %v not in (0, 1): %w", testFraction, ErrInvalidArgument)
	}
	if len(labels) == 0 {
		return nil, nil, fmt.Errorf("kfold: no labels: %w", ErrInvalidArgument)
	}
	rng := rand.New(rand.NewPCG(seed, streamTag))
	inTest := make([]bool, len(labels))
	nTest := 0
	for _, g := range classes(labels, rng) {
		m := int(math.Round(testFraction * float64(len(g))))
		if len(g) >= 2 {
			m = min(max(m, 1), len(g)-1)
		} else {
			m = 0
		}
		for _, idx := range g[:m] {
			inTest[idx] = true
		}
		nTest += m
	}
	if nTest == 0 {
		return nil, nil, fmt.Errorf("kfold: test set would be empty: %w", ErrTooFewSamples)
	}
	train = make([]int, 0, len(labels)-nTest)
	test = make([]int, 0, nTest)
	for idx, t := range inTest {
		if t {
			test = append(test, idx)
		} else {
			train = append(train, idx)
		}
	}
	return train, test, nil
}
