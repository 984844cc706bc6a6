package nlp

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEvaluate(t *testing.T) {
	const tol = 1e-12
	truth := []int{0, 0, 0, 1, 1, 2, 2, 2, 2, 2}
	pred := []int{0, 1, 0, 1, 2, 2, 2, 0, 2, 2}
	m := Evaluate(truth, pred, 3)
	assert.Equal(t, [][]int{{2, 1, 0}, {0, 1, 1}, {1, 0, 4}}, m.Confusion)
	assert.InDelta(t, 0.7, m.Accuracy, tol)
	// Class 0: P = 2/3, R = 2/3, F1 = 2/3. Class 1: P = 1/2, R = 1/2,
	// F1 = 1/2. Class 2: P = 4/5, R = 4/5, F1 = 4/5.
	want := []ClassMetrics{
		{Precision: 2. / 3, Recall: 2. / 3, F1: 2. / 3, Support: 3, Predicted: 3},
		{Precision: 0.5, Recall: 0.5, F1: 0.5, Support: 2, Predicted: 2},
		{Precision: 0.8, Recall: 0.8, F1: 0.8, Support: 5, Predicted: 5},
	}
	for c, w := range want {
		g := m.PerClass[c]
		assert.InDelta(t, w.Precision, g.Precision, tol, "class %d", c)
		assert.InDelta(t, w.Recall, g.Recall, tol, "class %d", c)
		assert.InDelta(t, w.F1, g.F1, tol, "class %d", c)
		assert.Equal(t, w.Support, g.Support)
		assert.Equal(t, w.Predicted, g.Predicted)
	}
	assert.InDelta(t, (2./3+0.5+0.8)/3, m.MacroF1, tol)

	// A class absent from truth and predictions is left out of the macro
	// mean; one that is predicted but never true counts with F1 0.
	m = Evaluate([]int{0, 1}, []int{0, 1}, 3)
	assert.InDelta(t, 1.0, m.MacroF1, tol)
	m = Evaluate([]int{0, 0}, []int{0, 2}, 3)
	assert.InDelta(t, (2./3+0)/2, m.MacroF1, tol)

	m = Evaluate(nil, nil, 2)
	assert.True(t, math.IsNaN(m.Accuracy) && math.IsNaN(m.MacroF1))
	assert.Panics(t, func() { Evaluate([]int{0}, nil, 2) })
	assert.Panics(t, func() { Evaluate([]int{0}, []int{2}, 2) })
}

func ExampleMetrics_ConfusionTable() {
	m := Evaluate([]int{0, 0, 1, 1, 1}, []int{0, 1, 1, 1, 0}, 2)
	fmt.Printf("accuracy %.2f, macro-F1 %.3f\n", m.Accuracy, m.MacroF1)
	fmt.Print(m.ConfusionTable([]string{"neg", "pos"}))
	// Output:
	// accuracy 0.60, macro-F1 0.583
	// true\pred       neg       pos
	// neg               1         1
	// pos               1         2
}
